"""Several processes writing audit rows at once (as several app servers would) still build one
unbroken chain, on SQLite (a file database, WAL) and on PostgreSQL. Each process is a separate
Django with its own connection, like gunicorn workers."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

ENV = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
WRITERS, ROWS = 4, 15

WRITER = """
import sys, django
django.setup()
from copps.accounts import audit
for i in range(int(sys.argv[2])):
    audit.record("event.read", object_type="event", object_id=f"{sys.argv[1]}-{i}", params={"i": i})
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/audit.sqlite3"
        return
    import psycopg

    name = f"copps_audit_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.both_databases
def test_concurrent_processes_build_one_chain(db_url):
    env = {**ENV, "COPPS_DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "copps.settings"}
    migrate = subprocess.run([sys.executable, "-m", "copps.cli", "migrate", "-v0"], env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(k), str(ROWS)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in range(WRITERS)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    out = subprocess.run([sys.executable, "-m", "copps.cli", "audit", "verify"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert f"OK: {WRITERS * ROWS} audit rows, chain intact" in out.stdout
