"""A resident answers a survey and finds their beat officer on a phone-sized screen, in Spanish."""

from __future__ import annotations

from pathlib import Path

import pytest

from copps.community.engagement.models import SurveyResponse

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"engagement-{name}.png"), full_page=True)


@pytest.mark.browser
def test_phone_survey_and_beat_lookup(browser, live_server, survey, areas, gazetteer, officers):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="es-ES", extra_http_headers={"Accept-Language": "es"}
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/community/engage/surveys/{survey.pk}/")
        assert page.locator("html").get_attribute("lang") == "es"
        # nothing wider than the phone: no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.select_option("select[name=area]", str(areas["west"].pk))
        page.get_by_label("4", exact=True).check()
        page.get_by_label("Sí", exact=True).check()
        page.get_by_label("Speeding").check()
        shot(page, "survey-phone")
        page.get_by_role("button", name="Enviar mis respuestas").click()
        page.wait_for_selector("text=Sus respuestas han quedado registradas")
        assert SurveyResponse.objects.filter(survey=survey).count() == 1

        page.goto(f"{live_server.url}/community/engage/beat-officer/")
        page.fill("input[name=address]", "7520 Maple Ct")
        page.get_by_role("button", name="Buscar mi sector").click()
        page.wait_for_selector("text=Sector West Beat")
        assert page.locator("text=Officer Q. Z.").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(page, "beat-phone")

        # the switcher goes back to English
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("text=Who is my beat officer?")
    finally:
        context.close()
