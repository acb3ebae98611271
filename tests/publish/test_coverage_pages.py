"""Public CompStat and trends compare only months the data covers in full, and every public page
with counts says when the data ends. Seen: the demo city ended on 31 December, one day of it fell
in January, and the public CompStat compared that January with a full one: "−100%, significant"
for every category."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.publish.test_trends import _days_ago, _months_back, _next_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_day_into_a_month(town):
    """14 published months of burglaries spread over each month (20 a month); the data ends on
    the first day of the latest published month, which therefore holds one day of data."""
    months = _months_back(14)
    for m in months[:-1]:
        for i in range(20):
            town.event(category="burglary", days_ago=_days_ago(m, 1 + i * 27 // 20), district="A", at=i)
        town.event(category="burglary", days_ago=_days_ago(m, 28), district="A", at=30)
    for i in range(3):  # the single day of the latest month
        town.event(category="burglary", days_ago=_days_ago(months[-1], 1), district="A", at=40 + i)
    town.publish()
    return months


def test_public_compstat_does_not_compare_a_month_holding_one_day(client, one_day_into_a_month):
    months = one_day_into_a_month
    doc = client.get(reverse("publish:public_api:trends"), {"area": "city", "kind": "crime"}).json()
    # the latest month shown is the last one the data covers in full
    assert doc["months"][-1] == months[-2] and months[-1] not in doc["months"]
    burglary = next(r for r in doc["rows"] if r["category"] == "Burglary")
    month = burglary["month"]
    assert month["now"] == 21 and month["before"] == 21 and month["status"] == ""
    assert not month["significant"] and month["percent"] == 0.0
    html = client.get(reverse("publish:compstat"), {"area": "city"}).content.decode()
    assert "−100%" not in html and "-100%" not in html and "significant</strong>" not in html
    assert f"The latest published month ({months[-2]})" in html
    # the data ends on the first day of the latest month: the day before is the last complete one
    assert f"Data from {months[0]}-01 to {months[-2]}-" in html


def test_a_comparison_with_a_year_the_data_holds_in_part_is_not_made(client, one_day_into_a_month):
    months = one_day_into_a_month
    doc = client.get(reverse("publish:public_api:trends"), {"area": "city", "kind": "crime"}).json()
    burglary = next(r for r in doc["rows"] if r["category"] == "Burglary")
    # year to date against the same months a year before: the data starts with the same month a
    # year before the latest, so the earlier months of last year's year to date are not in it
    ytd = burglary["ytd"]
    assert ytd["status"] == ("" if months[-2].endswith("-01") else "partial")
    assert ytd["significant"] is False
    # the 12 months before the last 12: only the first of them is in the data
    assert burglary["year"]["status"] == "partial" and burglary["year"]["p"] is None
    html = client.get(reverse("publish:trends"), {"area": "city"}).content.decode()
    assert "partial data" in html and "Only whole months the data covers are compared" in html
    spanish = client.get(reverse("publish:trends"), {"area": "city"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "datos parciales" in spanish and "Datos del" in spanish and "Data from" not in spanish


def test_the_public_map_says_when_the_data_ends(client, one_day_into_a_month):
    months = one_day_into_a_month
    html = client.get(reverse("publish:map")).content.decode()
    assert f"Data from {months[0]}-01 to {months[-2]}-" in html


def test_no_data_yet_is_said(client, town):
    html = client.get(reverse("publish:compstat")).content.decode()
    assert "No data has been published yet." in html


def test_next_month_helper():
    assert _next_month("2025-12") == "2026-01" and _next_month("2026-01") == "2026-02"
