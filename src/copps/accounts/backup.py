"""Backups that prove themselves: ``copps backup`` writes a consistent copy of the database
(SQLite's online backup API, or ``pg_dump`` inside an exported snapshot) and a manifest with
the file's SHA-256 and, per table, the row count and a checksum of the content; ``copps
restore`` refuses a file whose SHA-256 differs, restores only into an empty database, and then
checks every table against the manifest.

(Lives in accounts for now, beside the audit chain it protects; it belongs in an operations
module once there is one.)"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterable
from pathlib import Path

from copps.files import file_sha256

__all__ = ["BackupError", "backup", "restore", "fingerprint"]

FORMAT = 1


class BackupError(RuntimeError):
    """The backup or restore cannot be trusted; the message says why."""


def _table_digest(cursor, table: str, columns: int, quote) -> dict:
    order = ", ".join(str(i) for i in range(1, columns + 1))
    cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {order}")
    digest, rows = hashlib.sha256(), 0
    for row in cursor:
        digest.update(repr(tuple(row)).encode())
        digest.update(b"\n")
        rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def _fingerprint_tables(cursor, tables: Iterable[str], columns_of, quote) -> dict[str, dict]:
    return {t: _table_digest(cursor, t, columns_of(t), quote) for t in sorted(tables)}


def _sqlite_fingerprint(conn: sqlite3.Connection) -> dict[str, dict]:
    tables = [
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    quote = lambda t: '"' + t.replace('"', '""') + '"'  # noqa: E731
    columns = lambda t: len(conn.execute(f"PRAGMA table_info({quote(t)})").fetchall())  # noqa: E731
    return _fingerprint_tables(conn.cursor(), tables, columns, quote)


def _pg_fingerprint(conn) -> dict[str, dict]:
    cur = conn.cursor()
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    tables = [r[0] for r in cur.fetchall()]

    def columns(table: str) -> int:
        cur.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s",
            (table,),
        )
        return cur.fetchone()[0]

    return _fingerprint_tables(conn.cursor(), tables, columns, lambda t: '"' + t.replace('"', '""') + '"')


def _pg_conninfo(db: dict) -> tuple[str, dict]:
    parts = {
        "dbname": db["NAME"],
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
        "user": db.get("USER") or "",
    }
    conninfo = " ".join(f"{k}={v}" for k, v in parts.items() if v)
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {})}
    return conninfo, env


def fingerprint(db: dict) -> dict[str, dict]:
    """Row count and content checksum of every table of the database ``db`` (a Django
    DATABASES entry)."""
    if db["ENGINE"].endswith("sqlite3"):
        conn = sqlite3.connect(f"file:{db['NAME']}?mode=ro", uri=True)
        try:
            return _sqlite_fingerprint(conn)
        finally:
            conn.close()
    import psycopg

    conninfo, _ = _pg_conninfo(db)
    with psycopg.connect(conninfo, password=db.get("PASSWORD") or None) as conn:
        return _pg_fingerprint(conn)


def _manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def backup(db: dict, out: Path) -> dict:
    """Write the backup file ``out`` and its manifest ``out.json``; returns the manifest."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} exists: choose a new file name (backups are never overwritten)")
    out.parent.mkdir(parents=True, exist_ok=True)
    if db["ENGINE"].endswith("sqlite3"):
        engine = "sqlite"
        src = sqlite3.connect(db["NAME"])
        dst = sqlite3.connect(out)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            tables = _sqlite_fingerprint(dst)
        finally:
            dst.close()
            src.close()
    else:
        import psycopg

        engine = "postgresql"
        conninfo, env = _pg_conninfo(db)
        with psycopg.connect(conninfo, password=db.get("PASSWORD") or None, autocommit=True) as conn:
            # The dump and the fingerprint read the same snapshot, so they describe the same data.
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            done = subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={out}",
                    f"--dbname={conninfo}",
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
            tables = _pg_fingerprint(conn)
    manifest = {"format": FORMAT, "engine": engine, "file": out.name, "sha256": file_sha256(out), "tables": tables}
    _manifest_path(out).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def _is_empty(db: dict) -> bool:
    """No tables at all: a new database, not even migrated."""
    try:
        return not fingerprint(db)
    except sqlite3.OperationalError:
        return True  # no file yet


def restore(db: dict, backup_file: Path) -> dict:
    """Restore ``backup_file`` into the empty database ``db`` and check it against the manifest.
    Returns the manifest."""
    backup_file = Path(backup_file)
    manifest_file = _manifest_path(backup_file)
    if not manifest_file.exists():
        raise BackupError(f"{manifest_file} is missing: without it the backup cannot be checked")
    manifest = json.loads(manifest_file.read_text())
    actual = file_sha256(backup_file)
    if actual != manifest["sha256"]:
        raise BackupError(
            f"{backup_file}: SHA-256 {actual} differs from the manifest's "
            f"{manifest['sha256']}: the file is damaged or was changed; not restoring"
        )
    engine = "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"
    if engine != manifest["engine"]:
        raise BackupError(f"the backup is of a {manifest['engine']} database; this one is {engine}")
    if not _is_empty(db):
        raise BackupError("the target database is not empty: restore only into a new, empty database")
    if engine == "sqlite":
        src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        dst = sqlite3.connect(db["NAME"])
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
            src.close()
    else:
        conninfo, env = _pg_conninfo(db)
        done = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={conninfo}",
                str(backup_file),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    restored = fingerprint(db)
    if restored != manifest["tables"]:
        wrong = sorted(
            t for t in set(restored) | set(manifest["tables"]) if restored.get(t) != manifest["tables"].get(t)
        )
        raise BackupError(f"the restored database differs from the backup in: {', '.join(wrong)}")
    return manifest
