"""A resident's whole visit (issue 18), in English and Spanish, on a desktop and a 390-px phone:
the home page → crime near my address on copps' own base map (street names drawn) → report a
concern by clicking the map (its hundred block shown) → follow a report already made → alerts
near my address → an anonymous tip (the page stays in the chosen language) → a public problem
page. Every page fits the screen, axe finds no serious violation, nothing is fetched from outside
copps. Screenshots: tests/artifacts/resident/."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.browser.axe import audit
from tests.browser.conftest import ARTIFACTS
from tests.community.conftest import services  # noqa: F401 (fixture)
from tests.community.engagement.conftest import areas  # noqa: F401 (fixture)
from tests.publish.conftest import streets  # noqa: F401 (fixture)

from copps.community.engagement.models import Subscription
from copps.community.models import ServiceRequest, Tip
from copps.problems.models import Problem

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "resident"
WORDS = {
    "en": {"map": "Crime near you", "report": "Report a concern", "tip": "Give an anonymous tip",
           "marked": "The place you marked:",
           "shown": "mapped events, shown at their generalised map points.",
           "follow": "Follow this report", "check": "Check your e-mail",
           "subscribe": "Subscribe"},
    "es": {"map": "El delito cerca de usted", "report": "Avisar de un problema", "tip": "Hacer una denuncia anónima",
           "marked": "El lugar que marcó:",
           "shown": "hechos en el mapa, mostrados en sus puntos generalizados del mapa.",
           "follow": "Seguir este aviso", "check": "Revise su correo",
           "subscribe": "Suscribirme"},
}
SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def neighbourhood(areas, streets, services):  # noqa: F811
    now = timezone.now()
    already = ServiceRequest.objects.create(
        service=services["GRAF"], lat=38.7051, lon=-121.2722, address="7530 Maple Ct", requested_at=now,
        updated_at=now,
    )
    problem = Problem.objects.create(
        title="Car break-ins on Maple Court", title_es="Robos de autos en Maple Court", public=True,
        stage="response", summary="Cars broken into at night.", summary_es="Autos forzados de noche.",
    )
    return already, problem


@pytest.mark.parametrize("screen", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_residents_visit(browser, live_server, settings, neighbourhood, language, screen):
    already, problem = neighbourhood
    settings.COPPS_TILE_URL = ""
    settings.COPPS_SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    words, prefix, tag = WORDS[language], ("/es" if language == "es" else ""), f"{language}-{screen}"
    context = browser.new_context(viewport=SCREENS[screen], locale=language,
                                  extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    external, audits = [], []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)

    def check(where: str) -> None:
        assert page.locator("html").get_attribute("lang") == language, (where, page.url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SCREENS[screen]["width"], (where, width)
        audits.append(audit(page, f"{where} ({tag})"))

    try:
        # 1. the front door, then "crime near you"; my address on the base map
        page.goto(f"{live_server.url}{prefix}/")
        check("home")
        page.locator("main").get_by_role("link", name=words["map"]).click()
        page.wait_for_url("**/public/")
        page.locator("#map .street-label span").first.wait_for(state="visible")
        page.fill("#map-q", "7512 Maple Ct")
        page.keyboard.press("Enter")
        page.locator("#map-search-status").filter(has_text="75XX MAPLE CT").wait_for()
        page.wait_for_function("() => document.getElementById('map').dataset.view.startsWith('17/')")
        assert "Maple Ct" in page.locator("#map .street-label span").all_inner_texts()
        page.locator("#map-status").filter(has_text=words["shown"]).wait_for()  # the map's own words too
        check("crime map")
        shot(page, f"{tag}-1-map-near-my-address")

        # 2. report a concern by clicking the map: the hundred block before anything is sent
        page.goto(f"{live_server.url}{prefix}/")
        page.locator("main").get_by_role("link", name=words["report"]).click()
        page.wait_for_url("**/community/report/")
        page.select_option("#id_service", str(already.service.pk))
        page.locator("#report-map .street-label span").first.wait_for(state="visible")
        page.fill("#report-map-q", "7512 Maple Ct")
        page.keyboard.press("Enter")
        page.wait_for_function("() => (document.getElementById('report-map').dataset.view || '').startsWith('17/')")
        box = page.locator("#report-map").bounding_box()
        page.locator("#report-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.locator("#place-block").filter(has_text="75XX MAPLE CT").wait_for()
        assert page.locator("#place-block").inner_text().startswith(words["marked"])
        check("report map")
        shot(page, f"{tag}-2-report-block")

        # 3. the concern was already reported: follow it instead
        page.goto(f"{live_server.url}{prefix}/community/engage/follow/{already.public_id}/")
        page.fill("input[name=email]", f"follow-{tag}@example.org")
        check("follow")
        page.get_by_role("button", name=words["follow"]).click()
        page.wait_for_selector(f"text={words['check']}")
        assert Subscription.objects.filter(request=already, email=f"follow-{tag}@example.org").exists()

        # 4. alerts near my address
        page.goto(f"{live_server.url}{prefix}/community/engage/subscribe/near/")
        page.fill("input[name=email]", f"near-{tag}@example.org")
        page.fill("input[name=address]", "7512 Maple Ct")
        page.locator("input[name=radius_m][value='800']").check()
        check("alerts near home")
        page.get_by_role("button", name=words["subscribe"]).click()
        page.wait_for_selector(f"text={words['check']}")
        assert Subscription.objects.get(email=f"near-{tag}@example.org").place == "75XX MAPLE CT"
        shot(page, f"{tag}-3-alerts-requested")

        # 5. an anonymous tip: the tip pages drop every cookie, the language stays
        page.goto(f"{live_server.url}{prefix}/")
        page.locator("main").get_by_role("link", name=words["tip"]).click()
        page.wait_for_url("**/community/tip/")
        check("tip form")
        page.select_option("#id_topic", "drugs")
        page.fill("#id_message", "Cars stop at the blue house for two minutes at a time after 10pm.")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        tip_id = page.locator("#tip-id").inner_text().strip()
        assert Tip.objects.filter(public_id=tip_id).exists()
        check("tip sent")
        shot(page, f"{tag}-4-tip-sent")

        # 6. a problem being worked on, in the visitor's language
        page.goto(f"{live_server.url}{prefix}/public/problems/{problem.pk}/")
        title = problem.title_es if language == "es" else problem.title
        assert page.locator("h1").inner_text() == title
        check("problem page")
        shot(page, f"{tag}-5-problem")
    finally:
        context.close()
    assert external == [], f"fetched from outside copps: {external[:3]}"
    failed = [a for a in audits if a]
    assert not failed, "axe: serious violations on\n" + "\n".join(failed)
