"""The shared Monte Carlo engine: p-value definitions and unbiased draws."""

from __future__ import annotations

import numpy as np
import pytest

from copps.analysis import montecarlo


def test_pseudo_p_definitions():
    # R = 9 simulations; 2 at or above, 8 at or below the observation
    assert montecarlo.pseudo_p(2, 8, 9, "greater") == pytest.approx(0.3)
    assert montecarlo.pseudo_p(2, 8, 9, "lesser") == pytest.approx(0.9)
    assert montecarlo.pseudo_p(2, 8, 9, "two-sided") == pytest.approx(0.6)
    # esda "directed": the tail the observation is in
    assert montecarlo.pseudo_p(7, 3, 9, "directed") == pytest.approx(0.3)
    assert montecarlo.pseudo_p(2, 8, 9, "directed") == pytest.approx(0.3)
    with pytest.raises(ValueError):
        montecarlo.pseudo_p(1, 1, 9, "sideways")


def test_rng_accepts_seeds_and_generators():
    g = np.random.default_rng(3)
    assert montecarlo.rng(g) is g
    assert montecarlo.rng(5).integers(1000) == np.random.default_rng(5).integers(1000)


def test_simulate_counts_exceedances_and_moments():
    def statistic(gen, k):
        return gen.normal(0.0, 1.0, size=(k, 2))

    ex = montecarlo.simulate([1.6449, -10.0], statistic, 20000, seed=1, batch=333)
    assert ex.permutations == 20000
    assert ex.greater[0] / 20000 == pytest.approx(0.05, abs=0.006)
    assert ex.greater[1] == 20000 and ex.lesser[1] == 0
    np.testing.assert_allclose(ex.mean, 0.0, atol=0.03)
    np.testing.assert_allclose(ex.std, 1.0, atol=0.03)
    assert ex.p("greater")[1] == 1.0


def test_subset_sums_are_draws_without_replacement():
    pool = np.arange(10.0)
    sums = montecarlo.subset_sums(pool, [1, 3, 10], 40000, seed=2)
    # all ten values drawn: always the total
    assert (sums[:, 2] == 45.0).all()
    # single draws are uniform over the pool
    counts = np.bincount(sums[:, 0].astype(int), minlength=10)
    assert counts.min() > 3600 and counts.max() < 4400
    # k = 3 without replacement: mean k*mu, variance k*s2*(N-k)/(N-1)
    mu, s2 = pool.mean(), pool.var()
    assert sums[:, 1].mean() == pytest.approx(3 * mu, abs=0.05)
    assert sums[:, 1].var() == pytest.approx(3 * s2 * 7 / 9, rel=0.03)
    # and never the same element twice: a sum of 3 distinct values of 0..9 is >= 3
    assert sums[:, 1].min() >= 3


def test_subset_larger_than_pool_is_refused():
    with pytest.raises(ValueError):
        montecarlo.subset_sums([1.0, 2.0], [3], 5, seed=0)
