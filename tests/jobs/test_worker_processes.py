"""`copps worker` processes on a database of their own (SQLite file and PostgreSQL): a worker
killed with SIGKILL in the middle of a job, and two workers sharing one queue.

The workers are real child processes; the tests wait for states with generous deadlines and
assert on the jobs table, never on how long anything took.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.both_databases, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}
# the workers import the tests' own jobs (tests.jobs.jobtasks) from the repository root
ENV["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO), ENV.get("PYTHONPATH", "")] if p)
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
JOBS = "django_tasks_database_dbtaskresult"


class Database:
    def __init__(self, vendor: str, folder: Path):
        self.vendor = vendor
        if vendor == "sqlite":
            self.path = folder / "jobs.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            import psycopg

            self.name = f"copps_jobs_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"postgresql://postgres@127.0.0.1:5432/{self.name}"

    def copps(self, *args: str, env: dict | None = None) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "copps.cli", *args],
            env={**ENV, "COPPS_DATABASE_URL": self.url, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run_ok(self, *args: str, env: dict | None = None) -> str:
        proc = self.copps(*args, env=env)
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        return out

    def python(self, code: str) -> str:
        return self.run_ok("shell", "-c", code)

    def jobs(self) -> dict[str, dict]:
        sql = f"SELECT id, status, worker_ids, return_value, exception_class_path FROM {JOBS}"
        if self.vendor == "sqlite":
            conn = sqlite3.connect(self.path)
            try:
                rows = conn.execute(sql).fetchall()
            finally:
                conn.close()
        else:
            import psycopg

            with psycopg.connect(self.url) as conn:
                rows = conn.execute(sql).fetchall()

        def loads(v):
            return json.loads(v) if isinstance(v, str) else v

        return {
            str(uuid.UUID(str(i))): {"status": s, "workers": loads(w), "value": loads(v), "error": e}
            for i, s, w, v, e in rows
        }

    def clear(self) -> None:
        self.python(
            "from django_tasks_db.models import DBTaskResult; from copps.jobs.models import WorkerBeat;"
            "DBTaskResult.objects.all().delete(); WorkerBeat.objects.all().delete()"
        )

    def drop(self) -> None:
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory):
    db = Database(request.param, tmp_path_factory.mktemp(request.param))
    try:
        db.run_ok("migrate", "--verbosity", "0")
        yield db
    finally:
        db.drop()


def wait_for(check, what: str, timeout: float = 180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def enqueue_hold(db: Database, folder: Path) -> str:
    out = db.python(
        "from copps.jobs.queue import enqueue; from tests.jobs.jobtasks import hold;"
        f"print(enqueue(hold, {str(folder)!r}, label='hold', username='test').id)"
    )
    return out.strip().splitlines()[-1]


@pytest.mark.parametrize("attempts, outcome", [(3, "SUCCESSFUL"), (1, "FAILED")])
def test_a_job_of_a_worker_killed_mid_job_is_retried_or_failed_never_lost(database, tmp_path, attempts, outcome):
    database.clear()
    job_id = enqueue_hold(database, tmp_path)
    first = database.copps("worker", "--no-startup-delay", "--interval", "0.2")
    try:
        wait_for(lambda: list(tmp_path.glob("started-1-*")), "the first worker to start the job")
        assert database.jobs()[job_id]["status"] == "RUNNING"
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)
    assert first.returncode == -signal.SIGKILL
    assert database.jobs()[job_id]["status"] == "RUNNING"  # nobody has noticed yet
    (tmp_path / "release").write_text("")

    # a second worker notices that the first one's process is gone, then runs what is queued
    database.run_ok("worker", "--batch", "--no-startup-delay", env={"COPPS_JOB_ATTEMPTS": str(attempts)})
    job = database.jobs()[job_id]
    assert job["status"] == outcome
    if outcome == "SUCCESSFUL":
        assert job["value"] == 42 and len(job["workers"]) == 2
        assert len(list(tmp_path.glob("started-2-*"))) == 1  # run again, once
    else:
        assert job["error"] == "copps.jobs.liveness.WorkerLost" and len(job["workers"]) == 1
        assert not list(tmp_path.glob("started-2-*"))  # not run again
    listing = database.run_ok("jobs", "list", "--json")
    assert json.loads(listing.splitlines()[0])["status"] == outcome


def test_two_workers_share_one_queue_and_run_each_job_once(database, tmp_path):
    database.clear()
    n_jobs = 24
    database.python(
        "from copps.jobs.queue import enqueue; from tests.jobs.jobtasks import log_run;"
        f"[enqueue(log_run, {str(tmp_path)!r}, n, label=f'log {{n}}') for n in range({n_jobs})]"
    )
    workers = [database.copps("worker", "--batch", "--no-startup-delay") for _ in range(2)]
    for w in workers:
        _, err = w.communicate(timeout=600)
        assert w.returncode == 0, err
    jobs = database.jobs()
    assert len(jobs) == n_jobs
    assert all(j["status"] == "SUCCESSFUL" and len(j["workers"]) == 1 for j in jobs.values())
    assert sorted(j["value"] for j in jobs.values()) == sorted(n * n for n in range(n_jobs))
    runs = [int(line.split()[0]) for line in (tmp_path / "runs.log").read_text().splitlines()]
    assert sorted(runs) == list(range(n_jobs))  # every job ran exactly once


def test_workers_claim_jobs_with_skip_locked_on_postgresql(database):
    if database.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: the claim runs in an exclusive transaction instead")
    out = database.python(
        "from django.db import connection, transaction;"
        "from django.test.utils import CaptureQueriesContext;"
        "from django_tasks_db.models import DBTaskResult\n"
        "with CaptureQueriesContext(connection) as q, transaction.atomic():\n"
        "    DBTaskResult.objects.ready().get_locked()\n"
        "print([x['sql'] for x in q.captured_queries if 'dbtaskresult' in x['sql']][-1])"
    )
    assert "FOR UPDATE SKIP LOCKED" in out
