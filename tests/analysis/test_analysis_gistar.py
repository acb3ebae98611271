"""Getis–Ord Gi*: equal to esda on the same grid, and p_sim true to esda's permutation null."""

from __future__ import annotations

import itertools
import warnings
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from copps.analysis.grid import Grid
from copps.analysis.hotspots import GiStarResult, gistar
from copps.analysis.significance import benjamini_hochberg, confidence_classes

esda_getisord = pytest.importorskip("esda.getisord")
libpysal_weights = pytest.importorskip("libpysal.weights")
libpysal_graph = pytest.importorskip("libpysal.graph")


def _esda_z(y: np.ndarray, w) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda_getisord.G_Local(y.ravel(), w, transform="B", star=True, permutations=0)
    return np.asarray(g.Zs)


def _w_from_cells(cells, radius):
    """A libpysal W linking cell centres at most ``radius`` cells apart (self excluded)."""
    ids = {c: i for i, c in enumerate(cells)}
    neigh = {}
    r = int(np.floor(radius))
    for (row, col), i in ids.items():
        out = []
        for dr in range(-r, r + 1):
            for dc in range(-r, r + 1):
                if (dr or dc) and dr * dr + dc * dc <= radius * radius + 1e-9:
                    j = ids.get((row + dr, col + dc))
                    if j is not None:
                        out.append(j)
        neigh[i] = out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return libpysal_weights.W(neigh)


@pytest.mark.parametrize("rook", [False, True])
def test_z_equals_esda_with_lattice_weights(rook):
    rng = np.random.default_rng(11)
    y = rng.poisson(1.5, size=(23, 31)).astype(float)
    w = libpysal_weights.lat2W(23, 31, rook=rook)
    expected = _esda_z(y, w)
    ours = gistar(y, "rook" if rook else "queen", fdr=None)
    assert isinstance(ours, GiStarResult)
    np.testing.assert_allclose(ours.z.ravel(), expected, rtol=0, atol=1e-9)
    # the Graph fast path too
    expected_graph = _esda_z(y, libpysal_graph.Graph.from_W(w))
    np.testing.assert_allclose(ours.z.ravel(), expected_graph, rtol=0, atol=1e-9)


def test_z_equals_esda_for_a_radius_and_a_study_area_mask():
    rng = np.random.default_rng(5)
    y = rng.poisson(3.0, size=(15, 18)).astype(float)
    rows, cols = np.mgrid[0:15, 0:18]
    mask = (rows - 7) ** 2 + (cols - 9) ** 2 <= 60  # a round study area
    cells = [(int(r), int(c)) for r, c in zip(rows[mask], cols[mask], strict=True)]
    w = _w_from_cells(cells, 2.5)
    expected = _esda_z(y[mask], w)
    ours = gistar(y, 2.5, mask=mask, fdr=None)
    np.testing.assert_allclose(ours.z[mask], expected, rtol=0, atol=1e-9)
    assert np.isnan(ours.z[~mask]).all()
    assert (ours.classes[~mask] == 0).all()


def test_a_grid_brings_its_mask():
    y = np.arange(20.0).reshape(4, 5)
    mask = np.ones((4, 5), bool)
    mask[0, 0] = False
    g = Grid(y, (0.0, 0.0), 1.0, mask)
    np.testing.assert_array_equal(gistar(g).z, gistar(y, mask=mask).z)


def test_docstring_example_value():
    counts = np.zeros((5, 5))
    counts[2, 2] = 9.0
    # lag 9, K 9, n 25, mean 0.36, s = sqrt(81/25 - 0.1296) = 1.7636
    z = (9 - 9 * 0.36) / (np.sqrt(81 / 25 - 0.36**2) * np.sqrt((25 * 9 - 81) / 24))
    assert gistar(counts).z[2, 2] == pytest.approx(z, abs=1e-12)


def _exact_directed_p(y: np.ndarray, i: int, k: int, lag_other: float) -> float:
    """Exact P under esda's null: k of the other n-1 values drawn without replacement."""
    others = np.delete(y, i)
    sums = np.array([others[list(c)].sum() for c in itertools.combinations(range(others.size), k)])
    greater = np.mean(sums >= lag_other - 1e-12)
    return min(greater, 1 - greater)


def test_p_sim_converges_to_the_exact_conditional_permutation_p():
    rng = np.random.default_rng(3)
    y = rng.poisson(2.0, size=(4, 4)).astype(float)
    y[1, 1] += 6
    res = gistar(y, "queen", permutations=20000, seed=8)
    flat = y.ravel()
    for cell in [(0, 0), (1, 1), (2, 3), (3, 3)]:
        i = cell[0] * 4 + cell[1]
        k = int(res.neighbours[cell]) - 1
        lag_other = float(sum(y[r, c] for r in range(max(0, cell[0] - 1), min(4, cell[0] + 2))
                              for c in range(max(0, cell[1] - 1), min(4, cell[1] + 2)))) - flat[i]
        assert comb(15, k) <= 6435
        exact = _exact_directed_p(flat, i, k, lag_other)
        # (M + 1) / (R + 1) with M ~ Binomial(R, exact): within 4 standard errors
        se = np.sqrt(exact * (1 - exact) / 20000) + 1e-4
        assert abs(res.p_sim[cell] - exact) < 4 * se + 1 / 20001


