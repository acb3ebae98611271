"""A fresh copps site for one benchmark run: a new database (PostgreSQL or SQLite under
bench/out/), migrated, then the benchmark script run twice in child processes against it —
``--load N`` to fill it and ``--measure`` to time it — so that what the load left in memory
never flatters the measurement. Shared by the benchmarks that build their own site."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# the benchmark's own settings only: nothing of the caller's copps or Django environment leaks in
ENV = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}


def run_on_fresh_site(script: str, db: str, name: str, size: int, what: str) -> None:
    """Make database ``copps_<name>_bench`` (or ``bench/out/<name>_<size>.sqlite3``), migrate
    it, and run ``script --load size`` then ``script --measure`` against it."""
    OUT.mkdir(exist_ok=True)
    if db == "postgres":
        import psycopg

        database = f"copps_{name}_bench"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database}")
            conn.execute(f"CREATE DATABASE {database}")
        url = f"postgresql://postgres@127.0.0.1:5432/{database}"
    else:
        path = OUT / f"{name}_{size}.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    env = {**ENV, "COPPS_DATABASE_URL": url, "COPPS_MODE": "demo"}
    print(f"== {db}: {size:,} {what} ==", flush=True)
    subprocess.run([sys.executable, "-m", "copps.cli", "migrate", "--verbosity", "0"], env=env, check=True)
    subprocess.run([sys.executable, script, "--load", str(size)], env=env, check=True)
    subprocess.run([sys.executable, script, "--measure"], env=env, check=True)


def main(script: str, load, measure, *, name: str, what: str, default_size: int, default_db: str) -> None:
    """The command line of such a benchmark: ``--<what> N --db D`` builds a fresh site and runs
    the script on it; the hidden ``--load N`` and ``--measure`` are its two child runs."""
    parser = argparse.ArgumentParser()
    parser.add_argument(f"--{what}", type=int, default=default_size, dest="size", metavar="N")
    parser.add_argument("--db", default=default_db, choices=["postgres", "sqlite"])
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        return load(args.load)
    if args.measure:
        return measure()
    run_on_fresh_site(script, args.db, name, args.size, what)
