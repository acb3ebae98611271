"""Knox near-repeat test: brute-force counts, the Near Repeat Calculator's own tables, memory."""

from __future__ import annotations

import csv
import gzip
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from copps.analysis.near_repeat import KnoxResult, knox, nrc_labels

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
NRC = DATA / "golden" / "near-repeat"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"data file {path} is absent (../shared/data is not beside this checkout)")
    return path


def _brute(x, y, t, dedges, tedges, metric, same_location=True):
    n = x.size
    rows = len(dedges) + (1 if same_location else 0)
    table = np.zeros((rows, len(tedges)), dtype=np.int64)
    for a in range(n):
        for b in range(a + 1, n):
            dx, dy = abs(x[a] - x[b]), abs(y[a] - y[b])
            d = dx + dy if metric == "manhattan" else np.hypot(dx, dy)
            dt = abs(t[a] - t[b])
            if same_location and d == 0:
                r = 0
            else:
                r = int(np.searchsorted(dedges, d, side="right")) - 1 + same_location
            c = int(np.searchsorted(tedges, dt, side="right")) - 1
            table[r, c] += 1
    return table


@pytest.mark.parametrize("metric", ["manhattan", "euclidean"])
@pytest.mark.parametrize("same_location", [True, False])
def test_observed_counts_equal_a_brute_force_pair_count(metric, same_location):
    rng = np.random.default_rng(8)
    n = 300
    x = rng.integers(0, 40, n) * 25.0
    y = rng.integers(0, 40, n) * 25.0
    t = rng.integers(0, 120, n).astype(float) + rng.uniform(0, 1, n).round(1)
    dedges, tedges = [0, 100, 200, 300], [0, 7, 14, 21]
    res = knox(x, y, t, dedges, tedges, permutations=0, metric=metric,
               same_location=same_location)
    assert isinstance(res, KnoxResult)
    expected = _brute(x, y, t, dedges, tedges, metric, same_location)
    np.testing.assert_array_equal(res.observed, expected)
    assert res.observed.sum() == res.pairs == n * (n - 1) // 2


def test_permuted_tables_conserve_pairs_and_expected_is_their_mean():
    rng = np.random.default_rng(2)
    x, y = rng.uniform(0, 2000, (2, 400))
    t = rng.uniform(0, 365, 400)
    res = knox(x, y, t, [0, 100, 200], [0, 7, 14], permutations=199, seed=5)
    assert res.expected.sum() == pytest.approx(res.pairs)
    # column totals never change when times are permuted
    np.testing.assert_allclose(res.expected.sum(axis=0), res.observed.sum(axis=0))
    assert ((res.p > 0) & (res.p <= 1)).all()


def test_no_space_time_interaction_gives_unremarkable_p_values():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 3000, (2, 1500))
    t = rng.uniform(0, 365, 1500)
    res = knox(x, y, t, [0, 100, 200, 400], [0, 7, 14, 30], permutations=199, seed=3,
               same_location=False)
    assert np.nanmin(res.p) > 0.01
    assert np.all(np.abs(res.ratio[:-1, :-1] - 1) < 0.6)


def test_planted_near_repeats_are_found():
    rng = np.random.default_rng(6)
    x, y = rng.uniform(0, 5000, (2, 1500))
    t = rng.uniform(0, 365, 1500)
    # each of 150 seeds gets a follow-up within 50 m and 3 days
    k = 150
    x = np.concatenate([x, x[:k] + rng.uniform(-25, 25, k)])
    y = np.concatenate([y, y[:k] + rng.uniform(-25, 25, k)])
    t = np.concatenate([t, t[:k] + rng.uniform(0, 3, k)])
    res = knox(x, y, t, [0, 100, 200], [0, 7, 14], permutations=99, seed=1,
               same_location=False)
    assert res.ratio[0, 0] > 2 and res.p[0, 0] == pytest.approx(0.01)


def test_seeded_runs_repeat_exactly():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1000, (2, 200))
    t = rng.uniform(0, 100, 200)
    a = knox(x, y, t, [0, 100], [0, 7], permutations=49, seed=9)
    b = knox(x, y, t, [0, 100], [0, 7], permutations=49, seed=np.random.default_rng(9))
    np.testing.assert_array_equal(a.expected, b.expected)


def test_datetimes_are_accepted():
    t = np.array(["2016-01-01", "2016-01-03", "2016-02-01"], dtype="datetime64[D]")
    res = knox([0, 10, 20], [0, 0, 0], t, [0, 100], [0, 7], permutations=0)
    assert res.observed[1].tolist() == [1, 2]


def test_bad_bands_are_refused():
    with pytest.raises(ValueError):
        knox([0, 1], [0, 1], [0, 1], [10, 100], [0, 7])


