"""Service-level figures over a request queryset, checked against times worked out by hand, and
the staff page that shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.conftest import sign_in

from copps.analysis.intervals import proportion
from copps.community.models import ServiceRequest
from copps.community.service_levels import ALL_AREAS, NO_AREA, service_levels
from copps.community.states import advance

pytestmark = pytest.mark.django_db


def aged(make_request, beats, *, beat="west", **fields):
    start = timezone.now() - timedelta(days=10)
    area = {"beat": beats[beat], "district": beats["district"]} if beat else {}
    return make_request(requested_at=start, updated_at=start, **area, **fields), start


def test_times_counts_and_fixed_share_match_a_hand_count(services, beats, make_request):
    a, t0 = aged(make_request, beats)
    advance(a, "acknowledged", at=t0 + timedelta(hours=2))
    advance(a, "in_progress", at=t0 + timedelta(hours=5))
    advance(a, "closed_fixed", at=t0 + timedelta(hours=30))
    b, t0 = aged(make_request, beats)
    advance(b, "in_progress", at=t0 + timedelta(hours=4))  # acknowledged and acted at once
    advance(b, "closed_not_fixed", reason="Private land", at=t0 + timedelta(hours=10))
    advance(b, "reopened", at=t0 + timedelta(hours=20))
    advance(b, "closed_fixed", at=t0 + timedelta(hours=50))  # the final close counts
    c, t0 = aged(make_request, beats)
    advance(c, "referred", agency="Parks", at=t0 + timedelta(hours=1))
    advance(c, "closed_not_fixed", reason="Not ours", at=t0 + timedelta(hours=6))
    aged(make_request, beats)  # still waiting: counted, no times
    aged(make_request, beats, beat=None)  # no area
    aged(make_request, beats, service="NOIS")  # another category

    rows = {(r.category, r.area): r for r in service_levels(ServiceRequest.objects.all())}
    north = rows[("Graffiti", "North")]
    assert (north.requests, north.acknowledged, north.acted, north.closed) == (4, 3, 3, 3)
    assert north.acknowledge_median_h == 2.0 and north.acknowledge_p90_h == 4.0  # of 1, 2, 4
    assert north.action_median_h == 4.0 and north.action_p90_h == 5.0  # of 1, 4, 5
    assert north.close_median_h == 30.0 and north.close_p90_h == 50.0  # of 6, 30, 50
    assert (north.closed_fixed, north.closed_not_fixed) == (2, 1)
    interval = proportion(2, 3)
    assert north.fixed_share == round(2 / 3, 4) and (north.fixed_low, north.fixed_high) == (
        round(interval.low, 4),
        round(interval.high, 4),
    )
    assert rows[("Graffiti", NO_AREA)].requests == 1
    assert rows[("Graffiti", ALL_AREAS)].requests == 5
    assert rows[("Noise", "North")].requests == 1 and rows[("Noise", "North")].fixed_share is None
    by_beat = {(r.category, r.area) for r in service_levels(ServiceRequest.objects.all(), by="beat", totals=False)}
    assert ("Graffiti", "A1") in by_beat and ("Graffiti", ALL_AREAS) not in by_beat


def test_the_computation_takes_two_queries_whatever_the_size(services, beats, make_request, django_assert_num_queries):
    def graffiti_in_north(count: int):
        for _ in range(count):
            sr, t0 = aged(make_request, beats)
            advance(sr, "closed_fixed", at=t0 + timedelta(hours=3))
        with django_assert_num_queries(2):
            rows = {(r.category, r.area): r for r in service_levels(ServiceRequest.objects.all())}
        return rows[("Graffiti", "North")]

    one = graffiti_in_north(1)
    assert (one.requests, one.closed_fixed, one.close_median_h) == (1, 1, 3.0)
    many = graffiti_in_north(14)
    assert (many.requests, many.closed, many.closed_fixed, many.fixed_share) == (15, 15, 15, 1.0)


def test_the_staff_page_shows_the_figures(services, beats, make_request, client, cast):
    sr, t0 = aged(make_request, beats)
    advance(sr, "closed_fixed", at=t0 + timedelta(hours=3))
    sign_in(client, cast["analyst"])
    response = client.get("/community/staff/service-levels/", {"days": "30", "by": "beat"})
    body = response.content.decode()
    assert response.status_code == 200 and "Graffiti" in body and "A1" in body and "3.0 / 3.0" in body
    assert "100% (" in body
