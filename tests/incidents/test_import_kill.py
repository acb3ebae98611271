"""SIGKILL at any moment of an import leaves the database exactly as before the batch, and the
re-run converges — on SQLite (WAL, synchronous FULL) and on PostgreSQL.

These tests run `copps import` in a child process against a database of their own, which kills
itself with SIGKILL at exact moments of its work (tests/killpoint.py: before given writes, just
before and just after its COMMIT), and compare the database with its state before the batch.
"""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from tests.conftest import shared_data
from tests.killpoint import copps_killed_at, kill_points

ENV = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def copps(db_url: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "copps.cli", *args],
        env={**ENV, "COPPS_DATABASE_URL": db_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def run_ok(db_url: str, *args: str) -> str:
    proc = copps(db_url, *args)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return out


class Database:
    def __init__(self, vendor: str, tmp_path: Path):
        self.vendor = vendor
        if vendor == "sqlite":
            self.path = tmp_path / "kill.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            import psycopg

            self.name = f"copps_kill_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"postgresql://postgres@127.0.0.1:5432/{self.name}"

    def state(self) -> tuple[int, int, str]:
        """(events, batches, checksum of every event's id, source id and content hash)."""
        sql_events = "SELECT id, source_id, row_hash, category_id FROM incidents_event ORDER BY id"
        sql_batches = "SELECT count(*) FROM incidents_importbatch"
        if self.vendor == "sqlite":
            conn = sqlite3.connect(self.path)
            try:
                rows, batches = conn.execute(sql_events).fetchall(), conn.execute(sql_batches).fetchone()[0]
            finally:
                conn.close()
        else:
            import psycopg

            with psycopg.connect(self.url) as conn:
                rows, batches = conn.execute(sql_events).fetchall(), conn.execute(sql_batches).fetchone()[0]
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        return len(rows), batches, digest

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until the killed client's server process has finished. A COMMIT that reached
        PostgreSQL before the kill still completes on the server after the client is gone."""
        if self.vendor != "postgresql":
            return
        import psycopg

        deadline = time.monotonic() + timeout
        with psycopg.connect(self.url, autocommit=True) as conn:
            while time.monotonic() < deadline:
                others = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchone()[0]
                if not others:
                    return
                time.sleep(0.1)
        raise AssertionError("the killed import's server process did not finish")

    def drop(self) -> None:
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    db = Database(request.param, tmp_path)
    yield db
    db.drop()


def big_chicago_file(tmp_path: Path, copies: int) -> Path:
    """The Chicago sample repeated with fresh ids: ~7,000 rows a copy."""
    src = shared_data("chicago/chicago_crimes_2014_socrata_sample.csv")
    out = tmp_path / "big.csv"
    with src.open(newline="") as fh, out.open("w", newline="") as dst:
        reader = csv.reader(fh)
        writer = csv.writer(dst)
        header = next(reader)
        writer.writerow(header)
        rows = list(reader)
        for k in range(copies):
            for row in rows:
                writer.writerow([str(int(row[0]) + 10_000_000 * (k + 1)), *row[1:]])
    return out


@pytest.mark.both_databases
def test_sigkill_during_import_leaves_nothing_and_rerun_converges(database, tmp_path):
    run_ok(database.url, "migrate", "-v0")
    run_ok(
        database.url, "import", str(shared_data("sacramento/SacramentocrimeJanuary2006.csv")), "--profile", "sacramento"
    )
    before = database.state()
    assert before[0] == 7546
    big = big_chicago_file(tmp_path, copies=2)  # 13,914 rows: three chunks of the importer
    rows = 2 * 6957

    # Killed before each of its first writes and just before its COMMIT: nothing of the batch stays.
    rolled_back = 0
    points = kill_points("incidents_importbatch 1", "incidents_event 1", "incidents_event 3", "incidents_importbatch 2")
    for point in points:
        proc = copps_killed_at(ENV, database.url, point, "import", str(big), "--profile", "chicago")
        assert proc.returncode == -signal.SIGKILL, f"the import ended before the kill at {point}: {proc.stderr}"
        database.settle()
        assert database.state() == before, f"a kill at {point} left part of a batch"
        rolled_back += 1
    assert rolled_back == len(points)

    # Killed just after its COMMIT (the first run not rolled back, after all those kills): the
    # whole batch is there, nothing believed imported by a batch that never committed.
    proc = copps_killed_at(ENV, database.url, "commit after", "import", str(big), "--profile", "chicago")
    assert proc.returncode == -signal.SIGKILL
    database.settle()
    committed = database.state()
    assert (committed[0], committed[1]) == (before[0] + rows, 2)

    # The re-run converges to what one clean import gives, and another run changes nothing.
    out = run_ok(database.url, "import", str(big), "--profile", "chicago")
    assert f"inserted 0, updated 0, unchanged {rows:,}" in out
    assert database.state()[::2] == committed[::2]
    out = run_ok(database.url, "import", str(big), "--profile", "chicago")
    assert f"inserted 0, updated 0, unchanged {rows:,}" in out
    assert database.state()[::2] == committed[::2]

