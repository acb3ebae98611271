"""`copps backup` and `copps restore`: a backup restored into a clean database has the same
row counts and content checksums in every table (and its audit chain still verifies); a
damaged backup file is refused; restore never writes over a database that has tables. On
SQLite (online backup API) and PostgreSQL (pg_dump in an exported snapshot)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from copps.accounts.backup import fingerprint

ENV = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

FILL = """
import django
django.setup()
from copps.accounts import audit
from copps.accounts.models import User
for i in range(5):
    User.objects.create_user(username=f"user{i}", password="a long enough passphrase", role="officer")
for i in range(50):
    audit.record("event.read", object_type="event", object_id=i, params={"q": "beat 1533", "i": i})
"""


class Databases:
    """Two databases of one engine: the source and a clean target."""

    def __init__(self, vendor: str, tmp_path: Path):
        self.vendor, self.names = vendor, []
        if vendor == "sqlite":
            self.urls = [f"sqlite:///{tmp_path}/source.sqlite3", f"sqlite:///{tmp_path}/target.sqlite3"]
        else:
            import psycopg

            self.names = [f"copps_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                for name in self.names:
                    conn.execute(f'CREATE DATABASE "{name}"')
            self.urls = [f"postgresql://postgres@127.0.0.1:5432/{name}" for name in self.names]

    def settings_dict(self, url: str) -> dict:
        import dj_database_url

        return dj_database_url.parse(url)

    def drop(self) -> None:
        if self.names:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                for name in self.names:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def dbs(request, tmp_path):
    d = Databases(request.param, tmp_path)
    yield d
    d.drop()


def copps(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copps.cli", *args], capture_output=True, text=True,
                          env={**ENV, "COPPS_DATABASE_URL": url}, timeout=300)


@pytest.mark.slow
@pytest.mark.both_databases
def test_backup_restores_into_a_clean_database_identically(dbs, tmp_path):
    source, target = dbs.urls
    assert copps(source, "migrate", "-v0").returncode == 0
    fill = subprocess.run([sys.executable, "-c", FILL], capture_output=True, text=True, timeout=300,
                          env={**ENV, "COPPS_DATABASE_URL": source, "DJANGO_SETTINGS_MODULE": "copps.settings"})
    assert fill.returncode == 0, fill.stderr
    out = copps(source, "backup", str(tmp_path / "copps.backup"))
    assert out.returncode == 0, out.stderr
    manifest = json.loads((tmp_path / "copps.backup.json").read_text())
    assert manifest["tables"]["accounts_auditlog"]["rows"] == 55  # 5 account.create + 50 reads
    assert manifest["tables"]["accounts_user"]["rows"] == 5

    restored = copps(target, "restore", str(tmp_path / "copps.backup"))
    assert restored.returncode == 0, restored.stderr
    assert "Restored and checked" in restored.stdout
    before, after = fingerprint(dbs.settings_dict(source)), fingerprint(dbs.settings_dict(target))
    assert after == before == manifest["tables"]
    verify = copps(target, "audit", "verify")
    assert verify.returncode == 0 and "OK: 55 audit rows, chain intact" in verify.stdout

    # restoring again over the now-full database is refused
    again = copps(target, "restore", str(tmp_path / "copps.backup"))
    assert again.returncode != 0 and "not empty" in again.stderr


@pytest.mark.slow
@pytest.mark.both_databases
def test_a_damaged_backup_is_refused(dbs, tmp_path):
    source, target = dbs.urls
    assert copps(source, "migrate", "-v0").returncode == 0
    assert copps(source, "backup", str(tmp_path / "b")).returncode == 0
    data = bytearray((tmp_path / "b").read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "b").write_bytes(bytes(data))
    out = copps(target, "restore", str(tmp_path / "b"))
    assert out.returncode != 0 and "differs from the manifest" in out.stderr
    assert copps(source, "backup", str(tmp_path / "b")).returncode != 0  # never overwritten
