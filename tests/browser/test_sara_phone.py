"""The SARA workspace on a phone (390 x 844, an iPhone 12-14 in portrait): the dashboard, the
candidates list, a problem and its assessment fit the width (no sideways scrolling of the page;
wide tables scroll in their own box), and the main navigation and each page's primary buttons
stay on screen. Screenshots: tests/artifacts/sara-phone/."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from tests.browser.conftest import ARTIFACTS, shot
from tests.browser.test_sara_walkthrough import fill_assessment, signed_in, team  # noqa: F401 (the fixture)

from copps.accounts.models import User
from copps.problems.models import Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def assert_fits_the_phone(page, where: str, buttons: list[str]) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('.table-wrap, .leaflet-container'))
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
    )
    assert width[0] <= width[1] + 1, f"{where}: the page is {width[0]}px wide on a {width[1]}px phone: {wide}"
    assert page.locator("nav[aria-label=Main]").is_visible(), f"{where}: main navigation hidden"
    for selector in buttons:
        button = page.locator(selector).first
        assert button.is_visible(), f"{where}: {selector} hidden"
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width[1] + 1, f"{where}: {selector} off screen: {box}"


def test_sara_pages_fit_a_phone(browser, live_server, team):  # noqa: F811 (the fixture)
    truth = team
    (ARTIFACTS / "sara-phone").mkdir(parents=True, exist_ok=True)
    call_command("candidates", "--permutations", "19", verbosity=0)
    problem = Problem.objects.create(
        title="Thefts at the commercial corner",
        summary="Thefts from cars at the corner, evenings.",
        polygon=truth["intervention"]["target"]["polygon"],
        stage="assessment",
        created_by=User.objects.get(username="analyst"),
        owner=User.objects.get(username="officer"),
    )
    page = signed_in(browser, live_server, "analyst")
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/problems/dashboard/")
    page.locator("#hotspot-map[data-loaded='1']").wait_for()
    shot(page, "sara-phone/01-dashboard")
    assert_fits_the_phone(page, "dashboard", ["form.filters button[type=submit]"])

    page.goto(f"{live_server.url}/problems/candidates/")
    shot(page, "sara-phone/02-candidates")
    assert_fits_the_phone(page, "candidates", ["text=Scan now"])

    page.goto(f"{live_server.url}/problems/{problem.pk}/")
    shot(page, "sara-phone/03-problem")
    assert_fits_the_phone(page, "problem", ["form[action$='/stage/'] button[type=submit]"])

    page.goto(f"{live_server.url}/problems/{problem.pk}/assessments/new/")
    shot(page, "sara-phone/04-assessment-form")
    assert_fits_the_phone(page, "assessment form", ["form.stacked button[type=submit]"])
    fill_assessment(page, truth)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(rf".*/problems/{problem.pk}/assessments/\d+/$"))
    shot(page, "sara-phone/05-assessment")
    assert_fits_the_phone(page, "assessment", [])
