"""Real data: Chicago burglaries 2014 (hot spots) from ../shared/data."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pytest

from copps.analysis.grid import bin_points
from copps.analysis.hotspots import gistar, kde
from copps.analysis.places import concentration

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CSV = DATA / "chicago" / "chicago_burglary_2014_2017.csv"


@pytest.fixture(scope="module")
def chicago_2014():
    if not CSV.exists():
        pytest.skip(f"real data file {CSV} is absent (../shared/data is not beside this checkout)")
    with CSV.open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["date_single"].endswith("/2014")]
    return np.array([float(r["x"]) for r in rows]), np.array([float(r["y"]) for r in rows])


def test_gistar_on_chicago_2014_equals_esda(chicago_2014):
    esda_getisord = pytest.importorskip("esda.getisord")
    lat2w = pytest.importorskip("libpysal.weights").lat2W
    x, y = chicago_2014
    grid = bin_points(x, y, 500.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda_getisord.G_Local(grid.counts.ravel(), lat2w(*grid.shape, rook=False),
                                    transform="B", star=True, permutations=0)
    res = gistar(grid)
    np.testing.assert_allclose(res.z.ravel(), ref.Zs, rtol=0, atol=1e-9)
    assert (res.classes == 3).sum() > 20  # burglary concentrates
    assert grid.counts.sum() == x.size > 10000


def test_kde_on_chicago_2014_keeps_its_mass_and_matches_the_direct_sum(chicago_2014):
    x, y = chicago_2014
    h, c = 400.0, 100.0
    grid = bin_points(x, y, c, bounds=(x.min() - h - c, y.min() - h - c, x.max() + h + c,
                                       y.max() + h + c))
    dens = kde(x, y, grid, h)
    assert dens.sum() * c * c == pytest.approx(x.size, rel=1e-3)
    rng = np.random.default_rng(0)
    cx, cy = grid.centres()
    pick = rng.choice(cx.size, 300, replace=False)
    d2 = (cx.ravel()[pick, None] - x) ** 2 + (cy.ravel()[pick, None] - y) ** 2
    ref = (np.where(d2 < h * h, (1 - d2 / (h * h)) ** 2, 0)).sum(axis=1) * 3 / (np.pi * h * h)
    np.testing.assert_allclose(dens.ravel()[pick], ref, rtol=1e-9, atol=1e-20)


def test_burglary_is_concentrated_in_few_cells(chicago_2014):
    x, y = chicago_2014
    grid = bin_points(x, y, 250.0)
    r = concentration(grid.counts)
    assert 0.5 < r.gini < 1.0
    assert r.top_shares[0.1] > 0.3
