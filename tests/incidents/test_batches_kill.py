"""SIGKILL during `copps import --reprocess` and during `copps batches rollback` leaves the
database either exactly as before the command or exactly as after it — on SQLite and PostgreSQL.

Like test_import_kill: a child process on a database of its own, killed at several moments.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from tests.incidents.test_import_kill import Database, big_chicago_file, copps, run_ok

from copps.incidents.importing.profile import builtin_profiles

ROWS = 69_570


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    db = Database(request.param, tmp_path)
    yield db
    db.drop()


def corrected_chicago(tmp_path: Path) -> Path:
    """The built-in chicago profile with one category rule changed: thefts become burglaries."""
    text = builtin_profiles()["chicago"].read_text()
    assert 'pattern = "^BURGLARY"' in text
    text = text.replace('pattern = "^BURGLARY"', 'pattern = "^(BURGLARY|THEFT)"')
    text = text.replace("[profile]\n", '[profile]\nname = "chicago"\n', 1)
    path = tmp_path / "chicago-corrected.toml"
    path.write_text(text)
    return path


def kill_at_moments(database: Database, before, args: list[str]) -> tuple[int, object]:
    """Run ``copps *args``, SIGKILL it after growing delays; every state seen must be the
    state before, or the one state after (returned, with how many kills rolled back)."""
    rolled_back, after = 0, None
    for delay in (1.0, 2.0, 3.0, 4.5, 6.0):
        proc = copps(database.url, *args)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=600)
        database.settle()
        events = database.state()[::2]  # (events, digest): batches may grow by the reprocess only
        if events == before:
            rolled_back += proc.returncode == -signal.SIGKILL
            continue
        after = events  # committed before the kill landed: the command must then be whole
        break
    return rolled_back, after


@pytest.mark.slow
@pytest.mark.both_databases
def test_sigkill_during_reprocess_and_rollback_leaves_before_or_after(database, tmp_path):
    run_ok(database.url, "migrate", "-v0")
    big = big_chicago_file(tmp_path, copies=10)
    run_ok(database.url, "import", str(big), "--profile", "chicago")
    original = database.state()[::2]
    assert original[0] == ROWS

    # --- reprocess with a corrected profile
    fixed = corrected_chicago(tmp_path)
    reprocess = ["import", str(big), "--profile", str(fixed), "--reprocess"]
    killed, seen = kill_at_moments(database, original, reprocess)
    assert killed >= 2, "the reprocess finished too fast to be killed mid-way; use a bigger file"
    out = run_ok(database.url, *reprocess)
    reprocessed = database.state()[::2]
    if seen is not None:
        assert seen == reprocessed, "a kill left half a reprocess"
        assert "updated 0" in out
    else:
        assert "reprocess:" in out and "-> burglary" in out
    assert reprocessed != original and reprocessed[0] == ROWS

    # --- roll the reprocess back: the newest non-empty reprocess batch
    batch = next(
        line.split()[0]
        for line in run_ok(database.url, "batches").splitlines()[1:]
        if "reprocess" in line and line.split()[7] != "0"  # updated > 0
    )
    killed, seen = kill_at_moments(database, reprocessed, ["batches", "rollback", batch])
    if seen is None:
        out = run_ok(database.url, "batches", "rollback", batch)
        assert "events it updated restored" in out
    assert database.state()[::2] == original
    assert killed >= 1, "the rollback finished too fast to be killed mid-way; use a bigger file"
