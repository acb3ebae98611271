"""Concentration, repeats, aoristic profiles, seasonality and PAI."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copps.analysis.evaluation import pai
from copps.analysis.places import concentration, repeats
from copps.analysis.temporal import seasonality, weekly_profile


def test_gini_and_top_shares():
    r = concentration([0, 0, 0, 1, 9])
    assert r.gini == pytest.approx(0.76)
    assert r.top_shares[0.2] == 0.9
    assert r.places_for_half == 0.2 and r.places_for_80 == 0.2
    assert r.lorenz_events[-1] == 1.0 and r.lorenz_places[0] == 0.0
    assert concentration([5, 5, 5, 5]).gini == 0.0


def test_rates_per_facility():
    r = concentration([10, 2, 0], denominators=[100, 100, 50])
    assert r.rates.tolist() == [0.1, 0.02, 0.0]
    assert r.rate_ratio[0] == pytest.approx(0.1 / (12 / 250))


@given(st.lists(st.integers(0, 50), min_size=2, max_size=80).filter(lambda v: sum(v) > 0),
       st.randoms())
@settings(max_examples=50, deadline=None)
def test_gini_is_order_invariant_and_matches_mean_difference_formula(counts, rnd):
    x = np.array(counts, dtype=float)
    shuffled = list(counts)
    rnd.shuffle(shuffled)
    g = concentration(x).gini
    assert concentration(shuffled).gini == pytest.approx(g)
    # Gini = mean absolute difference / (2 mean)
    mad = np.abs(x[:, None] - x[None, :]).mean()
    assert g == pytest.approx(mad / (2 * x.mean()), abs=1e-12)


def test_repeats_and_time_to_repeat():
    r = repeats(["a", "b", "a", "a", "b"], [0, 5, 10, 400, 6], window=365)
    assert r.is_repeat.tolist() == [False, False, True, False, True]
    assert sorted(r.time_to_repeat.tolist()) == [1.0, 10.0]
    assert r.repeat_places == 2 and r.repeat_share == pytest.approx(0.4)
    assert dict(zip(r.places.tolist(), r.counts.tolist(), strict=True)) == {"a": 3, "b": 2}
    everything = repeats(["a", "a"], np.array(["2024-01-01", "2025-06-01"], "datetime64[D]"))
    assert everything.is_repeat.tolist() == [False, True]


def test_aoristic_profile_spreads_a_window_evenly():
    s = np.array(["2024-01-01T22:00", "2024-01-03T10:30"], dtype="datetime64[m]")  # Mon, Wed
    e = np.array(["2024-01-02T02:00", "NaT"], dtype="datetime64[m]")
    p = weekly_profile(s, e)
    assert p.sum() == pytest.approx(2.0)
    assert p[0, 22] == p[0, 23] == p[1, 0] == p[1, 1] == pytest.approx(0.25)
    assert p[2, 10] == 1.0


def test_a_window_longer_than_a_week_covers_every_hour():
    s = np.array(["2024-01-01T00:00"], dtype="datetime64[m]")
    e = np.array(["2024-01-15T00:00"], dtype="datetime64[m]")
    p = weekly_profile(s, e, weights=[168.0])
    np.testing.assert_allclose(p, 1.0)


@given(st.lists(st.tuples(st.integers(0, 60 * 24 * 60), st.integers(0, 60 * 24 * 20)),
                min_size=1, max_size=30))
@settings(max_examples=40, deadline=None)
def test_aoristic_weights_sum_to_the_number_of_events(spans):
    base = np.datetime64("2023-05-01T00:00")
    s = np.array([base + np.timedelta64(a, "m") for a, _ in spans])
    e = np.array([base + np.timedelta64(a + b, "m") for a, b in spans])
    assert weekly_profile(s, e).sum() == pytest.approx(len(spans))


def test_seasonality_uses_exposure():
    # one event a day for a whole year: no seasonality at all
    days = np.arange(np.datetime64("2023-01-01"), np.datetime64("2024-01-01"))
    r = seasonality(days, "month")
    np.testing.assert_allclose(r.index, 1.0)
    assert r.p == pytest.approx(1.0)
    summer = np.concatenate([days, days[(days >= np.datetime64("2023-06-01"))
                                        & (days < np.datetime64("2023-09-01"))]])
    r2 = seasonality(summer, "month")
    assert r2.index[6] > 1.5 and r2.p < 1e-6
    wk = seasonality(days, "weekday")
    assert wk.labels[0] == "Mon" and wk.counts.sum() == 365


def test_pai_hit_rate_and_pei():
    r = pai([[3.0, 2.0], [1.0, 0.0]], [[5, 1], [0, 4]], area_shares=(0.25, 0.5))
    assert r.at[0.25] == (0.5, 2.0, 1.0)
    hit, p, pei = r.at[0.5]
    assert hit == pytest.approx(0.6) and p == pytest.approx(1.2)
    assert pei == pytest.approx(0.6 / 0.9)
    assert r.hit_rate[-1] == 1.0 and r.pai[-1] == 1.0


def test_pai_of_a_perfect_surface_is_hindsight():
    later = np.array([0, 0, 7, 1, 0, 3.0])
    r = pai(later, later)
    assert np.nanmin(r.pei) == pytest.approx(1.0)
