"""Small-count suppression: counts 1..k-1 are hidden, and no hidden count can be worked out
from the published cells and totals (checked by linear programming, as an attacker would)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from copps.publish.aggregate import audit, augment, bridges, protect


def test_margins_are_the_sums():
    t = augment(np.array([[1, 2], [3, 4]]))
    assert t.tolist() == [[1, 2, 3], [3, 4, 7], [4, 6, 10]]


def test_small_counts_are_hidden_and_zeros_and_large_counts_shown():
    t = protect(np.array([[0, 12], [25, 30]]), k=10)
    assert not t.hidden.any()
    assert t.published()[0, 0] == 0


def test_a_lone_small_cell_takes_complementary_cells_with_it():
    t = protect(np.array([[12, 3], [20, 15]]), k=10)
    assert t.primary[0, 1]
    assert t.hidden.sum() >= 4  # a cycle: at least a rectangle
    assert not bridges(t.hidden)


def test_row_total_minus_visible_cells_does_not_give_the_hidden_cell():
    t = protect(np.array([[40, 3, 50]]), k=10)
    pub = t.published()
    row = pub[0]
    # the naive attack: row total minus the visible cells
    assert np.isnan(row[:3]).sum() >= 2 or np.isnan(row[3])
    bounds = audit(t.values, t.hidden)
    assert (bounds[:, 3] - bounds[:, 2] >= 1).all()


def test_audit_recovers_a_badly_protected_cell():
    """The attacker's tool works: one hidden cell per row and column is recovered."""
    values = augment(np.array([[12, 3], [20, 15]]))
    hidden = np.zeros_like(values, bool)
    hidden[0, 1] = True
    ((r, c, lo, hi),) = audit(values, hidden)
    assert lo == hi == 3


@settings(max_examples=60, deadline=None)
@given(
    cells=arrays(
        np.int64,
        st.tuples(st.integers(1, 5), st.integers(1, 5)),
        elements=st.one_of(st.integers(0, 12), st.integers(0, 60)),
    ),
    k=st.sampled_from([3, 5, 10]),
)
def test_no_hidden_cell_is_ever_determined(cells, k):
    t = protect(cells, k=k)
    assert (t.hidden >= t.primary).all()
    assert not t.hidden[t.values == 0].any()
    if not t.hidden.any():
        return
    bounds = audit(t.values, t.hidden)
    width = bounds[:, 3] - bounds[:, 2]
    assert (width >= 1 - 1e-6).all(), bounds[width < 1]


@pytest.mark.parametrize("k", [0, -1])
def test_k_must_be_positive(k):
    with pytest.raises(ValueError):
        protect(np.array([[1]]), k=k)
