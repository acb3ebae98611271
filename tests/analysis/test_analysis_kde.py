"""Kernel density: exact at cell centres, a binned path inside its stated bound, true mass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copps.analysis.grid import bin_points
from copps.analysis.hotspots import bandwidth_rule, binned_error_bound, kde


def _brute(x, y, grid, h, kernel, w=None):
    cx, cy = grid.centres()
    w = np.ones_like(x) if w is None else w
    d2 = (cx[..., None] - x) ** 2 + (cy[..., None] - y) ** 2
    if kernel == "quartic":
        k = np.where(d2 < h * h, (1 - d2 / (h * h)) ** 2, 0.0) * 3 / (np.pi * h * h)
    else:
        k = np.exp(-0.5 * d2 / (h * h)) / (2 * np.pi * h * h)
    return (k * w).sum(axis=-1)


@pytest.fixture(scope="module")
def events():
    rng = np.random.default_rng(17)
    x = np.concatenate([rng.normal(0, 900, 1500), rng.normal(1500, 150, 300)])
    y = np.concatenate([rng.normal(0, 600, 1500), rng.normal(-500, 150, 300)])
    return x, y


@pytest.mark.parametrize("kernel,h", [("quartic", 400.0), ("quartic", 90.0), ("gaussian", 250.0)])
def test_exact_mode_equals_the_direct_sum(events, kernel, h):
    x, y = events
    g = bin_points(x, y, 120.0, bounds=(-3000, -2500, 3500, 2600))
    ours = kde(x, y, g, h, kernel=kernel)
    ref = _brute(x, y, g, h, kernel)
    nz = ref > 0
    np.testing.assert_allclose(ours[nz], ref[nz], rtol=1e-9, atol=0)
    assert (ours[~nz] == 0).all()


def test_exact_mode_with_weights_and_points_outside_the_grid(events):
    x, y = events
    w = np.random.default_rng(1).uniform(0.5, 2.0, x.size)
    g = bin_points(x, y, 200.0, bounds=(-1000, -1000, 1000, 1000))
    ours = kde(x, y, g, 350.0, weights=w)
    ref = _brute(x, y, g, 350.0, "quartic", w)
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
@pytest.mark.parametrize("refine", [4, 8])
def test_binned_mode_stays_inside_its_documented_bound(events, kernel, refine):
    x, y = events
    g = bin_points(x, y, 150.0)
    exact = kde(x, y, g, 400.0, kernel=kernel)
    binned = kde(x, y, g, 400.0, kernel=kernel, method="binned", refine=refine)
    bound = binned_error_bound(x, y, g, 400.0, kernel, refine=refine)
    assert (np.abs(binned - exact) <= bound * (1 + 1e-9) + 1e-15 * exact.max()).all()
    # and the bound is not vacuous: it is small next to the surface
    assert bound.max() < 0.1 * exact.max()


def test_binned_error_shrinks_with_refinement(events):
    x, y = events
    g = bin_points(x, y, 150.0)
    exact = kde(x, y, g, 400.0)
    errs = [np.abs(kde(x, y, g, 400.0, method="binned", refine=r) - exact).max()
            for r in (2, 4, 8, 16)]
    assert errs[0] > errs[1] > errs[2] > errs[3]
    # at least second order: halving the lattice spacing cuts the error twice or more
    assert errs[1] / errs[2] > 2 and errs[2] / errs[3] > 2
    assert errs[2] / exact.max() < 1e-3


@given(st.lists(st.tuples(st.floats(0, 2000), st.floats(0, 2000)), min_size=1, max_size=60),
       st.sampled_from(["quartic", "gaussian"]))
@settings(max_examples=30, deadline=None)
def test_density_integrates_to_the_number_of_events(pts, kernel):
    x, y = np.array(pts).T
    h = 300.0
    reach = h if kernel == "quartic" else 8 * h
    c = 25.0
    g = bin_points(x, y, c, bounds=(-reach - c, -reach - c, 2000 + reach + c, 2000 + reach + c))
    mass = kde(x, y, g, h, kernel=kernel).sum() * c * c
    assert mass == pytest.approx(len(pts), rel=2e-3)


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=40),
       st.integers(-20, 20), st.integers(-20, 20), st.randoms())
@settings(max_examples=30, deadline=None)
def test_kde_is_translation_and_order_invariant(pts, kx, ky, rnd):
    x, y = np.array(pts, dtype=float).T * 10
    c = 32.0
    g = bin_points(x, y, c, bounds=(-100, -100, 700, 700))
    base = kde(x, y, g, 75.0)
    g2 = bin_points(x, y, c, bounds=(-100 + kx * c, -100 + ky * c, 700 + kx * c, 700 + ky * c))
    moved = kde(x + kx * c, y + ky * c, g2, 75.0)
    order = list(range(len(pts)))
    rnd.shuffle(order)
    shuffled = kde(x[order], y[order], g, 75.0)
    np.testing.assert_allclose(moved, base, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(shuffled, base, rtol=1e-9, atol=1e-15)


def test_bandwidth_rules():
    rng = np.random.default_rng(4)
    x = rng.normal(0, 1000, 500)
    y = rng.normal(0, 400, 500)

    def nrd(v):  # MASS::bandwidth.nrd, Venables & Ripley (2002) §5.6
        iqr = np.subtract(*np.percentile(v, [75, 25]))
        return 4 * 1.06 * min(np.std(v, ddof=1), iqr / 1.34) * v.size ** -0.2

    assert bandwidth_rule(x, y, "sfhotspot") == pytest.approx(nrd(x))
    assert bandwidth_rule(x, y, "nrd") == pytest.approx((nrd(x) + nrd(y)) / 2)
    sigma = np.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2)
    assert bandwidth_rule(x, y, "scott") == pytest.approx(sigma * 500 ** (-1 / 6))
    assert bandwidth_rule(x, y, "silverman") == bandwidth_rule(x, y, "scott")
    with pytest.raises(ValueError):
        bandwidth_rule(x, y, "nonsense")


def test_raw_kernel_sum_mode():
    g = bin_points([0.0, 1000.0], [0.0, 1000.0], cell_size=250.0)
    d = kde([500.0], [500.0], g, bandwidth=400.0, normalise=False)
    # centre (375, 375): d^2 = 2 * 125^2 = 31250, u = 0.1953125, (1-u)^2
    assert d[1, 1] == pytest.approx((1 - 31250 / 160000) ** 2, rel=1e-12)
    assert kde([500.0], [500.0], g, 400.0)[1, 1] == pytest.approx(d[1, 1] * 3 / (np.pi * 160000))
