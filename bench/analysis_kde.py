"""Benchmark: quartic KDE of the 11,701 Chicago 2016 burglaries on a 200 m grid, h = 400 m.

Peers: a brute-force direct sum (the correctness oracle) and scipy's gaussian_kde at
the same cell centres. Then the binned FFT path on 1M events against the exact path.
Run: python bench/analysis_kde.py
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
from scipy import stats

from copps.analysis.grid import bin_points
from copps.analysis.hotspots import kde

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CSV = DATA / "chicago" / "chicago_burglary_2014_2017.csv"
CELL, H = 200.0, 400.0


def load_2016() -> tuple[np.ndarray, np.ndarray]:
    """x, y of the 2016 rows (``date_single`` is DD/MM/YYYY in this file)."""
    with CSV.open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["date_single"].endswith("/2016")]
    return np.array([float(r["x"]) for r in rows]), np.array([float(r["y"]) for r in rows])


def brute(x, y, grid) -> np.ndarray:
    cx, cy = grid.centres()
    cx, cy = cx.ravel(), cy.ravel()
    out = np.empty(cx.size)
    for s in range(0, cx.size, 256):
        d2 = (cx[s:s + 256, None] - x) ** 2 + (cy[s:s + 256, None] - y) ** 2
        out[s:s + 256] = (np.where(d2 < H * H, (1 - d2 / (H * H)) ** 2, 0.0)).sum(axis=1)
    return out.reshape(grid.shape) * 3 / (np.pi * H * H)


def main() -> None:
    if not CSV.exists():
        raise SystemExit(f"{CSV} is absent: ../shared/data is needed for this benchmark")
    x, y = load_2016()
    grid = bin_points(x, y, CELL)
    print(f"{x.size} events, grid {grid.shape[0]} x {grid.shape[1]} cells of {CELL:g} m, h {H:g} m")

    t0 = time.perf_counter()
    ref = brute(x, y, grid)
    t_brute = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = kde(x, y, grid, H)
    t_ours = time.perf_counter() - t0
    nz = ref > 0
    rel = float(np.max(np.abs(ours[nz] / ref[nz] - 1)))
    assert rel < 1e-9 and not ours[~nz].any(), rel
    print(f"correctness: exact mode vs direct sum, max relative error {rel:.1e}")
    print(f"exact quartic  brute force {t_brute:8.3f} s   copps {t_ours:8.4f} s   "
          f"ratio {t_brute / t_ours:7.1f}x")

    cx, cy = grid.centres()
    t0 = time.perf_counter()
    stats.gaussian_kde(np.vstack([x, y]))(np.vstack([cx.ravel(), cy.ravel()]))
    t_scipy = time.perf_counter() - t0
    t0 = time.perf_counter()
    kde(x, y, grid, H, kernel="gaussian")
    t_gauss = time.perf_counter() - t0
    print(f"gaussian       scipy gaussian_kde {t_scipy:8.3f} s   copps exact {t_gauss:8.4f} s   "
          f"ratio {t_scipy / t_gauss:7.1f}x   (copps quartic: {t_scipy / t_ours:.0f}x)")
    print("quoted peers (issue 3, not re-run): spatstat FFT 0.027 s, sfhotspot 18-21 s")

    rng = np.random.default_rng(1)
    pick = rng.integers(0, x.size, 1_000_000)
    bx = x[pick] + rng.normal(0, 150, pick.size)
    by = y[pick] + rng.normal(0, 150, pick.size)
    big = bin_points(bx, by, CELL)
    t0 = time.perf_counter()
    exact = kde(bx, by, big, H)
    t_exact = time.perf_counter() - t0
    for refine in (4, 8):
        t0 = time.perf_counter()
        binned = kde(bx, by, big, H, method="binned", refine=refine)
        t_binned = time.perf_counter() - t0
        err = np.abs(binned - exact)
        rel_max = float(err.max() / exact.max())
        dense = exact >= 0.01 * exact.max()
        rel_cell = float((err[dense] / exact[dense]).max())
        print(f"1M events refine {refine}: exact {t_exact:6.3f} s  binned {t_binned:6.3f} s  "
              f"max error / max density {rel_max:.1e}  max cell relative error "
              f"(cells >= 1% of max) {rel_cell:.1e}")


if __name__ == "__main__":
    main()
