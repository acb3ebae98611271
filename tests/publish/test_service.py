"""Public service figures: by kind of request and district, from copps.community.service_levels,
with groups below k hidden (and one more where the total would give a hidden one away)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from copps.community.models import Service, ServiceRequest, StateChange


@pytest.fixture
def requests(town):
    graffiti = Service.objects.create(service_code="GRAF", name="Graffiti")
    lights = Service.objects.create(service_code="LITE", name="Street light out")
    now = timezone.now()

    def make(service, district, n, *, fixed=0, ack_h=2.0, close_days=3.0):
        for i in range(n):
            at = now - timedelta(days=30 + i)
            state = "closed_fixed" if i < fixed else "closed_not_fixed"
            r = ServiceRequest.objects.create(
                service=service,
                district=town.districts[district],
                requested_at=at,
                updated_at=at,
                state=state,
                description=f"CANARY-REQ-{district}-{i}",
                reporter_email=f"canary{i}@example.org",
                reporter_first_name="CANARY-FIRST",
                reporter_phone="CANARY-RPHONE",
                address=f"{5500 + i} OAK ST",
            )
            StateChange.objects.create(
                request=r, at=at + timedelta(hours=ack_h), from_state="received", to_state="acknowledged"
            )
            StateChange.objects.create(
                request=r, at=at + timedelta(days=close_days), from_state="acknowledged", to_state=state
            )

    make(graffiti, "A", 20, fixed=15)
    make(graffiti, "B", 12, fixed=6, ack_h=10, close_days=5)
    make(lights, "A", 14, fixed=14)
    make(lights, "B", 3, fixed=3)  # below k: hidden, and district A's lights with it


def _rows(client):
    return {(r["category"], r["area"]): r for r in client.get(reverse("publish:public_api:service")).json()["areas"]}


def test_figures_by_kind_of_request_and_district(client, requests):
    rows = _rows(client)
    a = rows[("Graffiti", "North")]
    assert (a["requests"], a["acknowledged"], a["closed"], a["closed_fixed"]) == (20, 20, 20, 15)
    assert a["acknowledge_median_h"] == pytest.approx(2.0) and a["close_median_days"] == pytest.approx(3.0)
    assert a["fixed_percent"] == 75.0 and a["fixed_lower"] < 75.0 < a["fixed_upper"]
    assert rows[("Graffiti", "South")]["acknowledge_median_h"] == pytest.approx(10.0)
    assert rows[("Graffiti", "All areas")]["requests"] == 30  # 32, to the nearest 5


def test_small_groups_are_hidden_with_a_second_one_so_the_total_gives_nothing_away(client, requests):
    rows = _rows(client)
    assert rows[("Street light out", "South")]["requests"] is None
    assert rows[("Street light out", "North")]["requests"] is None  # secondary suppression
    assert rows[("Street light out", "All areas")]["requests"] == 15  # 17, to the nearest 5


def test_service_page_shows_no_reporter_or_request_text(client, requests):
    html = client.get(reverse("publish:service")).content.decode()
    assert "Graffiti" in html and "75%" in html
    assert "CANARY" not in html.upper() and "example.org" not in html and "55" + "00 OAK" not in html


def test_requests_filed_into_a_hidden_row_do_not_give_it_away(client, town):
    """Issue 13, item 10 (C10): South has four street-light requests, fewer than k = 10. Someone
    files six more and follows them (closed, not fixed) on the track page; the row is then shown.
    With exact counts, subtracting the six gave the four away (3 or 4 of them fixed); now both
    truths publish the same row."""
    lights = Service.objects.create(service_code="LITE", name="Street light out")
    now = timezone.now()
    published = []
    for hidden_fixed in (3, 4):
        ServiceRequest.objects.all().delete()
        outcomes = ["closed_fixed"] * hidden_fixed + ["closed_not_fixed"] * (4 - hidden_fixed)
        outcomes += ["closed_not_fixed"] * 6  # the six filed to move the row
        for i, state in enumerate(outcomes):
            at = now - timedelta(days=30 + i)
            r = ServiceRequest.objects.create(
                service=lights, district=town.districts["B"], requested_at=at, updated_at=at, state=state
            )
            StateChange.objects.create(
                request=r, at=at + timedelta(hours=2), from_state="received", to_state="acknowledged"
            )
            StateChange.objects.create(request=r, at=at + timedelta(days=3), from_state="acknowledged", to_state=state)
        rows = _rows(client)
        assert rows[("Street light out", "South")]["requests"] == 10  # shown: the attack got this far
        published.append(rows)
    assert published[0] == published[1]
