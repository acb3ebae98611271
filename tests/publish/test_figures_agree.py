"""The public CompStat table and the service figures agree with the rows they come from: each
figure recomputed here from the stored events and requests, with scipy as the oracle (not the
code under test), and a figure the records cannot support is said to be "not recorded", never 0."""

from __future__ import annotations

import calendar
import html
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from scipy.stats import binomtest
from tests.publish.test_trends import history  # noqa: F401 (fixture)

from copps.community.engagement.results import round5
from copps.community.models import Service, ServiceRequest, StateChange
from copps.incidents.models import Event

pytestmark = pytest.mark.django_db


def _days(month: str) -> int:
    return calendar.monthrange(int(month[:4]), int(month[5:]))[1]


def _signed(value: float) -> str:
    n = round(value)
    return f"+{n}" if n > 0 else str(n)


def _row(body: str, category: str) -> list[str]:
    match = re.search(rf'<th scope="row">{re.escape(category)}</th>(.*?)</tr>', body, re.S)
    assert match, category
    return [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c))).strip()
            for c in re.findall(r"<td>(.*?)</td>", match[1], re.S)]


def test_compstat_month_figures_are_recomputed_from_the_events(client, history):  # noqa: F811
    body = client.get(reverse("publish:compstat"), {"area": "city", "kind": "crime"}).content.decode()
    monthly = Counter(
        timezone.localtime(e.occurred_from).strftime("%Y-%m")
        for e in Event.objects.filter(category__code="burglary")
    )
    last, year_before = history[-1], history[0]
    now, before = monthly[last], monthly[year_before]
    cells = _row(body, "Burglary")
    assert cells[0] == str(now) and cells[1] == str(before)
    # the exact Poisson rate-ratio test: now ~ Binomial(now + before, e_now / (e_now + e_before))
    e_now, e_before = _days(last), _days(year_before)
    test = binomtest(now, now + before, e_now / (e_now + e_before))
    ratio = (now / e_now) / (before / e_before)
    ci = test.proportion_ci(confidence_level=0.95, method="exact")
    to_ratio = lambda q: q / (1 - q) * e_before / e_now  # noqa: E731
    low, high = 100 * (to_ratio(ci.low) - 1), 100 * (to_ratio(ci.high) - 1)
    p_text = "p < 0.001" if test.pvalue < 0.001 else f"p = {test.pvalue:.2g}"
    expected = f"{_signed(100 * (ratio - 1))}% (95% CI {_signed(low)}% to {_signed(high)}%, {p_text}) significant"
    assert cells[2] == expected
    assert "p = <" not in html.unescape(body)


@pytest.fixture
def service_rows(town):
    """Graffiti in district A with its history of states; street lights in district A imported
    closed with no history at all (what an Open311 import without state changes leaves)."""
    graffiti = Service.objects.create(service_code="GRAF", name="Graffiti")
    lights = Service.objects.create(service_code="LITE", name="Street light out")
    now = timezone.now()
    for i in range(23):
        at = now - timedelta(days=30 + i)
        state = "closed_fixed" if i < 17 else "closed_not_fixed" if i < 21 else "acknowledged"
        r = ServiceRequest.objects.create(service=graffiti, district=town.districts["A"], requested_at=at,
                                          updated_at=at, state=state, description="x")
        StateChange.objects.create(request=r, at=at + timedelta(hours=3), from_state="received",
                                   to_state="acknowledged")
        if state != "acknowledged":
            StateChange.objects.create(request=r, at=at + timedelta(days=2), from_state="acknowledged", to_state=state)
    for i in range(33):
        at = now - timedelta(days=30 + i)
        ServiceRequest.objects.create(service=lights, district=town.districts["A"], requested_at=at, updated_at=at,
                                      state="closed_fixed", description="y")
    return graffiti, lights


def test_service_figures_are_recomputed_from_the_requests(client, service_rows):
    body = client.get(reverse("publish:service")).content.decode()
    graffiti = ServiceRequest.objects.filter(service__service_code="GRAF")
    requests = graffiti.count()
    acknowledged = StateChange.objects.filter(request__in=graffiti, from_state="received").count()
    closed = graffiti.filter(state__in=["closed_fixed", "closed_not_fixed"]).count()
    fixed = graffiti.filter(state="closed_fixed").count()
    ci = binomtest(round5(fixed), round5(closed)).proportion_ci(confidence_level=0.95, method="wilson")
    match = re.search(r"<tr[^>]*><td>Graffiti</td><th scope=\"row\">All areas</th>(.*?)</tr>", body, re.S)
    assert match
    row = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", match[1], re.S)]
    assert row[0] == str(round5(requests)) and row[1] == str(round5(acknowledged))
    assert row[2] == "3.0 hours" and row[3] == str(round5(closed)) and row[4] == "2.0 days"
    share = 100 * round5(fixed) / round5(closed)
    assert row[5] == f"{round5(fixed)} ({share:.0f}%, 95% CI {100 * ci.low:.0f}–{100 * ci.high:.0f}%)"


def test_with_no_recorded_history_acknowledged_is_not_recorded_rather_than_zero(client, service_rows):
    body = client.get(reverse("publish:service")).content.decode()
    match = re.search(r"<tr[^>]*><td>Street light out</td><th scope=\"row\">All areas</th>(.*?)</tr>", body, re.S)
    assert match
    row = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", match[1], re.S)]
    lights = ServiceRequest.objects.filter(service__service_code="LITE")
    assert row[0] == str(round5(lights.count()))
    assert row[1] == "not recorded" and row[2] == "—"
    # closed and fixed rest on the requests' current state, so they agree with each other
    assert row[3] == str(round5(lights.filter(state="closed_fixed").count())) and row[5].startswith("35 (100%")
    assert "changes of state recorded for each request" in body
    doc = client.get(reverse("publish:public_api:service")).json()
    api = next(r for r in doc["areas"] if r["category"] == "Street light out" and r["area"] == "All areas")
    assert api["acknowledged"] is None and api["acknowledged_recorded"] is False and api["closed"] == 35
