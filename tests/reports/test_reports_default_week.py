"""The weekly CompStat report defaults to the last ISO week the data covers in full, and a week
running past the data is shown as partial, never as a change. Seen: data ending on Wednesday
31 December 2025 gave the week 2026-W01 by default and "All crime −58%"."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.incidents.test_coverage import add_events, span

from copps.reports.weekly import compstat_report, default_week


def compstat_html(report) -> str:
    from django.template.loader import render_to_string

    return render_to_string("reports/_compstat_body.html", {"r": report})

pytestmark = pytest.mark.django_db


@pytest.fixture
def to_new_years_eve():
    add_events(span("2024-01-01", "2025-12-31", 4), category="burglary")


def test_default_week_is_the_last_complete_week_of_data(to_new_years_eve, client_for):
    # the 31st (the last event's day) counts as partial: the last complete day is Tuesday the
    # 30th, and the last whole ISO week is 22-28 December, 2025-W52 (not 2026-W01, which holds them)
    assert default_week() == "2025-W52"
    page = client_for("supervisor").get(reverse("reports:compstat"), {"district": "city"})
    html = page.content.decode()
    assert page.status_code == 200 and "City-wide — week 2025-W52" in html
    assert "Crime data from 2024-01-01 to 2025-12-30" in html
    report = compstat_report(None, None)
    week = report.windows["week"][0]
    assert (week["now"], week["before"]) == (28, 28) and week["p"] and not week["significant"]


def test_a_week_past_the_data_is_partial_and_not_flagged(to_new_years_eve):
    report = compstat_report(None, "2026-W01")
    for window in ("week", "28 days"):
        total = report.windows[window][0]
        assert total["change"] == "partial" and total["p"] == "" and not total["significant"]
    assert report.significant == []
    later = compstat_report(None, "2026-W10")
    assert later.windows["week"][0]["change"] == "no data" and later.windows["week"][0]["now"] == "no data"
    assert later.tested == 0
    html = compstat_html(later)
    assert "Nothing was tested" in html and "within chance" not in html


def test_a_week_the_data_covers_says_how_many_differences_were_tested(to_new_years_eve):
    report = compstat_report(None, "2025-W52")
    assert report.tested == sum(len(rows) for rows in report.windows.values())
    assert f"each of the {report.tested} differences tested against last year is within chance" in compstat_html(
        report
    )


def test_no_data_gives_the_current_week():
    year, week, _ = timezone.localdate().isocalendar()
    assert default_week() == f"{year}-W{week:02d}"
