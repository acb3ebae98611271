"""What the data covers, per kind and source (local days of the site's zone), and `copps scan`
comparing only periods the data covers in full: the Jan–Aug export that was "▲ significant"
against a year it does not hold, and a property test through the real command."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.analysis.test_analysis_coverage import _oracle_full

from copps.analysis import compstat
from copps.incidents import coverage
from copps.incidents.models import Event, ImportBatch, OffenseCategory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")


def add_events(per_day: dict[date, int], kind="crime", source="test", category="burglary", hour=12) -> None:
    """``per_day[d]`` events of ``kind`` at ``hour`` local time on each day ``d``."""
    batch = ImportBatch.objects.create(
        file_name=f"{source}.csv", sha256="0" * 64, profile="test", source=source, started_at=timezone.now()
    )
    cat = OffenseCategory.objects.filter(code=category).first()
    tz = timezone.get_current_timezone()
    start = Event.objects.count()
    rows = []
    for d, n in per_day.items():
        for _ in range(n):
            rows.append(
                Event(
                    kind=kind,
                    source=source,
                    source_id=f"{source}-{start + len(rows)}",
                    batch=batch,
                    category=cat if cat and cat.kind == kind else None,
                    occurred_from=datetime.combine(d, time(hour), tz),
                    raw={},
                    row_hash="x",
                )
            )
    Event.objects.bulk_create(rows)


def span(a: str, b: str, n: int = 3) -> dict[date, int]:
    first, last = date.fromisoformat(a), date.fromisoformat(b)
    return {first + timedelta(days=i): n for i in range((last - first).days + 1)}


def read_csv(path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run_scan(capsys, *args) -> str:
    capsys.readouterr()
    call_command("scan", *args)
    return capsys.readouterr().out


def test_coverage_per_kind_and_source_in_the_sites_local_days():
    with timezone.override(LA):
        add_events(span("2024-01-01", "2024-03-31"), source="rms")
        add_events(span("2024-02-01", "2024-06-29"), source="cad")
        # 03:00 UTC on 1 July is 20:00 on 30 June in Los Angeles: a June event there
        batch = ImportBatch.objects.get(source="cad")
        Event.objects.create(
            kind="crime", source="cad", source_id="late", batch=batch, raw={}, row_hash="x",
            occurred_from=datetime(2024, 7, 1, 3, 0, tzinfo=ZoneInfo("UTC")),
        )  # fmt: skip
        add_events(span("2024-03-01", "2024-04-30", 1), kind="collision", source="swit")
        rms, cad, crime = coverage.of("crime", "rms"), coverage.of("crime", "cad"), coverage.of("crime")
        assert (str(rms.first), str(rms.last)) == ("2024-01-01", "2024-03-31")
        assert (str(cad.first), str(cad.last)) == ("2024-02-01", "2024-06-30")
        assert (str(crime.first), str(crime.complete_to)) == ("2024-01-01", "2024-06-29")
        assert coverage.complete_to("collision") == date(2024, 4, 29)
        assert coverage.of("call") is None and coverage.complete_to("call") is None
        # every kind together: only the days both crimes and collisions cover
        assert (str(coverage.of().first), str(coverage.of().complete_to)) == ("2024-03-01", "2024-04-29")
        with timezone.override(ZoneInfo("UTC")):  # read in UTC the late event is on 1 July
            assert str(coverage.of("crime", "cad").last) == "2024-07-01"


def test_a_new_import_is_seen_at_once_and_gaps_are_reported():
    add_events(span("2024-01-01", "2024-03-31", 8))
    assert coverage.of("crime").gaps == ()
    add_events(span("2024-05-01", "2024-06-30", 8), source="later")
    c = coverage.of("crime")
    assert [(str(a), str(b)) for a, b in c.gaps] == [("2024-04-01", "2024-04-30")]
    assert "gaps with no data: 2024-04-01 to 2024-04-30" in coverage.describe(c)


def test_scan_coverage_lists_every_kind_and_source(capsys):
    with pytest.raises(CommandError, match="no events yet"):
        call_command("scan", "coverage")
    add_events(span("2024-01-01", "2024-03-31", 8), source="rms")
    add_events(span("2024-05-01", "2024-06-30", 8), source="rms")
    add_events(span("2024-03-01", "2024-04-30", 2), kind="collision", source="swit")
    out = run_scan(capsys, "coverage")
    assert re.search(r"crime\s+rms\s+1,216\s+2024-01-01\s+2024-06-29\s+2024-06-30\s+2024-04-01 to 2024-04-30", out)
    assert re.search(r"collision\s+swit\s+122\s+2024-03-01\s+2024-04-29\s+2024-04-30\s+none", out)
    assert "the last event's day counts as partial" in out


def test_a_january_to_august_export_shows_no_data_against_the_prior_year(capsys, tmp_path):
    """Seen: every category "▲ significant" vs prior year (191 against 0)."""
    add_events(span("2024-01-01", "2024-08-31", 3), category="burglary")
    add_events(span("2024-01-01", "2024-08-31", 1), category="robbery")
    out = run_scan(capsys, "compstat", "--kind", "crime", "--csv", str(tmp_path / "c.csv"))
    assert "data from 2024-01-01 to 2024-08-30 (the last event's day, 2024-08-31, counts as partial)" in out
    assert "CompStat to 2024-08-30" in out
    rows = read_csv(tmp_path / "c.csv")
    prior_year = [r for r in rows if r["compared with"] == "vs prior year"]
    assert prior_year and all(r["before"] == "no data" and r["change"] == "no data" for r in prior_year)
    assert not any(r[""] for r in prior_year) and not any(r["p"] for r in prior_year)
    # the windows inside the data are still compared
    ytd = [r for r in rows if r["window"] == "year to date" and r["compared with"] == "vs prior period"]
    assert all(r["change"] == "no data" for r in ytd)
    week = [r for r in rows if r["window"] == "week" and r["compared with"] == "vs prior period"]
    assert week and all(r["p"] and r["change"] != "no data" for r in week)


def test_a_today_past_the_data_gives_partial_windows_and_no_flags(capsys, tmp_path):
    add_events(span("2023-01-01", "2024-08-31", 5))
    run_scan(capsys, "compstat", "--kind", "crime", "--today", "2024-09-20", "--csv", str(tmp_path / "c.csv"))
    rows = read_csv(tmp_path / "c.csv")
    week = [r for r in rows if r["window"] == "week"]
    assert week and all(r["now"] == "no data" and not r[""] for r in week)  # 14-20 Sept: no data
    month = [r for r in rows if r["window"] == "28 days"]
    assert month and all(r["change"] == "partial" and not r[""] for r in month)


def test_a_scan_of_every_kind_ends_where_every_kind_is_whole(capsys):
    add_events(span("2023-01-01", "2024-08-31", 5))  # crimes to 31 August
    add_events(span("2023-01-01", "2024-08-28", 2), kind="collision", source="crashes", category="collision-pdo")
    out = run_scan(capsys, "compstat")
    # the collisions' last complete day, not the crimes': 28 August is their partial last day
    assert "CompStat to 2024-08-27" in out
    assert coverage.complete_to() == date(2024, 8, 27)
    assert coverage.complete_to("crime") == date(2024, 8, 30)


def test_alerts_use_only_whole_weeks_the_data_covers(capsys):
    # 20 quiet weeks, a month with no data, then 12 weeks: the baseline never reaches over the hole
    add_events(span("2024-01-01", "2024-05-19", 4))
    add_events(span("2024-06-20", "2024-09-12", 4), source="again")
    out = run_scan(capsys, "alerts", "--kind", "crime", "--method", "poisson")
    assert "gaps with no data: 2024-05-20 to 2024-06-19" in out
    # 12 whole weeks after the hole: only the last 4 of them have 8 whole weeks before them
    assert "0 alerts in 4 tested weeks to 2024-09-11" in out
    with pytest.raises(CommandError, match="no week can be tested"):
        call_command("scan", "alerts", "--kind", "crime", "--from", "2024-08-01")
    with pytest.raises(CommandError, match="covers no whole week"):
        call_command("scan", "alerts", "--kind", "crime", "--from", "2024-09-10")


def _flagged_rows_inside_the_data(rows, today, event_days, c) -> int:
    windows = compstat.period_windows(today)
    n = 0
    for r in rows:
        if r[""] or r["p"]:  # a flag, or a change with its interval and p
            keys = ("now", r["compared with"][3:])
            for key in keys:
                lo, hi = windows[r["window"]][key]
                assert _oracle_full(event_days, c.first, c.last, lo, hi), (r, key)
            n += 1
    return n


@st.composite
def coverages(draw):
    start = date(2021, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
    length = draw(st.integers(20, 800))
    rate = draw(st.sampled_from([1, 3]))
    days = {start + timedelta(days=i): rate for i in range(length)}
    for _ in range(draw(st.integers(0, 2))):  # holes
        a = draw(st.integers(0, length - 1))
        for i in range(a, min(length - 1, a + draw(st.integers(5, 90)))):
            days.pop(start + timedelta(days=i), None)
    if draw(st.booleans()):  # a burst somewhere, to make changes worth flagging
        b = draw(st.integers(0, length - 1))
        for i in range(b, min(length, b + 28)):
            if start + timedelta(days=i) in days:
                days[start + timedelta(days=i)] = rate * 4
    today = draw(st.none() | st.integers(-10, length + 40).map(lambda k: start + timedelta(days=k)))
    return days, today


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(coverages())
def test_scan_compstat_never_flags_a_window_outside_the_data(tmp_path, capsys, data):
    days, today = data
    Event.objects.all().delete()
    cache.clear()
    add_events(days)
    args = ["compstat", "--kind", "crime", "--csv", str(tmp_path / "c.csv")]
    if today is not None:
        args += ["--today", today.isoformat()]
    try:
        out = run_scan(capsys, *args)
    except CommandError as exc:  # data too short to hold a complete day: said, not a traceback
        assert "no complete day" in str(exc)
        return
    shown = np.datetime64(re.search(r"CompStat to (\S+);", out).group(1), "D")
    rows = read_csv(tmp_path / "c.csv")
    c = coverage.of("crime")
    event_days = {np.datetime64(d, "D"): n for d, n in days.items()}
    _flagged_rows_inside_the_data(rows, shown, event_days, c)


def test_the_import_summary_says_what_the_data_covers(city, capsys):
    paths, truth = city
    capsys.readouterr()
    call_command("import_events", str(paths["crimes"]), profile="sfpd")
    out = capsys.readouterr().out
    last = date.fromisoformat(truth["end"]) - timedelta(days=1)
    # (the first day may be the evening before the city's first day: the file's times are read in the
    # site's zone)
    assert re.search(rf"crime \(sfpd\): data from \S+ to {last - timedelta(days=1)} ", out)
    assert f"the last event's day, {last}, counts as partial" in out


def test_days_are_local_in_a_zone_with_a_half_hour_offset():
    add_events(span("2024-01-01", "2024-01-31", 2))
    batch = ImportBatch.objects.first()
    # 18:45 UTC on 31 January is 00:15 on 1 February in India (UTC+5:30)
    Event.objects.create(
        kind="crime", source="test", source_id="late", batch=batch, raw={}, row_hash="x",
        occurred_from=datetime(2024, 1, 31, 18, 45, tzinfo=ZoneInfo("UTC")),
    )  # fmt: skip
    with timezone.override(ZoneInfo("Asia/Kolkata")):
        assert str(coverage.of("crime").last) == "2024-02-01"
    with timezone.override(ZoneInfo("Europe/London")):
        assert str(coverage.of("crime").last) == "2024-01-31"
