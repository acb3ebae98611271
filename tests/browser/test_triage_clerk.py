"""Triage at city scale in a real browser: a clerk filters the queue by beat, ticks three
requests and routes them to the POP unit at once, then replies to one with a reply template; an
auditor verifies the audit chain from the menu. axe finds no serious violation. Screenshots:
tests/artifacts/triage/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from tests.browser.axe import audit
from tests.browser.conftest import ARTIFACTS, shot, sign_in
from tests.conftest import PASSWORD

from copps.community.models import ReplyTemplate, RequestReply, Service, ServiceRequest
from copps.incidents.models import Area

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEST = [[-121.30, 38.70], [-121.28, 38.70], [-121.28, 38.72], [-121.30, 38.72], [-121.30, 38.70]]
EAST = [[-121.28, 38.70], [-121.26, 38.70], [-121.26, 38.72], [-121.28, 38.72], [-121.28, 38.70]]


@pytest.fixture
def queue(django_user_model):
    for role in ("officer", "auditor"):
        django_user_model.objects.create_user(username=role, password=PASSWORD, role=role)
    west = Area.objects.create(type="beat", code="A1", name="A1", geometry={"type": "Polygon", "coordinates": [WEST]},
                               min_lon=-121.30, min_lat=38.70, max_lon=-121.28, max_lat=38.72)
    east = Area.objects.create(type="beat", code="A2", name="A2", geometry={"type": "Polygon", "coordinates": [EAST]},
                               min_lon=-121.28, min_lat=38.70, max_lon=-121.26, max_lat=38.72)
    graf = Service.objects.create(service_code="GRAF", name="Graffiti")
    ReplyTemplate.objects.create(name="Crew scheduled", body_en="A crew is scheduled this week.",
                                 body_es="Hay una cuadrilla programada esta semana.")
    now = timezone.now()
    made = {"A1": [], "A2": []}
    for i in range(8):
        beat, lon = (west, -121.29) if i % 2 == 0 else (east, -121.27)
        at = now - timedelta(days=10 - i)
        made[beat.code].append(ServiceRequest.objects.create(
            service=graf, beat=beat, lat=38.71, lon=lon, description=f"Tag number {i}",
            block_address="75XX MAPLE CT", requested_at=at, updated_at=at, reporter_email=f"r{i}@example.org",
            language="es" if i == 0 else "en",
        ))
    return made


def test_a_clerk_filters_bulk_routes_and_replies_and_an_auditor_verifies(browser, live_server, queue):
    (ARTIFACTS / "triage").mkdir(parents=True, exist_ok=True)
    problems = []
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server, "officer")
    page.locator("nav[aria-label=Main] a", has_text="Triage").click()
    page.wait_for_url(re.compile(r".*/community/staff/$"))
    page.select_option("#id_beat", "A1")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*beat=A1.*"))
    assert page.locator("#request-count").inner_text().startswith("4 requests match")
    page.locator("#queue-map-panel summary").click()
    page.locator("#map-status").filter(has_text="4 of the 4 requests with a location").wait_for()
    problems.append(audit(page, "triage queue filtered by beat"))
    shot(page, "triage/01-queue-beat-A1")

    picked = [sr.public_id for sr in queue["A1"][:3]]
    for public_id in picked:
        page.check(f"#pick-{public_id}")
    page.select_option("#id_bulk", "route")
    page.select_option("#bulk-actions #id_to", "pop")
    page.click("#bulk-actions button[type=submit]")
    page.locator("p.message", has_text="3 requests routed.").wait_for()
    assert "beat=A1" in page.url  # back to the same filtered queue
    shot(page, "triage/02-three-routed")
    assert sorted(ServiceRequest.objects.filter(routed_to="pop").values_list("public_id", flat=True)) == sorted(picked)

    page.click(f"a[href='/community/staff/requests/{picked[0]}/']")
    page.locator("#request-map").wait_for()
    page.select_option("#reply-form select[name=template]", label="Crew scheduled")
    page.click("#reply-form button[type=submit]")
    page.locator("p.message", has_text="Reply sent and e-mailed to the reporter.").wait_for()
    problems.append(audit(page, "request page"))
    shot(page, "triage/03-replied-with-template")
    # the first request's reporter wrote in Spanish: the template went out in Spanish
    assert RequestReply.objects.get().body == "Hay una cuadrilla programada esta semana."

    auditor = browser.new_context().new_page()
    sign_in(auditor, live_server, "auditor")
    auditor.locator("nav[aria-label=Main] a", has_text="Audit chain").click()
    auditor.locator("#chain-result", has_text="Intact.").wait_for()
    problems.append(audit(auditor, "audit chain"))
    shot(auditor, "triage/04-audit-chain")
    problems = [p for p in problems if p]
    assert not problems, "axe: serious accessibility violations on\n" + "\n".join(problems)
