"""The one interval module (copps.analysis.intervals) against hand calculations and published
values: Wilson score and Clopper–Pearson for a share, Student t for a mean."""

from __future__ import annotations

import math

import pytest

from copps.analysis.intervals import mean_t, proportion


def test_wilson_matches_the_formula_worked_by_hand():
    # 7 of 20 say yes. z = 1.959964; p = 0.35; z^2/n = 0.192073
    # centre = (0.35 + 0.096037) / 1.192073 = 0.374173
    # half   = 1.959964 * sqrt(0.35*0.65/20 + 3.841459/1600) / 1.192073 = 0.192979
    e = proportion(7, 20)
    assert e.n == 20 and e.value == pytest.approx(0.35)
    assert e.low == pytest.approx(0.374173 - 0.192979, abs=1e-5)
    assert e.high == pytest.approx(0.374173 + 0.192979, abs=1e-5)


def test_wilson_stays_inside_zero_and_one_at_the_edges():
    none, everyone = proportion(0, 10), proportion(10, 10)
    assert none.low == 0.0 and 0 < none.high < 0.35
    assert everyone.high == 1.0 and 0.65 < everyone.low < 1


def test_t_interval_matches_the_formula_worked_by_hand():
    # mean 3, s = sqrt(2.5) = 1.581139, t(0.975, 4) = 2.776445, half = 2.776445 * 1.581139 / sqrt(5) = 1.963243
    e = mean_t([1, 2, 3, 4, 5])
    assert e.value == 3.0
    assert (e.low, e.high) == (pytest.approx(1.036757, abs=1e-5), pytest.approx(4.963243, abs=1e-5))


def test_one_answer_has_no_interval_and_bad_input_is_refused():
    one = mean_t([4])
    assert (one.n, one.value, one.low, one.high) == (1, 4.0, None, None)
    with pytest.raises(ValueError, match="n must be positive"):
        proportion(3, 0)
    with pytest.raises(ValueError, match="n must be positive"):
        proportion(0, 0)
    with pytest.raises(ValueError, match="between 0 and n"):
        proportion(5, 4)
    with pytest.raises(ValueError, match="no values"):
        mean_t([])


def test_interval_narrows_with_more_answers():
    small, large = proportion(5, 10), proportion(50, 100)
    assert (large.high - large.low) < (small.high - small.low)
    assert math.isclose(small.value, large.value)


def test_the_wilson_interval_matches_a_published_value():
    # Newcombe (1998), Statistics in Medicine 17:857, table I, example 81/263: 0.2553 to 0.3662.
    e = proportion(81, 263)
    assert (round(e.low, 4), round(e.high, 4)) == (0.2553, 0.3662)


def test_the_exact_interval_matches_a_published_value_and_is_wider():
    # Newcombe (1998), table I, method 5 (Clopper–Pearson "exact"), 81/263: 0.2527 to 0.3676.
    exact, wilson = proportion(81, 263, method="exact"), proportion(81, 263)
    assert (round(exact.low, 4), round(exact.high, 4)) == (0.2527, 0.3676)
    assert exact.low < wilson.low and exact.high > wilson.high
    # 0 of 10: the exact upper bound is 1 - 0.025 ** (1/10)
    assert proportion(0, 10, method="exact").high == pytest.approx(1 - 0.025 ** 0.1)


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        proportion(1, 2, method="wald")


def test_the_confidence_level_is_the_one_asked_for():
    # 99%: z = 2.575829, the Wilson formula of analysis/intervals.py worked by hand for 81/263; t(0.995, 4) = 4.604095
    wide, usual = proportion(81, 263, confidence=0.99), proportion(81, 263)
    assert wide.low < usual.low and wide.high > usual.high
    assert (round(wide.low, 4), round(wide.high, 4)) == (0.2401, 0.3853)
    e = mean_t([1, 2, 3, 4, 5], confidence=0.99)
    assert e.n == 5 and e.high - 3.0 == pytest.approx(4.604095 * math.sqrt(2.5) / math.sqrt(5), abs=1e-5)
