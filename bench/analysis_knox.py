"""Benchmark: Knox near-repeat test, 50,000 events and 999 permutations (< 10 s, < 2 GB).

Data: the 45,319 Chicago burglaries 2014-2017, topped up to 50,000 with jittered
copies. Correctness first: observed counts against a brute-force pair count on a
subset. Run: python bench/analysis_knox.py
"""

from __future__ import annotations

import csv
import resource
import time
import tracemalloc
from pathlib import Path

import numpy as np

from copps.analysis.near_repeat import knox

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CSV = DATA / "chicago" / "chicago_burglary_2014_2017.csv"
DIST, DAYS = [0, 100, 200, 300], [0, 7, 14, 21]


def load():
    with CSV.open(newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([float(r["x"]) for r in rows])
    y = np.array([float(r["y"]) for r in rows])
    d = [r["date_single"] for r in rows]  # DD/MM/YYYY in this file
    t = np.array([f"{s[6:10]}-{s[3:5]}-{s[0:2]}" for s in d], dtype="datetime64[D]")
    return x, y, t


def brute(x, y, t):
    dx = np.abs(x[:, None] - x[None, :]) + np.abs(y[:, None] - y[None, :])
    dt = np.abs(t[:, None] - t[None, :])
    iu = np.triu_indices(x.size, 1)
    d, s = dx[iu], dt[iu]
    row = np.where(d == 0, 0, np.searchsorted(DIST, d, side="right"))
    col = np.searchsorted(DAYS, s, side="right") - 1
    table = np.zeros((len(DIST) + 1, len(DAYS)), dtype=np.int64)
    np.add.at(table, (row, col), 1)
    return table


def main() -> None:
    if not CSV.exists():
        raise SystemExit(f"{CSV} is absent: ../shared/data is needed for this benchmark")
    x, y, t = load()
    days = (t - t.min()).astype(float)
    sub = slice(0, 3000)
    ok = knox(x[sub], y[sub], days[sub], DIST, DAYS, permutations=0).observed
    assert np.array_equal(ok, brute(x[sub], y[sub], days[sub]))
    print("correctness: observed table equals a brute-force pair count on 3,000 events")

    in2016 = t.astype("datetime64[Y]") == np.datetime64("2016", "Y")
    t0 = time.perf_counter()
    knox(x[in2016], y[in2016], days[in2016], DIST, DAYS, permutations=19, seed=1)
    t19 = time.perf_counter() - t0
    print(f"Chicago 2016 ({in2016.sum()} events), 19 permutations: copps {t19:.3f} s "
          f"(quoted fastest peer, issue 3: 0.40 s -> ratio {0.40 / t19:.1f}x; "
          f"NRC 110 s, R NearRepeat 123 s)")

    rng = np.random.default_rng(0)
    extra = rng.integers(0, x.size, 50_000 - x.size)
    bx = np.concatenate([x, x[extra] + rng.normal(0, 30, extra.size)])
    by = np.concatenate([y, y[extra] + rng.normal(0, 30, extra.size)])
    bt = np.concatenate([days, days[extra] + rng.integers(-30, 31, extra.size)])
    t0 = time.perf_counter()
    res = knox(bx, by, bt, DIST, DAYS, permutations=999, seed=1)
    elapsed = time.perf_counter() - t0
    tracemalloc.start()  # a second, shorter run only to measure the memory peak
    knox(bx, by, bt, DIST, DAYS, permutations=32, seed=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    close = int(res.observed[:-1].sum())
    print(f"50,000 events ({res.pairs:,} pairs, {close:,} within {DIST[-1]} m), 999 permutations: "
          f"{elapsed:.2f} s, peak traced memory {peak / 1e6:.0f} MB, process max RSS {rss:.0f} MB")
    print("Knox ratios (rows: same location, 0-100, 100-200, 200-300, beyond; "
          "cols: 0-7, 7-14, 14-21, 21+ days):")
    print(np.array2string(res.ratio, precision=2))
    met = elapsed < 10 and rss < 2048
    print("goal (issue 3): < 10 s and < 2 GB: " + ("met" if met else "NOT met"))


if __name__ == "__main__":
    main()
