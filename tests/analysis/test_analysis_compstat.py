"""CompStat comparisons: exact Poisson rate-ratio tests flag only real changes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from copps.analysis.compstat import compare, period_counts


def test_matches_r_poisson_test_two_sample_example():
    # R documentation of poisson.test, "comparing two rates":
    # poisson.test(c(11, 6+8+7), c(800, 1083+1050+878))
    # rate ratio 1.971488, 95% CI 0.8584264 4.2772659, p-value = 0.07967
    r = compare([11], [21], exposure_now=[800], exposure_before=[3011])
    assert r.ratio[0] == pytest.approx(1.971488, rel=1e-6)
    assert r.lower[0] == pytest.approx(0.8584264, rel=1e-6)
    assert r.upper[0] == pytest.approx(4.2772659, rel=1e-6)
    assert r.p[0] == pytest.approx(0.07967, abs=5e-6)
    assert not r.significant[0]


def test_only_significant_changes_are_flagged():
    r = compare([30, 12, 5, 0], [15, 10, 20, 0])
    assert r.percent_change[:3].round(1).tolist() == [100.0, 20.0, -75.0]
    assert r.significant.tolist() == [True, False, True, False]
    assert r.direction.tolist() == [1, 0, -1, 0]
    assert np.isnan(r.percent_change[3])
    assert r.p[1] == pytest.approx(stats.binomtest(12, 22, 0.5).pvalue)


def test_false_flag_rate_is_at_most_alpha_when_nothing_changed():
    rng = np.random.default_rng(3)
    now = rng.poisson(25, 4000)
    before = rng.poisson(25, 4000)
    r = compare(now, before)
    assert r.significant.mean() <= 0.05


def test_period_counts_windows():
    days = np.array(["2024-03-06", "2024-03-01", "2024-02-27", "2024-02-10", "2023-03-05",
                     "2023-01-15", "2024-01-02"], dtype="datetime64[D]")
    groups = np.array([0, 1, 0, 0, 1, 0, 1])
    out = period_counts(days, "2024-03-06", groups=groups)
    assert out["week"]["now"][0].tolist() == [1.0, 1.0]       # Feb 29 .. Mar 6
    assert out["week"]["prior period"][0].tolist() == [1.0, 0.0]  # Feb 22 .. Feb 28
    assert out["week"]["prior year"][0].tolist() == [0.0, 1.0]   # 364 days earlier
    assert out["28 days"]["now"][0].tolist() == [3.0, 1.0]  # Feb 8 .. Mar 6
    assert out["year to date"]["now"][0].tolist() == [3.0, 2.0]
    assert out["year to date"]["prior year"][0].tolist() == [1.0, 1.0]
    assert out["year to date"]["now"][1] == 66.0  # Jan 1 .. Mar 6 2024 (leap year)
