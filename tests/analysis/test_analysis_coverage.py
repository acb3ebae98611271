"""The days a source covers, and comparisons that never involve time the data does not cover.

The property tests generate event sets with random coverage (start, end, holes, a missing
prior year, a "today" anywhere) and check every CompStat comparison against a brute-force
oracle written here from the documented rule: no change is ever flagged, or given a ratio,
unless both of its windows lie wholly inside the data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copps.analysis import compstat
from copps.analysis import coverage as cov

D = np.timedelta64(1, "D")


def days(a: str, b: str) -> np.ndarray:
    """Every day from ``a`` to ``b`` inclusive."""
    return np.arange(np.datetime64(a), np.datetime64(b) + D, dtype="datetime64[D]")


def daily(a: str, b: str, per_day: int) -> np.ndarray:
    return np.repeat(days(a, b), per_day)


# ----- the coverage itself


def test_first_day_is_covered_and_the_last_events_day_is_partial():
    c = cov.from_days(daily("2024-01-01", "2024-08-31", 5))
    assert str(c.first) == "2024-01-01" and str(c.last) == "2024-08-31" and str(c.complete_to) == "2024-08-30"
    assert c.gaps == () and c.events == 5 * 244
    assert c.status("2024-08-01", "2024-08-31") == cov.FULL  # to the 30th
    assert c.status("2024-08-01", "2024-09-01") == cov.PARTIAL  # holds the last event's day
    assert c.status("2024-08-31", "2024-09-01") == cov.PARTIAL
    assert c.status("2024-09-01", "2024-10-01") == cov.NONE
    assert c.status("2023-12-01", "2024-01-01") == cov.NONE
    assert c.status("2023-12-25", "2024-01-08") == cov.PARTIAL


def test_a_month_without_data_is_a_gap_and_windows_over_it_are_not_full():
    d = np.concatenate([daily("2024-01-01", "2024-03-31", 4), daily("2024-05-01", "2024-12-31", 4)])
    c = cov.from_days(d)
    assert [(str(a), str(b)) for a, b in c.gaps] == [("2024-04-01", "2024-04-30")]
    assert c.status("2024-04-01", "2024-05-01") == cov.NONE
    assert c.status("2024-03-15", "2024-04-15") == cov.PARTIAL
    assert c.status("2024-05-01", "2024-06-01") == cov.FULL
    assert c.covered_days("2024-03-01", "2024-06-01") == 31 + 31


def test_gap_rule_scales_with_the_sources_own_rate():
    # a year at 1 event a day: a run of 13 empty days has probability exp(-13) * 365 < 0.001
    assert cov.gap_length(1.0, 365) == 13
    assert cov.gap_length(100.0, 365) == cov.MIN_GAP_DAYS  # a single empty day is never a gap
    assert cov.gap_length(1 / 7, 365) == math.ceil(7 * math.log(365 / cov.GAP_ALPHA))
    # sparse data: a fortnight without a collision is chance, not missing data
    rng = np.random.default_rng(3)
    n = rng.poisson(0.2, 730)
    sparse = np.repeat(days("2023-01-01", "2024-12-30"), n)
    assert cov.from_days(sparse).gaps == ()


def test_poisson_data_without_holes_shows_no_gap():
    rng = np.random.default_rng(11)
    for rate in (0.5, 3.0, 40.0):
        n = rng.poisson(rate, 1095)
        c = cov.from_days(np.repeat(days("2022-01-01", "2024-12-30"), n))
        assert c.gaps == (), rate


def test_counts_per_day_give_the_same_coverage_as_one_entry_per_event():
    d = np.concatenate([daily("2024-01-01", "2024-02-29", 3), daily("2024-04-01", "2024-06-30", 3)])
    u, n = np.unique(d, return_counts=True)
    assert cov.from_days(d) == cov.from_days(u, n)
    assert cov.from_days(np.array([], dtype="datetime64[D]")) is None


def test_last_complete_week_and_month():
    # data to Wednesday 2025-12-31: the last complete day is Tuesday the 30th
    c = cov.from_days(daily("2024-01-01", "2025-12-31", 3))
    assert str(cov.last_complete_week(c)) == "2025-12-28"  # Sunday of ISO week 2025-W52
    assert str(cov.last_complete_month(c)) == "2025-11"
    # data that ends with its Sunday in full (the last event on Monday)
    c = cov.from_days(daily("2024-01-01", "2025-12-29", 3))
    assert str(cov.last_complete_week(c)) == "2025-12-28"
    # one day into January: December is complete, January is not
    c = cov.from_days(daily("2024-01-01", "2026-01-01", 3))
    assert str(cov.last_complete_month(c)) == "2025-12"
    assert cov.last_complete_week(cov.from_days(daily("2024-01-01", "2024-01-03", 3))) is None
    assert cov.last_complete_week(None) is None and cov.last_complete_month(None) is None


def test_clip_to_a_date_filter():
    c = cov.from_days(daily("2024-01-01", "2024-08-31", 2))
    inside = cov.clip(c, "2024-03-01", "2024-04-01")
    assert str(inside.first) == "2024-03-01" and str(inside.complete_to) == "2024-03-31"
    assert inside.status("2024-02-01", "2024-03-01") == cov.NONE
    assert cov.clip(c, "2025-01-01", None) is None


# ----- the cases seen on real exports


def test_a_january_to_august_export_flags_nothing_against_the_year_it_does_not_hold():
    """191 against 0 "vs prior year" was ▲ significant for every category; now: no data."""
    d = daily("2024-01-01", "2024-08-31", 3)
    c = cov.from_days(d)
    today = c.complete_to
    counts = compstat.period_counts(d, today)
    status = compstat.period_status(today, c)
    assert status["year to date"] == {"now": "full", "prior period": "none", "prior year": "none"}
    (now, e_now), (before, e_before) = counts["year to date"]["now"], counts["year to date"]["prior year"]
    assert compstat.compare(now, before, e_now, e_before).significant[0]  # what was printed before
    r = compstat.covered_compare(now, before, e_now, e_before, "full", "none")
    assert not r.significant.any() and r.direction[0] == 0 and np.isnan(r.ratio[0]) and np.isnan(r.p[0])
    assert r.now[0] == now[0]  # the count is still given
    # the week and 28 days against the period before are inside the data and are compared
    assert status["28 days"]["prior period"] == "full" and status["week"]["prior year"] == "none"


def test_a_window_holding_one_day_of_data_is_partial_and_never_flagged():
    d = np.concatenate([daily("2024-01-01", "2025-12-31", 6), daily("2026-01-01", "2026-01-01", 6)])
    c = cov.from_days(d)
    # "today" put on a day past the data, as a page computed at a later date would
    status = compstat.period_status("2026-01-28", c)
    assert status["28 days"]["now"] == cov.PARTIAL
    counts = compstat.period_counts(d, "2026-01-28")
    (now, e_now), (before, e_before) = counts["28 days"]["now"], counts["28 days"]["prior year"]
    assert compstat.compare(now, before, e_now, e_before).significant[0]  # the old "−96%, significant"
    s = status["28 days"]
    r = compstat.covered_compare(now, before, e_now, e_before, s["now"], s["prior year"])
    assert not r.significant.any()


# ----- properties


def _oracle_full(event_days: set, first, last, start, stop) -> bool:
    """Brute force from the documented rule: every day of [start, stop) lies in [first, last) and
    outside every run of empty days at least as long as the gap length."""
    span = int((last - first) / D) + 1
    total = sum(event_days.values())
    need = cov.gap_length(total / span, span)
    day = start
    while day < stop:
        if day < first or day >= last:
            return False
        if day not in event_days:
            lo = day
            while lo - D >= first and lo - D not in event_days:
                lo -= D
            hi = day
            while hi + D <= last and hi + D not in event_days:
                hi += D
            if int((hi - lo) / D) + 1 >= need:
                return False
        day += D
    return True


@st.composite
def event_sets(draw):
    """Days of events with random coverage: a start, a length, holes, sometimes a missing year."""
    start = np.datetime64("2020-01-01") + np.timedelta64(draw(st.integers(0, 1500)), "D")
    length = draw(st.integers(1, 900))
    rate = draw(st.sampled_from([0.3, 1.0, 4.0, 25.0]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    n = rng.poisson(rate, length)
    for _ in range(draw(st.integers(0, 3))):  # holes
        a = draw(st.integers(0, length - 1))
        n[a : a + draw(st.integers(1, 120))] = 0
    if draw(st.booleans()) and length > 400:  # a year missing in the middle
        n[30:395] = 0
    d = np.repeat(start + np.arange(length).astype("timedelta64[D]"), n)
    today = start + np.timedelta64(draw(st.integers(-30, length + 60)), "D")
    groups = rng.integers(0, 3, d.size)
    return d, today, groups


@settings(max_examples=150, deadline=None)
@given(event_sets())
def test_no_flagged_change_ever_involves_an_uncovered_or_partial_window(data):
    d, today, groups = data
    c = cov.from_days(d)
    counts = compstat.period_counts(d, today, groups, 3)
    status = compstat.period_status(today, c)
    windows = compstat.period_windows(today)
    u, n = np.unique(d, return_counts=True)
    event_days = dict(zip(u.tolist(), n.tolist(), strict=True))
    event_days = {np.datetime64(k, "D"): v for k, v in event_days.items()}
    for window, periods in counts.items():
        now, e_now = periods["now"]
        for label in ("prior period", "prior year"):
            before, e_before = periods[label]
            r = compstat.covered_compare(now, before, e_now, e_before, status[window]["now"], status[window][label])
            if r.significant.any() or np.isfinite(r.ratio).any():
                for key in ("now", label):
                    lo, hi = windows[window][key]
                    assert c is not None and _oracle_full(event_days, c.first, c.last, lo, hi), (window, key)
            assert not (r.direction != 0).any() or compstat.comparable(status[window]["now"], status[window][label])


@settings(max_examples=150, deadline=None)
@given(event_sets(), st.integers(0, 400), st.integers(1, 60))
def test_status_agrees_with_the_brute_force_oracle(data, offset, length):
    d, _, _ = data
    c = cov.from_days(d)
    if c is None:
        assert cov.window_status(c, "2020-01-01", "2020-02-01") == cov.NONE
        return
    u, n = np.unique(d, return_counts=True)
    event_days = {np.datetime64(k, "D"): v for k, v in zip(u.tolist(), n.tolist(), strict=True)}
    start = c.first - np.timedelta64(30, "D") + np.timedelta64(offset, "D")
    stop = start + np.timedelta64(length, "D")
    assert (c.status(start, stop) == cov.FULL) == _oracle_full(event_days, c.first, c.last, start, stop)
    if c.status(start, stop) == cov.NONE:  # no event at all falls in the window
        assert not any(start <= day < stop for day in event_days)


@pytest.mark.parametrize("rate", [0.3, 5.0])
def test_a_fully_covered_week_is_still_compared_and_can_be_flagged(rate):
    """The guard withholds nothing inside the data: a planted tripling is flagged."""
    rng = np.random.default_rng(5)
    n = rng.poisson(rate, 800)
    n[-8:-1] = rng.poisson(rate * 3 + 10, 7)
    n[-1] = max(n[-1], 1)  # the last event's day (partial) follows the planted week
    d = np.repeat(np.datetime64("2023-01-01") + np.arange(800).astype("timedelta64[D]"), n)
    c = cov.from_days(d)
    today = c.complete_to
    status = compstat.period_status(today, c)
    (now, e_now), (before, e_before) = (compstat.period_counts(d, today)["week"][k] for k in ("now", "prior year"))
    r = compstat.covered_compare(now, before, e_now, e_before, status["week"]["now"], status["week"]["prior year"])
    assert r.direction[0] == 1


def test_covered_steps_back_stops_at_a_gap_at_the_limit_and_at_the_first_day():
    days = np.arange("2024-01-01", "2024-04-01", dtype="datetime64[D]")
    kept = days[(days < np.datetime64("2024-02-01")) | (days > np.datetime64("2024-02-05"))]
    c = cov.from_days(kept, np.full(len(kept), 50))  # 50 a day: five empty days are a gap
    assert [(str(a), str(b)) for a, b in c.gaps] == [("2024-02-01", "2024-02-05")]
    # weeks back from 2024-03-31 (the partial last day): 03-24..03-30, ..., 02-11..02-17 (7 weeks);
    # the next, 02-04..02-10, holds two days of the gap
    assert cov.covered_steps_back(c, "2024-03-31") == 7
    assert cov.covered_steps_back(c, "2024-04-01") == 0  # the first step back holds the partial last day
    assert cov.covered_steps_back(c, "2024-03-31", limit=4) == 4
    assert cov.covered_steps_back(c, "2024-01-29") == 4  # 01-01..01-28 whole, then days before the data
    assert cov.covered_steps_back(c, "2024-03-31", step_days=14) == 3  # 02-04..02-17 holds two days of the gap
    assert cov.covered_steps_back(None, "2024-03-31") == 0
