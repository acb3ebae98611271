"""Benchmark: Mann–Kendall trend test over 10,000 cells x 52 weeks (goal < 0.5 s).

Peer: a per-cell loop of scipy.stats.kendalltau against time (the same test
without continuity correction; the issue quotes 7.4 s for a pymannkendall loop).
Run: python bench/analysis_trend.py
"""

from __future__ import annotations

import time

import numpy as np
from scipy import stats

from copps.analysis.hotspots import emerging
from copps.analysis.trend import mann_kendall

CELLS, WEEKS = 10_000, 52


def main() -> None:
    rng = np.random.default_rng(7)
    x = rng.poisson(3.0, size=(CELLS, WEEKS)).astype(float)
    x[:500] += np.linspace(0, 4, WEEKS)
    steps = np.arange(WEEKS)

    t0 = time.perf_counter()
    ref = np.array([stats.kendalltau(steps, row, method="asymptotic").pvalue for row in x])
    peer = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = mann_kendall(x, continuity=False)
    mine = time.perf_counter() - t0
    err = float(np.max(np.abs(ours.p - ref)))
    assert err < 1e-9, err
    print(f"correctness: max |p - scipy kendalltau p| = {err:.1e} over {CELLS:,} series")
    print(f"Mann-Kendall {CELLS:,} x {WEEKS}: scipy loop {peer:7.3f} s   copps {mine:7.4f} s   "
          f"ratio {peer / mine:6.1f}x   (goal < 0.5 s: {'met' if mine < 0.5 else 'NOT met'})")

    cube = rng.poisson(2.0, size=(WEEKS, 100, 100)).astype(float)
    cube[:, 40:43, 40:43] += np.linspace(2, 10, WEEKS)[:, None, None]
    t0 = time.perf_counter()
    res = emerging(cube)
    whole = time.perf_counter() - t0
    assert res.category[41, 41] == 3, res.category[41, 41]
    print(f"emerging hot spots, 100 x 100 cells x {WEEKS} weeks (Gi* every week + Mann-Kendall): "
          f"{whole:.3f} s")


if __name__ == "__main__":
    main()
