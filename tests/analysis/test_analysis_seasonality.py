"""Seasonality by month and week of year against the days the data covers: a uniform series is
not seasonal, a skewed one is, and a partial year or a gap in the data is never read as a season."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from copps.analysis import coverage as cov
from copps.analysis.temporal import seasonality

YEAR = np.arange(np.datetime64("2023-01-01"), np.datetime64("2024-01-01"))


def test_a_uniform_series_is_not_seasonal_by_month_or_week():
    events = np.repeat(YEAR, 3)  # three a day, every day
    for period, buckets in (("month", 12), ("week", 53)):
        r = seasonality(events, period, covered=YEAR)
        assert len(r.labels) == buckets and r.counts.sum() == 3 * 365
        np.testing.assert_allclose(r.index, 1.0)
        assert r.chi2 == pytest.approx(0.0) and r.p == pytest.approx(1.0) and r.df == buckets - 1
    # week 53 is the year's last day (2023 has 365 days): one day of exposure, three events
    week = seasonality(events, "week", covered=YEAR)
    assert week.days[-1] == 1 and week.counts[-1] == 3 and week.days[:52].tolist() == [7] * 52


def test_a_skewed_series_is_seasonal_with_the_hand_computed_chi_square():
    # 2 a day, 4 a day in July: July's 31 days hold 124 of 792 events
    events = np.concatenate([np.repeat(YEAR, 2), np.repeat(YEAR[(YEAR >= np.datetime64("2023-07-01"))
                                                                & (YEAR < np.datetime64("2023-08-01"))], 2)])
    r = seasonality(events, "month", covered=YEAR)
    total = 2 * 365 + 62
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    expected = total * days / 365
    observed = 2 * days + np.where(np.arange(12) == 6, 62, 0)
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    assert r.chi2 == pytest.approx(chi2) and r.p == pytest.approx(stats.chi2.sf(chi2, 11))
    assert r.p < 1e-6 and r.index[6] == pytest.approx((124 / 31) / (total / 365))
    # spread over 53 weeks the same July excess is too thin to show (about 13 events a week over
    # 15 expected): the week profile needs a sharper peak, like a fortnight of 10 a day
    assert seasonality(events, "week", covered=YEAR).p > 0.05
    peak = np.concatenate([YEAR, np.repeat(YEAR[(YEAR >= np.datetime64("2023-12-03"))
                                                & (YEAR < np.datetime64("2023-12-17"))], 9)])
    wk = seasonality(peak, "week", covered=YEAR)
    assert wk.p < 1e-6 and wk.index[48] > 5


def test_a_partial_year_is_not_flagged_as_seasonal():
    # data from January to June only, at an even rate
    half = YEAR[YEAR < np.datetime64("2023-07-01")]
    events = np.repeat(half, 2)
    # counted over the calendar year, the six empty months read as a season
    assert seasonality(events, "month", start="2023-01-01", end="2023-12-31").p < 1e-6
    # counted over the days the data covers, they are not: no exposure, no test of them
    c = cov.from_days(np.concatenate([events, [np.datetime64("2023-07-01")]]))  # the export's partial last day
    covered = cov.days_covered(c, "2023-01-01", "2024-01-01")
    assert covered[0] == half[0] and covered[-1] == half[-1]
    r = seasonality(events, "month", covered=covered)
    assert r.days[6:].sum() == 0 and r.df == 5 and r.p == pytest.approx(1.0)
    wk = seasonality(events, "week", covered=covered)
    # 181 days: 25 whole weeks and 24-30 June, a week of 6 covered days weighed as 6, not 7
    assert wk.p == pytest.approx(1.0) and wk.days[25] == 6 and wk.days[26:].sum() == 0


def test_a_gap_in_the_data_is_not_a_season():
    events = np.repeat(YEAR, 5)
    hole = (YEAR >= np.datetime64("2023-03-01")) & (YEAR < np.datetime64("2023-04-01"))  # March lost
    events = events[~np.isin(events, YEAR[hole])]
    c = cov.from_days(np.concatenate([events, [np.datetime64("2024-01-01")]]))
    assert len(c.gaps) == 1
    covered = cov.days_covered(c, "2023-01-01", "2024-01-01")
    assert covered.size == 365 - 31
    r = seasonality(events, "month", covered=covered)
    assert r.days[2] == 0 and r.p == pytest.approx(1.0)
    assert seasonality(events, "month", start="2023-01-01", end="2023-12-31").p < 1e-6


def test_no_events_or_one_bucket_is_no_test():
    r = seasonality(np.array([], dtype="datetime64[D]"), "month", covered=YEAR)
    assert np.isnan(r.p) and r.df == 0
    jan = YEAR[:20]
    r = seasonality(jan, "month", covered=jan)
    assert np.isnan(r.p) and r.counts[0] == 20
