"""Binning events onto the one grid."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copps.analysis.grid import Grid, bin_points, sfhotspot_cell_size

coords = st.lists(st.tuples(st.integers(-5000, 5000), st.integers(-5000, 5000)), min_size=1,
                  max_size=200)


def test_points_land_in_the_expected_cells():
    g = bin_points([0.0, 50.0, 150.0, 250.0], [0.0, 10.0, 20.0, 120.0], cell_size=100.0)
    assert g.shape == (2, 3)
    assert g.counts.tolist() == [[2.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert g.origin == (0.0, 0.0)


def test_points_on_the_far_edge_go_in_the_last_cell():
    g = bin_points([0.0, 200.0], [0.0, 100.0], cell_size=100.0)
    assert g.counts.tolist() == [[1.0, 1.0]]


def test_bounds_drop_outside_points_and_weights_are_summed():
    g = bin_points([5.0, 15.0, 500.0], [5.0, 5.0, 5.0], 10.0, bounds=(0, 0, 20, 10),
                   weights=[2.0, 0.5, 9.0])
    assert g.counts.tolist() == [[2.0, 0.5]]


def test_centres_and_cell_of_agree():
    g = bin_points([0.0, 1000.0], [0.0, 500.0], cell_size=250.0)
    cx, cy = g.centres()
    row, col = g.cell_of(cx.ravel(), cy.ravel())
    assert (row.reshape(g.shape) == np.arange(g.shape[0])[:, None]).all()
    assert (col.reshape(g.shape) == np.arange(g.shape[1])[None, :]).all()


def test_with_counts_checks_shape():
    g = bin_points([0.0, 100.0], [0.0, 100.0], 50.0)
    assert isinstance(g.with_counts(np.ones(g.shape)), Grid)
    with pytest.raises(ValueError):
        g.with_counts(np.ones((1, 1)))


def test_sfhotspot_cell_size_rule():
    x = np.array([0.0, 26_000.0])
    y = np.array([0.0, 12_345.0])
    assert sfhotspot_cell_size(x, y) == 200.0  # 12345/50 = 246.9 -> floored to 200
    assert sfhotspot_cell_size([0.0, 1.0], [0.0, 2.0]) == pytest.approx(0.02)


@given(coords)
@settings(max_examples=60, deadline=None)
def test_binning_conserves_counts(pts):
    x, y = np.array(pts, dtype=float).T
    g = bin_points(x, y, 37.0)
    assert g.counts.sum() == len(pts)


@given(coords, st.integers(-50, 50), st.integers(-50, 50), st.randoms())
@settings(max_examples=60, deadline=None)
def test_binning_is_translation_and_order_invariant(pts, kx, ky, rnd):
    x, y = np.array(pts, dtype=float).T
    c = 64.0
    bounds = (-6000.0, -6000.0, 6000.0, 6000.0)
    g = bin_points(x, y, c, bounds=bounds)
    shifted = bin_points(x + kx * c, y + ky * c, c,
                         bounds=(bounds[0] + kx * c, bounds[1] + ky * c, bounds[2] + kx * c,
                                 bounds[3] + ky * c))
    order = list(range(len(pts)))
    rnd.shuffle(order)
    shuffled = bin_points(x[order], y[order], c, bounds=bounds)
    assert np.array_equal(g.counts, shifted.counts)
    assert np.array_equal(g.counts, shuffled.counts)


def test_points_without_coordinates_are_dropped():
    g = bin_points([0.0, np.nan, 150.0], [0.0, 5.0, np.inf], cell_size=100.0,
                   bounds=(0, 0, 200, 100))
    assert g.counts.sum() == 1.0