def test_p_sim_agrees_with_esda_in_distribution():
    rng = np.random.default_rng(21)
    y = rng.poisson(1.0, size=(12, 12)).astype(float)
    y[4:7, 4:7] += 3
    w = libpysal_weights.lat2W(12, 12, rook=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda_getisord.G_Local(y.ravel(), libpysal_graph.Graph.from_W(w), transform="B",
                                    star=True, permutations=4999, seed=4)
    ours = gistar(y, permutations=4999, seed=4)
    diff = np.abs(ours.p_sim.ravel() - ref.p_sim)
    assert diff.max() < 0.03  # two independent estimates of the same p, R = 4999
    assert diff.mean() < 0.006


def test_p_sim_is_reproducible_with_a_seed_and_in_range():
    y = np.random.default_rng(0).poisson(2.0, size=(10, 10)).astype(float)
    a = gistar(y, permutations=99, seed=42).p_sim
    b = gistar(y, permutations=99, seed=np.random.default_rng(42)).p_sim
    np.testing.assert_array_equal(a, b)
    assert ((a >= 1 / 100) & (a <= 0.5 + 1 / 100)).all()


def test_benjamini_hochberg_matches_scipy():
    p = np.random.default_rng(9).uniform(0, 0.2, size=300) ** 2
    np.testing.assert_allclose(benjamini_hochberg(p), stats.false_discovery_control(p), rtol=1e-12)
    with_nan = np.array([0.01, np.nan, 0.04])
    out = benjamini_hochberg(with_nan)
    assert np.isnan(out[1]) and out[0] == pytest.approx(0.02)
    # one test alone is not adjusted (a mutant that treated one value like none survived make mutation)
    assert benjamini_hochberg([0.03]).tolist() == [0.03]
    assert np.isnan(benjamini_hochberg([np.nan])).all() and benjamini_hochberg([]).shape == (0,)


def test_classes_encode_sign_and_confidence():
    z = np.array([3.0, 2.0, 1.7, 0.5, -1.7, -2.0, -3.0])
    p = 2 * stats.norm.sf(np.abs(z))
    assert confidence_classes(z, p).tolist() == [3, 2, 1, 0, -1, -2, -3]


def test_fdr_makes_classes_stricter():
    rng = np.random.default_rng(2)
    y = rng.poisson(2.0, size=(40, 40)).astype(float)
    raw = gistar(y, fdr=None)
    adjusted = gistar(y, fdr=0.05)
    assert (np.abs(adjusted.classes) <= np.abs(raw.classes)).all()
    assert (np.abs(raw.classes) > 0).sum() > (np.abs(adjusted.classes) > 0).sum()


def test_a_planted_cluster_is_a_99_percent_hot_spot():
    rng = np.random.default_rng(12)
    y = rng.poisson(1.0, size=(30, 30)).astype(float)
    y[10:13, 20:23] += 8
    res = gistar(y)
    assert (res.classes[10:13, 20:23] == 3).all()
    assert (res.classes == 3).sum() < 30


@given(arrays(np.int64, (6, 7), elements=st.integers(0, 9)), st.integers(1, 5))
@settings(max_examples=40, deadline=None)
def test_z_is_invariant_to_scale_and_symmetric_under_flips(counts, scale):
    y = counts.astype(float)
    if y.std() == 0:
        return
    base = gistar(y, fdr=None).z
    np.testing.assert_allclose(gistar(y * scale, fdr=None).z, base, atol=1e-9)
    np.testing.assert_allclose(gistar(y[::-1, ::-1], fdr=None).z, base[::-1, ::-1], atol=1e-9)
    np.testing.assert_allclose(gistar(y.T.copy(), fdr=None).z, base.T, atol=1e-9)


def test_classes_from_bh_cutoffs_equal_classes_from_adjusted_p():
    rng = np.random.default_rng(31)
    y = rng.poisson(1.5, size=(60, 60)).astype(float)
    y[10:16, 10:16] += 2
    y[40:43, 30:33] = 0
    res = gistar(y, fdr=0.05)
    adjusted = benjamini_hochberg(res.p)
    np.testing.assert_array_equal(res.classes, confidence_classes(res.z, adjusted))
    np.testing.assert_array_equal(res.significant, adjusted <= 0.05)
    np.testing.assert_allclose(res.p_adjusted, adjusted)
    assert (res.classes == 3).any() and (res.classes < 0).any()


@pytest.mark.parametrize("grouped", [True, False])
def test_p_sim_for_continuous_values_converges_to_the_exact_p(grouped, monkeypatch):
    from copps.analysis import getis_ord

    monkeypatch.setattr(getis_ord, "GROUPED_MAX_VALUES", 10_000 if grouped else 0)
    rng = np.random.default_rng(13)
    y = rng.gamma(2.0, 1.5, size=(4, 4))
    y[2, 2] += 5
    res = gistar(y, "queen", permutations=20000, seed=5)
    flat = y.ravel()
    for cell in [(0, 0), (2, 2), (1, 3)]:
        i = cell[0] * 4 + cell[1]
        k = int(res.neighbours[cell]) - 1
        window = y[max(0, cell[0] - 1):cell[0] + 2, max(0, cell[1] - 1):cell[1] + 2]
        exact = _exact_directed_p(flat, i, k, float(window.sum()) - flat[i])
        se = np.sqrt(exact * (1 - exact) / 20000) + 1e-4
        assert abs(res.p_sim[cell] - exact) < 4 * se + 1 / 20001
