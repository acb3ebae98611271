"""Import speed: copps import vs the raw load of the same file, on SQLite and PostgreSQL.

    python bench/import_speed.py [--rows 1000000] [--pg postgresql://postgres@127.0.0.1:5432]

Generates a Chicago Socrata-schema CSV, then times (1) the raw load of it into a bare table of
text columns — sqlite3's `.import` and PostgreSQL's `COPY` — and (2) `copps import --profile
chicago` into a freshly migrated database, by each path (`--path row` and `--path columnar`,
importing/columnar.py). Prints rows/s, the ratio to the raw load, and each import's peak memory
for the full file and a quarter of it (memory should not grow with size).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out"
HEADER = [
    "ID",
    "Case Number",
    "Date",
    "Block",
    "IUCR",
    "Primary Type",
    "Description",
    "Location Description",
    "Arrest",
    "Domestic",
    "Beat",
    "District",
    "Ward",
    "Community Area",
    "FBI Code",
    "X Coordinate",
    "Y Coordinate",
    "Year",
    "Updated On",
    "Latitude",
    "Longitude",
    "Location",
]
TYPES = [
    ("0486", "BATTERY", "DOMESTIC BATTERY SIMPLE", "08B"),
    ("0820", "THEFT", "$500 AND UNDER", "06"),
    ("0610", "BURGLARY", "FORCIBLE ENTRY", "05"),
    ("1310", "CRIMINAL DAMAGE", "TO PROPERTY", "14"),
    ("0910", "MOTOR VEHICLE THEFT", "AUTOMOBILE", "07"),
    ("2027", "NARCOTICS", "POSS: CRACK", "18"),
    ("031A", "ROBBERY", "ARMED: HANDGUN", "03"),
    ("0560", "ASSAULT", "SIMPLE", "08A"),
]
STREETS = ["N STATE ST", "W MADISON ST", "S HALSTED ST", "W 63RD ST", "N CLARK ST", "E 79TH ST", "W CHICAGO AVE"]
PLACES = ["STREET", "RESIDENCE", "APARTMENT", "SIDEWALK", "PARKING LOT/GARAGE(NON.RESID.)", "RESTAURANT"]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2016-01-01T00:00:00")
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        block = 100_000
        for offset in range(0, rows, block):
            n = min(block, rows - offset)
            secs = rng.integers(0, 3 * 365 * 86400, n)
            kinds = rng.integers(0, len(TYPES), n)
            lat = rng.uniform(41.65, 42.02, n)
            lon = rng.uniform(-87.90, -87.53, n)
            nums = rng.integers(0, 120, n) * 100
            streets = rng.integers(0, len(STREETS), n)
            places = rng.integers(0, len(PLACES), n)
            beats = rng.integers(111, 2535, n)
            missing = rng.random(n) < 0.01
            for i in range(n):
                dt = (start + np.timedelta64(int(secs[i]), "s")).astype(object)
                iucr, ptype, desc, fbi = TYPES[kinds[i]]
                la, lo = ("", "") if missing[i] else (f"{lat[i]:.9f}", f"{lon[i]:.9f}")
                w.writerow(
                    [
                        offset + i + 1,
                        f"JA{offset + i:06d}",
                        dt.strftime("%m/%d/%Y %I:%M:%S %p"),
                        f"{nums[i] // 100:03d}XX {STREETS[streets[i]]}",
                        iucr,
                        ptype,
                        desc,
                        PLACES[places[i]],
                        "false",
                        "true" if kinds[i] == 0 else "false",
                        f"{beats[i]:04d}",
                        f"{beats[i] // 100:03d}",
                        "27",
                        "25",
                        fbi,
                        "1170000",
                        "1900000",
                        dt.year,
                        "02/10/2018 03:50:01 PM",
                        la,
                        lo,
                        "" if missing[i] else f'"({la}, {lo})"',
                    ]
                )


def timed(cmd: list[str], stdin_text: str | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, input=stdin_text, text=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


# Runs `copps import` in this child and writes its peak resident memory (kB) to a file.
_PROBE = """import resource, sys
from copps.cli import main
rss_path = sys.argv.pop()
try:
    main(sys.argv[1:])
finally:
    open(rss_path, "w").write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


