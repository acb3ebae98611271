"""In a real browser: the crash page draws its corridor on the Leaflet map, and the candidates
page draws every open candidate coloured by kind, each linking to its page (served by copps, no
CDN, within the Content-Security-Policy)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from tests.browser.conftest import shot, sign_in
from tests.conftest import PASSWORD
from tests.problems.test_problems_crashes import COLUMNS, _candidate, _rows

from copps.incidents.models import Area

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(tmp_path, django_user_model):
    path = tmp_path / "CollisionRecords.txt"
    path.write_text("\n".join("\t".join(r) for r in [COLUMNS, *_rows()]) + "\n")
    call_command("import_events", str(path), profile="switrs", verbosity=0)
    django_user_model.objects.create_user(username="analyst", password=PASSWORD, role="analyst")
    ring = [[-121.32, 38.66], [-121.24, 38.66], [-121.24, 38.72], [-121.32, 38.72], [-121.32, 38.66]]
    Area.objects.create(
        type="beat", code="B1", name="B1", geometry={"type": "Polygon", "coordinates": [ring]},
        min_lon=-121.32, min_lat=38.66, max_lon=-121.24, max_lat=38.72,
    )
    return [_candidate("hot_spot"), _candidate("collision_corridor", title="Collision corridor: MAIN ST", lon=-121.28)]


def test_crash_corridor_and_candidate_maps(page, live_server, data):
    external, csp = [], []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, live_server, "analyst")
    page.goto(f"{live_server.url}/problems/crashes/")
    assert "Crash analysis" in page.locator("h1").inner_text()
    page.locator("#problem-map path.leaflet-interactive").first.wait_for()
    assert page.locator("form#save-crash button", has_text="Save to problem").count() == 0  # no open problem yet
    shot(page, "crash-01-page")
    page.goto(f"{live_server.url}/problems/candidates/")
    page.locator("#candidate-map-status").filter(has_text="2 candidates on the map").wait_for()
    paths = page.locator("#candidate-map path.leaflet-interactive")
    page.locator("#candidate-map[data-beats='1']").wait_for()  # the beats' outlines drawn under them
    assert page.locator("#candidate-map path[stroke='#9aa5b1']:not(.leaflet-interactive)").count() == 1
    assert paths.count() == 2
    assert {paths.nth(i).get_attribute("stroke") for i in range(2)} == {"#d55e00", "#e69f00"}
    paths.first.click(force=True)
    link = page.locator(".leaflet-popup-content a")
    link.wait_for()
    assert link.get_attribute("href") in {f"/problems/candidates/{c.pk}/" for c in data}
    shot(page, "crash-02-candidate-map")
    assert external == [], external[:3]
    assert csp == [], csp[:3]
