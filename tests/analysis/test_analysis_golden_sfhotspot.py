"""sfhotspot's hotspot_gistar() on Memphis robberies, January 2019, reproduced cell for cell.

Golden file: ../shared/data/golden/sfhotspot/ (see its README for the peer's rules).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from copps.analysis.grid import sfhotspot_cell_size, sfhotspot_grid
from copps.analysis.hotspots import bandwidth_rule, gistar, kde

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
GOLDEN = DATA / "golden" / "sfhotspot"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"golden file {path} is absent (../shared/data is not beside this checkout)")
    return path


@pytest.fixture(scope="module")
def memphis():
    with _need(GOLDEN / "memphis_robberies_jan_epsg2843.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([float(r["x"]) for r in rows])
    y = np.array([float(r["y"]) for r in rows])
    gold = np.loadtxt(_need(GOLDEN / "sfhotspot_gistar_memphis_jan.csv"), delimiter=",",
                      skiprows=1)
    return x, y, gold


def test_grid_matches_cell_for_cell(memphis):
    x, y, gold = memphis
    assert sfhotspot_cell_size(x, y) == 500.0
    g = sfhotspot_grid(x, y)
    assert int(g.mask.sum()) == len(gold) == 2704
    cx, cy = g.centres()
    # sfhotspot orders cells bottom-up, x fastest: the same as a row-major mask
    np.testing.assert_allclose(cx[g.mask], gold[:, 0], rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(cy[g.mask], gold[:, 1], rtol=1e-12, atol=1e-6)
    np.testing.assert_array_equal(g.counts[g.mask], gold[:, 2])


def test_kde_matches_with_sfhotspots_x_only_bandwidth(memphis):
    x, y, gold = memphis
    h = bandwidth_rule(x, y, "sfhotspot")
    assert h == pytest.approx(8862.284335, abs=1e-6)
    g = sfhotspot_grid(x, y)
    ours = kde(x, y, g, "sfhotspot", normalise=False)[g.mask]
    np.testing.assert_allclose(ours, gold[:, 3], rtol=1e-9)


def test_copps_default_bandwidth_is_the_documented_rule(memphis):
    x, y, _ = memphis
    assert bandwidth_rule(x, y) == pytest.approx(9366.65, abs=0.01)


def test_gistar_and_p_match(memphis):
    x, y, gold = memphis
    g = sfhotspot_grid(x, y)
    res = gistar(g, "queen", fdr=None)  # distance band cell*sqrt(2) == queen
    np.testing.assert_allclose(res.z[g.mask], gold[:, 4], rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.p[g.mask], gold[:, 5], rtol=1e-9, atol=1e-12)
    same = gistar(g, np.sqrt(2.0), fdr=None)
    np.testing.assert_allclose(same.z[g.mask], gold[:, 4], rtol=0, atol=1e-9)
