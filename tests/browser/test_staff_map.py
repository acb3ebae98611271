"""In a real browser: a staff member signs in, sees events on the Leaflet map (served by copps,
no CDN), and filters the table by area — on a desktop and on a phone-width screen."""

from __future__ import annotations

import re

import pytest
from tests.browser.conftest import shot, sign_in
from tests.conftest import PASSWORD

from copps.incidents.models import Area, Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analyst(chicago, django_user_model):
    django_user_model.objects.create_user(username="analyst", password=PASSWORD, role="analyst")


def test_sign_in_map_and_filtered_table(page, live_server, analyst):
    external, csp_violations = [], []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, live_server, "analyst", start="/",
            # "/" is the residents' home: staff follow its header's sign-in link
            on_sign_in_page=lambda p: p.click("header a.staff-link"))
    # an analyst starts on the dashboard; the map is one click away in the menu
    page.wait_for_url(re.compile(r".*/problems/dashboard/"))
    page.locator("nav[aria-label=Main] a", has_text="Map").click()
    page.wait_for_url(re.compile(r".*/events/map/"))
    status = page.locator("#map-status")
    status.filter(has_text="events with a location").or_(status.filter(has_text="most recent")).wait_for()
    # markers are drawn on a canvas: the map reports how many it drew
    assert page.locator("#map canvas").count() >= 1
    assert int(page.locator("#map").get_attribute("data-markers")) == min(
        Event.objects.filter(lat__isnull=False).count(), 5000
    )
    shot(page, "foundation-01-map")
    assert external == [], f"the page fetched from outside copps: {external[:3]}"
    assert csp_violations == [], f"the page broke its Content-Security-Policy: {csp_violations[:3]}"

    beat = Area.objects.get(type="beat", code="1533")
    page.goto(f"{live_server.url}/events/")
    page.select_option("#id_area", str(beat.pk))
    page.select_option("#id_kind", "crime")
    page.click("form.filters button[type=submit]")
    expected = Event.objects.filter(beat=beat).count()
    page.locator("p.count").filter(has_text=f"{expected} events").wait_for()
    assert page.locator("table.events tbody tr").count() == min(expected, 50)
    shot(page, "foundation-02-table-beat-1533")

    page.click("text=show on the map")
    page.locator("#map-status").filter(
        has_text=f"{Event.objects.filter(beat=beat, lat__isnull=False).count()} events"
    ).wait_for()
    assert int(page.locator("#map").get_attribute("data-markers")) == Event.objects.filter(beat=beat).count()


def test_phone_width_table_is_usable(browser, live_server, analyst):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, "analyst", start="/",
            # "/" is the residents' home: staff follow its header's sign-in link
            on_sign_in_page=lambda p: p.click("header a.staff-link"))
    page.goto(f"{live_server.url}/events/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert page.locator("button[type=submit]").first.bounding_box()["height"] >= 44
    shot(page, "foundation-03-phone-table")
    context.close()
