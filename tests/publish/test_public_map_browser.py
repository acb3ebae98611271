"""In a real browser, signed out: the public map loads Leaflet from copps, shows generalised points
at street zoom and the grid at city zoom, and filters; it fetches nothing from outside copps."""

from __future__ import annotations

import pytest
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_map_points_grid_and_filters(page, live_server, town):
    for i in range(30):
        town.event(category=["burglary", "larceny"][i % 2], days_ago=10 + i, at=i * 9, district="AB"[i % 2])
    town.event(kind="collision", category=None, days_ago=12, at=5)
    town.event(category="sex-offense", days_ago=11, at=77)  # never drawn
    external, console_errors = [], []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/public/")
    status = page.locator("#map-status")
    status.filter(has_text="mapped events").wait_for()
    assert page.locator("#map").get_attribute("data-markers") == "31"
    assert page.locator("#how-generalised").inner_text().startswith("How locations are generalised")
    shot(page, "publish-01-public-map")
    # zoom right out: the grid replaces the points
    for _ in range(4):
        page.click(".leaflet-control-zoom-out")
        page.wait_for_timeout(300)
    assert page.locator("#map").get_attribute("data-layer") == "grid"
    shot(page, "publish-02-public-map-grid")
    # zoom back in to street level: points again
    for _ in range(6):
        page.click(".leaflet-control-zoom-in")
        page.wait_for_timeout(300)
    assert page.locator("#map").get_attribute("data-layer") == "points"
    page.select_option("#id_kind", "collision")
    page.click("form.filters button[type=submit]")
    status.filter(has_text="mapped events").wait_for()
    assert page.locator("#map").get_attribute("data-markers") == "1"
    shot(page, "publish-03-public-map-collisions")
    assert external == [], f"the public map fetched from outside copps: {external[:3]}"
    assert console_errors == [], console_errors  # no script error, no Content Security Policy refusal
