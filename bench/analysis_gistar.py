"""Benchmark: Gi* on a 316 x 316 queen grid, copps vs esda (analytic and 999 permutations).

Run: python bench/analysis_gistar.py   (correctness is checked before any time is printed)
"""

from __future__ import annotations

import subprocess
import sys
import time
import warnings

import numpy as np

from copps.analysis.hotspots import gistar

SIDE = 316
PERMUTATIONS = 999


def main() -> None:
    from esda.getisord import G_Local
    from libpysal.graph import Graph
    from libpysal.weights import lat2W

    rng = np.random.default_rng(2024)
    y = rng.poisson(2.0, size=(SIDE, SIDE)).astype(float)
    y[100:110, 200:210] += 5
    graph = Graph.from_W(lat2W(SIDE, SIDE, rook=False))
    warnings.simplefilter("ignore")

    # correctness first
    ref = G_Local(y.ravel(), graph, transform="B", star=True, permutations=0)
    ours = gistar(y, "queen")
    err = float(np.max(np.abs(ours.z.ravel() - ref.Zs)))
    assert err < 1e-9, f"z differs from esda by {err}"
    print(f"correctness: max |z - esda z| = {err:.2e} on {SIDE}x{SIDE} cells")

    t0 = time.perf_counter()
    G_Local(y.ravel(), graph, transform="B", star=True, permutations=0)
    peer = time.perf_counter() - t0
    t0 = time.perf_counter()
    gistar(y, "queen")
    mine = time.perf_counter() - t0
    print(f"analytic      esda {peer:8.3f} s   copps {mine:8.4f} s   ratio {peer / mine:7.1f}x")

    # warm esda's numba kernels on a small grid so its compile time is not counted
    small = Graph.from_W(lat2W(40, 40, rook=False))
    t0 = time.perf_counter()
    G_Local(y[:40, :40].ravel(), small, transform="B", star=True, permutations=99, seed=1)
    print(f"(esda warm-up, numba compilation on a 40x40 grid: {time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    ref_p = G_Local(y.ravel(), graph, transform="B", star=True, permutations=PERMUTATIONS, seed=1)
    peer_p = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours_p = gistar(y, "queen", permutations=PERMUTATIONS, seed=1)
    mine_p = time.perf_counter() - t0
    # independent random draws: compare the distributions, not cell by cell
    diff = np.abs(ours_p.p_sim.ravel() - ref_p.p_sim)
    bias = abs(ours_p.p_sim.mean() - ref_p.p_sim.mean())
    share = [(p <= 0.01).mean() for p in (ours_p.p_sim.ravel(), ref_p.p_sim)]
    assert bias < 0.002 and diff.mean() < 0.025 and abs(share[0] - share[1]) < 0.004
    print(f"p_sim check: mean p_sim {ours_p.p_sim.mean():.4f} vs esda {ref_p.p_sim.mean():.4f}; "
          f"share <= 0.01: {share[0]:.4f} vs {share[1]:.4f}")
    print(f"999 perms     esda {peer_p:8.3f} s   copps {mine_p:8.4f} s   "
          f"ratio {peer_p / mine_p:7.1f}x")

    code = (
        "import time; t=time.perf_counter(); import numpy as np; "
        "from copps.analysis.hotspots import gistar; "
        f"gistar(np.random.default_rng(0).poisson(2.0, ({SIDE}, {SIDE})).astype(float), "
        f"permutations={PERMUTATIONS}, seed=1); print(time.perf_counter()-t)"
    )
    first = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout)
    print(f"first result in a fresh process (import + 999 perms): {first:.2f} s")


if __name__ == "__main__":
    main()
