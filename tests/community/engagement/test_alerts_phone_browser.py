"""Alerts near home and "Follow this report" on a 390-px phone, in Spanish and in English: no
sideways scrolling, touch targets of at least 24 px, and the forms work by touch."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from copps.community.engagement.models import Subscription
from copps.community.models import Service, ServiceRequest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
WIDTH = 390


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"alerts-{name}.png"), full_page=True)


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    small = page.evaluate(
        """() => [...document.querySelectorAll('main input:not([type=hidden]), main button, main select')]
              .map(e => e.getBoundingClientRect())
              .filter(r => r.width > 0 && (r.height < 24 || r.width < 24)).length"""
    )
    assert small == 0


@pytest.fixture
def open_request(areas):
    service = Service.objects.create(service_code="GRAF", name="Graffiti")
    now = timezone.now()
    return ServiceRequest.objects.create(
        service=service, lat=38.71, lon=-121.29, address="7534 Maple Ct", requested_at=now, updated_at=now
    )


@pytest.mark.browser
@pytest.mark.parametrize("language", ["es", "en"])
def test_phone_alerts_near_home_and_follow(browser, live_server, settings, gazetteer, open_request, language):
    settings.COPPS_SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 800}, locale=language, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    words = {
        "es": ("Suscribirme", "Revise su correo", "Seguir este aviso"),
        "en": ("Subscribe", "Check your e-mail", "Follow this report"),
    }[language]
    prefix = "/es" if language == "es" else ""  # English is the unprefixed default
    try:
        page.goto(f"{live_server.url}{prefix}/community/engage/subscribe/near/")
        assert page.locator("html").get_attribute("lang") == language
        fits(page)
        page.fill("input[name=email]", "phone@example.org")
        page.fill("input[name=address]", "7512 Maple Ct")
        page.locator("input[name=radius_m][value='400']").check()
        page.locator("input[name=frequency][value='daily']").check()
        shot(page, f"near-{language}")
        page.get_by_role("button", name=words[0]).click()
        page.wait_for_selector(f"text={words[1]}")
        sub = Subscription.objects.get(email="phone@example.org")
        assert sub.radius_m == 400 and sub.frequency == "daily" and sub.place == "75XX MAPLE CT"
        assert len(mail.outbox) == 1

        page.goto(f"{live_server.url}{prefix}/community/engage/follow/{open_request.public_id}/")
        fits(page)
        assert page.locator("text=75XX MAPLE CT").is_visible()
        page.fill("input[name=email]", "follower@example.org")
        shot(page, f"follow-{language}")
        page.get_by_role("button", name=words[2]).click()
        page.wait_for_selector(f"text={words[1]}")
        assert Subscription.objects.filter(request=open_request, email="follower@example.org").exists()
    finally:
        context.close()
