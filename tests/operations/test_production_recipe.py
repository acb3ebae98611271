"""The production recipe of docs/operations.md, run end to end by deploy/run-local.sh: two gunicorn
app servers and two workers on one PostgreSQL database and one Redis cache, /healthz on both, a
job queued and done. PostgreSQL pass only (the recipe is PostgreSQL + Redis); it makes a database
of its own and drops it. Every wait is the script's own, with deadlines of minutes, never a
measure of speed."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "run-local.sh"
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgresql_pass,  # its own PostgreSQL database, not the test database
    pytest.mark.skipif(not ON_POSTGRESQL, reason="the production recipe runs on PostgreSQL (the PostgreSQL pass)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def recipe_database():
    import psycopg

    db = settings.DATABASES["default"]
    admin = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    name = f"copps_recipe_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_app_servers_and_two_workers_on_postgresql_and_redis(recipe_database, tmp_path):
    ports = [free_port(), free_port()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}
    env |= {
        "PYTHON": sys.executable,
        "PYTHONPATH": str(REPO / "src"),
        "COPPS_DATABASE_URL": recipe_database,
        "COPPS_CACHE_URL": "redis://127.0.0.1:6379/14",
        "COPPS_DATA_DIR": str(tmp_path / "data"),
        "WEB_PORTS": " ".join(map(str, ports)),
        "DEADLINE": "600",
    }
    run = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout + run.stderr
    for port in ports:
        line = next(x for x in run.stdout.splitlines() if f"healthz ok on 127.0.0.1:{port}:" in x)
        health = json.loads(line.split(f"{port}: ", 1)[1])
        assert health == {**health, "status": "ok", "database": True, "migrations": True}
    job = re.search(r"queued job ([0-9a-f-]{36})", run.stdout)[1]
    assert f"job {job} SUCCESSFUL" in run.stdout and "run-local: recipe ok" in run.stdout
    # two workers took part in the queue; their log is JSON Lines (COPPS_LOG_FORMAT=json)
    logs = tmp_path / "data" / "logs"
    for n in (1, 2):
        records = [json.loads(line) for line in (logs / f"worker-{n}.log").read_text().splitlines() if line]
        assert any(f"Starting worker worker_id=local-{n} " in r["message"] for r in records), records[:3]
    # and every process the script started (app servers with their gunicorn workers, workers) is gone
    started = re.search(r"pids ([\d ]+) \(logs in", run.stdout)[1].split()
    assert len(started) == 4 and f"stopped pids {' '.join(started)}" in run.stdout
    for pid in map(int, started):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
