"""SIGKILL during `copps import --reprocess` and during `copps batches rollback` leaves the
database either exactly as before the command or exactly as after it — on SQLite and PostgreSQL.

Like test_import_kill: a child process on a database of its own, which kills itself at exact
moments of its work (tests/killpoint.py): before its writes to the events, just before and just
after its COMMIT.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from tests.incidents.test_import_kill import ENV, Database, big_chicago_file, run_ok
from tests.killpoint import copps_killed_at, kill_points

from copps.incidents.importing.profile import builtin_profiles

ROWS = 6_957


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


def kills_leave_before_then_after(database: Database, before, args: list[str]) -> object:
    """Run ``copps *args`` killed before its writes to the events and just before its COMMIT:
    each kill must leave the state before. Killed just after the COMMIT, it must leave the one
    state after (returned)."""
    for point in kill_points("incidents_event 1", "incidents_event 2"):
        proc = copps_killed_at(ENV, database.url, point, *args)
        assert proc.returncode == -signal.SIGKILL, f"the command ended before the kill at {point}: {proc.stderr}"
        database.settle()
        assert database.state()[::2] == before, f"a kill at {point} left half a change"
    proc = copps_killed_at(ENV, database.url, "commit after", *args)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    database.settle()
    after = database.state()[::2]  # (events, digest): batches may grow by the reprocess only
    assert after != before
    return after


@pytest.mark.both_databases
def test_sigkill_during_reprocess_and_rollback_leaves_before_or_after(database, tmp_path):
    run_ok(database.url, "migrate", "-v0")
    big = big_chicago_file(tmp_path, copies=1)
    run_ok(database.url, "import", str(big), "--profile", "chicago")
    original = database.state()[::2]
    assert original[0] == ROWS

    # --- reprocess with a corrected profile
    fixed = corrected_chicago(tmp_path)
    reprocess = ["import", str(big), "--profile", str(fixed), "--reprocess"]
    reprocessed = kills_leave_before_then_after(database, original, reprocess)
    assert reprocessed[0] == ROWS
    out = run_ok(database.url, *reprocess)
    assert "updated 0" in out, "a re-run after a whole reprocess changed events again"
    assert database.state()[::2] == reprocessed

    # --- roll the reprocess back: the newest non-empty reprocess batch
    batch = next(
        line.split()[0]
        for line in run_ok(database.url, "batches").splitlines()[1:]
        if "reprocess" in line and line.split()[7] != "0"  # updated > 0
    )
    rolled_back = kills_leave_before_then_after(database, reprocessed, ["batches", "rollback", batch])
    assert rolled_back == original