def test_memory_grows_with_close_pairs_not_with_n_squared():
    rng = np.random.default_rng(1)
    n = 20000  # 200 M pairs: an n x n approach would need gigabytes
    x, y = rng.uniform(0, 20000, (2, n))
    t = rng.uniform(0, 365, n)
    tracemalloc.start()
    knox(x, y, t, [0, 100, 200], [0, 7, 14], permutations=9, seed=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 150e6


def _nrc_input(name):
    with _need(NRC / f"{name}.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    x = np.array([float(r[0]) for r in rows])
    y = np.array([float(r[1]) for r in rows])
    t = np.array([r[2] for r in rows], dtype="datetime64[D]")
    return x, y, t


# Observed tables printed by the Near Repeat Calculator 1.3 in
# ../shared/data/golden/near-repeat/*_NRsummary_*.htm (see the golden README).
NRC_TABLES = {
    "chicago_be_month1": ([0, 100, 200, 300], [0, 7, 14, 21], [
        [28, 5, 5, 2], [44, 13, 8, 4], [97, 56, 19, 16], [77, 67, 45, 20],
        [182194, 146149, 95237, 45879]]),
    "chicago_arson": ([0, 200, 400, 600], [0, 1, 2, 3], [
        [0, 2, 0, 8], [9, 1, 1, 45], [4, 0, 0, 140], [6, 0, 0, 234],
        [393, 710, 770, 133658]]),
}


@pytest.mark.parametrize("name", sorted(NRC_TABLES))
def test_nrc_mode_reproduces_the_near_repeat_calculator_pair_for_pair(name):
    x, y, t = _nrc_input(name)
    dedges, tedges, table = NRC_TABLES[name]
    res = knox(x, y, t, dedges, tedges, permutations=19, seed=1, nrc=True)
    np.testing.assert_array_equal(res.observed, np.array(table))


def test_nrc_verbose_file_agrees_with_the_summary_table():
    path = _need(NRC / "chicago_be_month1_NRverbose_2019-09-23_143005.csv")
    text = path.read_text(errors="replace")
    block = text.split("Observed frequencies distribution")[1].splitlines()[3:8]
    parsed = [[int(v) for v in line.split(",")[2:6]] for line in block]
    assert parsed == NRC_TABLES["chicago_be_month1"][2]


def test_default_mode_differs_from_nrc_only_by_float32_rounding():
    x, y, t = _nrc_input("chicago_arson")
    dedges, tedges, table = NRC_TABLES["chicago_arson"]
    res = knox(x, y, t, dedges, tedges, permutations=0)
    diff = res.observed - np.array(table)
    assert np.abs(diff).sum() <= 4  # a pair on a band edge moves with float64 coordinates
    assert diff.sum() == 0


def test_nrc_labels_show_the_off_by_one_quirk():
    dl, tl = nrc_labels([0, 100, 200, 300], [0, 7, 14, 21])
    assert dl == ("Same location", "1 to 100", "101 to 200", "201 to 300", "More than 300")
    assert tl == ("0 to 7", "8 to 14", "15 to 21", "More than 21")


def test_cincinnati_burglary_shows_near_repeats():
    path = _need(DATA / "cincinnati" / "cincinnati_burglary_2016_2018.csv.gz")
    with gzip.open(path, "rt", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["latitude"] not in ("", "NA")
                and r["longitude"] not in ("", "NA")]
    seen, lon, lat, day = set(), [], [], []
    for r in rows:  # one row per offence: keep one per incident
        if r["incident_no"] in seen:
            continue
        seen.add(r["incident_no"])
        lon.append(float(r["longitude"]))
        lat.append(float(r["latitude"]))
        day.append(r["offense_date"][:10])
    lon, lat = np.array(lon), np.array(lat)
    # local equirectangular projection to metres (adequate over one city)
    x = np.radians(lon - lon.mean()) * 6371008.8 * np.cos(np.radians(lat.mean()))
    y = np.radians(lat - lat.mean()) * 6371008.8
    t = np.array(day, dtype="datetime64[D]")
    res = knox(x, y, t, [0, 100, 200, 400], [0, 7, 14, 28], permutations=99, seed=2)
    assert res.ratio[1, 0] > 1.2 and res.p[1, 0] <= 0.02
    assert res.ratio[-1, 0] == pytest.approx(1.0, abs=0.05)


def test_time_bands_longer_than_the_study_period_are_fine():
    t = np.array([0, 3, 10, 40], dtype=float)
    res = knox([0, 10, 20, 30], [0, 0, 0, 0], t, [0, 100], [0, 7, 100_000], permutations=9,
               seed=1)
    assert res.observed[1].tolist() == [1, 5, 0]
