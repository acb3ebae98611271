"""`copps demo` sets up a working copps on the synthetic city (served separately)."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.slow

ENV = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}


def test_demo_sets_up_city_users_and_is_idempotent(tmp_path):
    db = tmp_path / "demo.sqlite3"
    env = {**ENV, "COPPS_DATABASE_URL": f"sqlite:///{db}"}
    cmd = [
        sys.executable,
        "-m",
        "copps.cli",
        "demo",
        "--no-serve",
        "--years",
        "1",
        "--data-dir",
        str(tmp_path / "city"),
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "Synthetic city ready" in out.stdout
    assert "Worked examples" in out.stdout
    for role in ("officer", "analyst", "supervisor", "admin", "auditor"):
        assert f"user {role}" in out.stdout
    assert (tmp_path / "city" / "truth.json").exists()
    conn = sqlite3.connect(db)
    try:
        kinds = dict(conn.execute("SELECT kind, count(*) FROM incidents_event GROUP BY kind").fetchall())
        roles = {r for (r,) in conn.execute("SELECT role FROM accounts_user")}
        beats = conn.execute("SELECT count(*) FROM incidents_area WHERE type = 'beat'").fetchone()[0]
        unassigned = conn.execute(
            "SELECT count(*) FROM incidents_event WHERE lat IS NOT NULL AND beat_id IS NULL"
        ).fetchone()[0]
        hashes = {h.split("$")[0] for (h,) in conn.execute("SELECT password FROM accounts_user")}
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        # the city ends yesterday: Open311's default window (the last 90 days) shows its requests
        since = (datetime.now(UTC) - timedelta(days=90)).strftime("%Y-%m-%d %H:%M:%S")
        recent_requests = conn.execute(
            "SELECT count(*) FROM community_servicerequest WHERE requested_at >= ?", (since,)
        ).fetchone()[0]
        layers = dict(conn.execute("SELECT name, features FROM gazetteer_referencelayer").fetchall())
        last_crime = conn.execute("SELECT max(occurred_from) FROM incidents_event WHERE kind = 'crime'").fetchone()[0]
    finally:
        conn.close()
    assert kinds["crime"] > 1000 and kinds["call"] > 10000 and kinds["collision"] > 100
    assert roles == {"officer", "analyst", "supervisor", "admin", "auditor"}
    assert "authenticator secret" in out.stdout
    assert beats >= 10 and unassigned == 0
    # the city's address points and centrelines are loaded: address-only files geocode in the demo
    assert set(layers) == {"address_points", "streets", "parks"}
    assert min(layers["address_points"], layers["streets"]) > 1000 and layers["parks"] >= 1
    # the public maps' base map is built during set-up, not by a first visitor
    assert "Base map: 3 zoom bands" in out.stdout
    assert hashes == {"argon2"}
    assert journal == "wal"
    assert recent_requests > 100  # the front door's own demo requests are a handful
    assert datetime.now(UTC) - datetime.fromisoformat(last_crime).replace(tzinfo=UTC) < timedelta(days=3)

    # the demo's watched-folder feed: one export waits in it, and one pass of the worker that
    # `make demo` starts imports it by itself, as a job the Jobs page lists
    assert (tmp_path / "city" / "feed-drop" / "rms-export.csv").exists()
    worker = [sys.executable, "-m", "copps.cli", "worker", "--batch", "--no-startup-delay"]
    done = subprocess.run(worker, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(db)
    try:
        feeds = conn.execute("SELECT name, kind, location, profile FROM incidents_feed").fetchall()
        runs = conn.execute("SELECT state, files, added FROM incidents_feedrun").fetchall()
        jobs = conn.execute("SELECT status, task_path FROM django_tasks_database_dbtaskresult").fetchall()
        crimes_after = conn.execute("SELECT count(*) FROM incidents_event WHERE kind = 'crime'").fetchone()[0]
    finally:
        conn.close()
    assert feeds == [("demo-drop", "folder", str((tmp_path / "city" / "feed-drop").resolve()), "sfpd")]
    assert runs == [("succeeded", 1, 12)] and crimes_after == kinds["crime"] + 12
    assert ("SUCCESSFUL", "copps.jobs.tasks.feed_run") in jobs

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "keeping them" in again.stdout
    # the demo drops the same export again: the feed, run now, skips it by its content
    rerun = [sys.executable, "-m", "copps.cli", "feeds", "run", "demo-drop"]
    skipped = subprocess.run(rerun, env=env, capture_output=True, text=True, timeout=300)
    assert skipped.returncode == 0 and "feed demo-drop: nothing new" in skipped.stdout, skipped.stderr
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM incidents_event WHERE kind = 'crime'").fetchone()[0] == crimes_after
    finally:
        conn.close()


def test_demo_refuses_production_mode(tmp_path):
    env = {
        **ENV,
        "COPPS_MODE": "production",
        "COPPS_SECRET_KEY": secrets.token_urlsafe(50),
        "COPPS_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
    }
    out = subprocess.run(
        [sys.executable, "-m", "copps.cli", "demo", "--no-serve"], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode != 0 and "runs only with COPPS_MODE=demo" in out.stderr
