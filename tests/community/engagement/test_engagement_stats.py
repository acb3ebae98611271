"""Survey intervals against hand calculations (Wilson score; Student t)."""

from __future__ import annotations

import math

import pytest

from copps.community.engagement.stats import mean_t, wilson


def test_wilson_matches_the_formula_worked_by_hand():
    # 7 of 20 say yes. z = 1.959964; p = 0.35; z^2/n = 0.192073
    # centre = (0.35 + 0.096037) / 1.192073 = 0.374173
    # half   = 1.959964 * sqrt(0.35*0.65/20 + 3.841459/1600) / 1.192073 = 0.192979
    e = wilson(7, 20)
    assert e.n == 20 and e.value == pytest.approx(0.35)
    assert e.low == pytest.approx(0.374173 - 0.192979, abs=1e-5)
    assert e.high == pytest.approx(0.374173 + 0.192979, abs=1e-5)


def test_wilson_stays_inside_zero_and_one_at_the_edges():
    none, everyone = wilson(0, 10), wilson(10, 10)
    assert none.low == 0.0 and 0 < none.high < 0.35
    assert everyone.high == 1.0 and 0.65 < everyone.low < 1


def test_t_interval_matches_the_formula_worked_by_hand():
    # mean 3, s = sqrt(2.5) = 1.581139, t(0.975, 4) = 2.776445, half = 2.776445 * 1.581139 / sqrt(5) = 1.963243
    e = mean_t([1, 2, 3, 4, 5])
    assert e.value == 3.0
    assert (e.low, e.high) == (pytest.approx(1.036757, abs=1e-5), pytest.approx(4.963243, abs=1e-5))


def test_one_answer_has_no_interval_and_bad_input_is_refused():
    assert mean_t([4]).low is None
    with pytest.raises(ValueError):
        wilson(3, 0)
    with pytest.raises(ValueError):
        wilson(5, 4)
    with pytest.raises(ValueError):
        mean_t([])


def test_interval_narrows_with_more_answers():
    small, large = wilson(5, 10), wilson(50, 100)
    assert (large.high - large.low) < (small.high - small.low)
    assert math.isclose(small.value, large.value)
