"""Trend dashboards and the public CompStat table: monthly counts by category for the city, a
district or a beat, changes against last year with interval and p, small counts still hidden."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from copps.publish.counts import complete_months
from copps.publish.pipeline import cutoff


def _months_back(n: int) -> list[str]:
    """The last n complete published months, oldest first."""
    cut = cutoff()
    return complete_months(f"{cut.year - 3}-01", cut)[-n:]


def _days_ago(month: str, day: int) -> int:
    return (timezone.localdate() - date(int(month[:4]), int(month[5:]), day)).days


def _next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def covered_through(town, month: str) -> None:
    """An event on the first day after ``month``: the data then covers ``month`` to its last day
    (the day of the latest event counts as partial, so without it the month would not be compared)."""
    town.event(category="vandalism", days_ago=_days_ago(_next_month(month), 1), district="A", at=99)


@pytest.fixture
def history(town):
    """13 months: burglary in district A, 12 a month a year ago, 40 in the latest month;
    larceny 3 a month (always hidden) and vandalism 10 a month (hidden with it, so that the
    larceny cannot be worked out from the totals); two sensitive events a month in district B."""
    months = _months_back(13)
    for m in months:
        n = 40 if m == months[-1] else 12
        for i in range(n):
            # spread over the month: a fortnight with no event at all would be a gap in the data
            town.event(category="burglary", days_ago=_days_ago(m, 1 + i * 27 // n), district="A", at=i)
        for i in range(3):
            town.event(category="larceny", days_ago=_days_ago(m, 3 + i), district="A", at=50 + i)
        for i in range(10):
            town.event(category="vandalism", days_ago=_days_ago(m, 4 + i), district="A", at=60 + i)
        for i in range(2):
            town.event(category="sex-offense", days_ago=_days_ago(m, 5 + i), district="B", at=80 + i)
    covered_through(town, months[-1])
    town.publish()
    return months


def _row(doc, category):
    return next(r for r in doc["rows"] if r["category"] == category)


def test_city_trend_shows_counts_and_a_significant_rise_with_its_interval(client, history):
    doc = client.get(reverse("publish:public_api:trends"), {"area": "city", "kind": "crime"}).json()
    assert doc["months"] == history[-12:]
    burglary = _row(doc, "Burglary")
    assert burglary["counts"][-1] == 40 and burglary["counts"][0] == 12
    month = burglary["month"]
    assert (month["now"], month["before"]) == (40, 12)
    assert month["significant"] and month["direction"] == "up" and month["p"] < 0.001
    assert month["lower"] < month["percent"] < month["upper"] and month["lower"] > 0


def test_small_counts_stay_hidden_and_hide_the_changes_built_on_them(client, history):
    doc = client.get(reverse("publish:public_api:trends"), {"area": "district:A", "kind": "crime"}).json()
    larceny = _row(doc, "Larceny, other theft")
    assert set(larceny["counts"]) == {None}
    assert set(_row(doc, "Vandalism, criminal damage")["counts"]) == {None}  # secondary suppression
    assert _row(doc, "Burglary")["counts"][-1] == 40
    assert larceny["month"]["now"] is None and larceny["month"]["percent"] is None and larceny["year"]["p"] is None
    sensitive = [
        r
        for r in client.get(reverse("publish:public_api:trends"), {"area": "district:B"}).json()["rows"]
        if r["sensitive"]
    ]
    assert sensitive and all(set(r["counts"]) == {None} for r in sensitive)  # 2 a month: below k


def test_beat_trend_has_no_sensitive_row(client, history):
    doc = client.get(reverse("publish:public_api:trends"), {"area": "beat:B1"}).json()
    assert doc["rows"] and not any(r["sensitive"] for r in doc["rows"])
    html = client.get(reverse("publish:trends"), {"area": "beat:B1"}).content.decode()
    assert '<tr class="sensitive">' not in html and "published by district only" in html


def test_trend_and_compstat_pages_render_for_every_area(client, history):
    for area in ["city", "district:A", "district:B", "beat:A1", "beat:B1"]:
        for name in ("publish:trends", "publish:compstat"):
            response = client.get(reverse(name), {"area": area, "kind": "crime"})
            assert response.status_code == 200
            # rows with nothing in the window are left out: no burglary in the South
            assert ("Burglary" in response.content.decode()) == area.endswith(("city", "A", "A1"))
    html = client.get(reverse("publish:compstat"), {"area": "city"}).content.decode()
    assert "+233%" in html and "significant" in html  # 40 against 12


def test_unknown_area_is_refused(client, history):
    assert client.get(reverse("publish:public_api:trends"), {"area": "beat:nope"}).status_code == 400
    assert client.get(reverse("publish:trends"), {"area": "district:Z"}).status_code == 400