def copps_import(db_url: str, path: Path, route: str) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB, seconds of the import step) of `copps import` in a child process
    on a migrated database. The import step is what the summary times: reading, normalising,
    staging and merging in one transaction, without process start-up and the public refresh
    and coverage that `copps import` runs after it."""
    env = {**os.environ, "COPPS_DATABASE_URL": db_url}
    subprocess.run([sys.executable, "-m", "copps.cli", "migrate", "-v0"], check=True, env=env)
    rss_path = OUT / "last.rss"
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, "import", str(path), "--profile", "chicago", "--path", route, str(rss_path)],
        check=True,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    seconds = time.perf_counter() - t
    step = re.search(r"\((\d+\.\d) s, [\d,]+ rows/s\)", out)
    assert step and f"path: {route}" in out, out
    return seconds, int(rss_path.read_text()) / 1024, float(step.group(1))


def sqlite_raw(path: Path, db: Path) -> float:
    db.unlink(missing_ok=True)
    cols = ", ".join(f'"{c}" TEXT' for c in HEADER)
    return timed(["sqlite3", str(db)], f'CREATE TABLE t ({cols});\n.mode csv\n.import --skip 1 "{path}" t\n')


def pg_admin(pg: str, sql: str) -> None:
    subprocess.run(
        ["psql", f"{pg}/postgres", "-q", "-c", sql], stderr=subprocess.DEVNULL, check=True, stdout=subprocess.DEVNULL
    )


# one pair of databases per run: two runs at once (several worktrees) never drop each other's
PG_RAW, PG_IMPORT = f"copps_bench_raw_{os.getpid()}", f"copps_bench_{os.getpid()}"


def pg_raw(path: Path, pg: str) -> float:
    pg_admin(pg, f"DROP DATABASE IF EXISTS {PG_RAW}")
    pg_admin(pg, f"CREATE DATABASE {PG_RAW}")
    cols = ", ".join(f'"{c}" TEXT' for c in HEADER)
    subprocess.run(["psql", f"{pg}/{PG_RAW}", "-q", "-c", f"CREATE TABLE t ({cols})"], check=True)
    seconds = timed(["psql", f"{pg}/{PG_RAW}", "-q", "-c", f"\\copy t FROM '{path}' CSV HEADER"])
    pg_admin(pg, f"DROP DATABASE {PG_RAW}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--skip-pg", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    full = OUT / f"chicago_{args.rows}.csv"
    quarter = OUT / f"chicago_{args.rows // 4}.csv"
    for path, n in ((full, args.rows), (quarter, args.rows // 4)):
        if not path.exists():
            print(f"generating {n:,} rows -> {path}", flush=True)
            generate(path, n)
    size_mb = full.stat().st_size / 1e6
    print(f"file: {args.rows:,} rows, {size_mb:,.0f} MB\n")
    results = []

    def sqlite_import(route: str, path: Path) -> tuple[float, float, float]:
        db = OUT / f"copps_{route}_{path.stem}.sqlite3"
        for f in OUT.glob(db.name + "*"):
            f.unlink()
        return copps_import(f"sqlite:///{db}", path, route)

    def pg_import(route: str, path: Path) -> tuple[float, float, float]:
        pg_admin(args.pg, f"DROP DATABASE IF EXISTS {PG_IMPORT}")
        pg_admin(args.pg, f"CREATE DATABASE {PG_IMPORT}")
        try:
            return copps_import(f"{args.pg}/{PG_IMPORT}", path, route)
        finally:
            pg_admin(args.pg, f"DROP DATABASE {PG_IMPORT}")

    databases = [("SQLite", "sqlite3 .import", lambda: sqlite_raw(full, OUT / "raw.sqlite3"), sqlite_import)]
    if not args.skip_pg:
        databases.append(("PostgreSQL", "COPY", lambda: pg_raw(full, args.pg), pg_import))
    for db, peer, raw_load, load in databases:
        raw = raw_load()
        for route in ("row", "columnar"):
            ours, rss, step = load(route, full)
            _, rss_q, _ = load(route, quarter)
            results.append((db, peer, route, raw, ours, step, rss, rss_q))
            print(f"{db} {route}: {args.rows / ours:,.0f} rows/s (raw load {args.rows / raw:,.0f} rows/s)", flush=True)

    print(
        "\ncopps rows/s: the whole `copps import` command (start-up, import, public refresh, coverage); "
        "import step: the import's own transaction (read, normalise, stage, merge), as its summary times it"
    )
    print(
        f"{'database':11} {'peer':16} {'path':9} {'peer rows/s':>12} {'copps rows/s':>13} {'ratio':>7} "
        f"{'import step rows/s':>19} {'ratio':>7} {'peak MB (1/4 file)':>19} {'peak MB (file)':>15}"
    )
    for db, peer, route, raw_s, ours_s, step_s, rss_full, rss_quarter in results:
        print(
            f"{db:11} {peer:16} {route:9} {args.rows / raw_s:12,.0f} {args.rows / ours_s:13,.0f} "
            f"{ours_s / raw_s:6.1f}x {args.rows / step_s:19,.0f} {step_s / raw_s:6.1f}x "
            f"{rss_quarter:19,.0f} {rss_full:15,.0f}"
        )
    print(f"\nload average while measuring: {', '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
