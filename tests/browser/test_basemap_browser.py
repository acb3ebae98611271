"""In a real browser with no tile server (COPPS_TILE_URL unset, the demo's case): the public crime
map draws copps' own streets with their names, the search box moves the map to a typed address's
hundred block, "use my location" centres it without sending the position anywhere, and on a
390-px phone in Spanish a point clicked on the report map gets its hundred block before the
resident sends anything, and step two shows it again. Nothing is fetched from outside copps and
the Content-Security-Policy refuses nothing. Screenshots: tests/artifacts/basemap/."""

from __future__ import annotations

import pytest
from tests.browser.conftest import ARTIFACTS
from tests.community.conftest import services  # noqa: F401 (fixture)
from tests.publish.conftest import streets  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "basemap"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def view(page, selector: str) -> tuple[int, float, float]:
    zoom, lat, lon = page.locator(selector).get_attribute("data-view").split("/")
    return int(zoom), float(lat), float(lon)


def watch(page, live_server) -> tuple[list, list]:
    external, errors = [], []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return external, errors


def test_the_public_map_shows_named_streets_and_search_moves_it(page, live_server, streets, settings):  # noqa: F811
    settings.COPPS_TILE_URL = ""
    external, errors = watch(page, live_server)
    page.goto(f"{live_server.url}/public/")
    labels = page.locator("#map .street-label span")
    labels.filter(has_text="SUNRIDGE BLVD").first.wait_for(state="visible")
    names = set(labels.all_inner_texts())
    assert {"SUNRIDGE BLVD", "Maple Ct", "OAK ST"} <= names
    # the names sit inside the map's box, where a person sees them
    box = page.locator("#map").bounding_box()
    label = labels.filter(has_text="Maple Ct").first.bounding_box()
    assert box["x"] <= label["x"] and label["x"] + label["width"] <= box["x"] + box["width"] + 60
    assert int(page.locator("#map").get_attribute("data-basemap-streets")) == 3
    shot(page, "01-public-map-streets")
    before = view(page, "#map")
    page.fill("#map-q", "7512 Maple Ct")
    page.keyboard.press("Enter")
    status = page.locator("#map-search-status")
    status.filter(has_text="75XX MAPLE CT").wait_for()
    assert "7512" not in status.inner_text()
    page.wait_for_function("() => document.getElementById('map').dataset.view.startsWith('17/')")
    zoom, lat, lon = view(page, "#map")
    assert (zoom, lat, lon) != before
    assert abs(lat - 38.705) < 0.0002 and -121.274 < lon < -121.270  # the block's middle on Maple Ct
    shot(page, "02-public-map-searched")
    # a street name: several answers would be listed as buttons; one goes straight there
    page.fill("#map-q", "oak")
    page.click(".map-tools button.search")
    status.filter(has_text="OAK ST").wait_for()
    # "use my location": the browser's position centres the map and is sent nowhere
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 38.7071, "longitude": -121.2663})
    page.click(".map-tools button.locate")
    status.filter(has_text="not sent").wait_for()
    page.wait_for_function("() => document.getElementById('map').dataset.view.startsWith('16/38.7071')")
    assert not [u for u in asked if "38.707" in u or "121.266" in u], asked
    shot(page, "03-public-map-my-location")
    assert external == [], f"the map fetched from outside copps: {external[:3]}"
    assert errors == [], errors  # no script error, no Content-Security-Policy refusal


def test_a_point_clicked_on_the_report_map_gets_its_hundred_block_on_a_phone_in_spanish(
    browser, live_server, streets, services, settings  # noqa: F811
):
    settings.COPPS_TILE_URL = ""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    page = context.new_page()
    external, errors = watch(page, live_server)
    page.goto(f"{live_server.url}/es/community/report/")
    page.select_option("#id_service", str(services["GRAF"].pk))
    page.locator("#report-map .street-label span").first.wait_for(state="visible")
    page.fill("#report-map-q", "7512 Maple Ct")
    page.keyboard.press("Enter")
    page.wait_for_function("() => (document.getElementById('report-map').dataset.view || '').startsWith('17/')")
    box = page.locator("#report-map").bounding_box()  # the map's own centre: the block's middle
    page.locator("#report-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    shown = page.locator("#place-block")
    shown.filter(has_text="75XX MAPLE CT").wait_for()
    assert shown.inner_text().startswith("El lugar que marcó:")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "04-report-map-phone-es")
    page.click("#where-form button[type=submit]")
    page.wait_for_url("**/community/report/details/**")
    assert page.locator("#place-block").inner_text() == "75XX MAPLE CT"
    shot(page, "05-report-step-two-phone-es")
    assert external == [] and errors == [], (external[:3], errors)
    context.close()
