"""COPPS_RATE_LIMIT_STORE=database: every app-server worker counts against one limit, none of a
window's requests is lost to a race, and the rows of passed windows go."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import connection, connections
from tests.security.harness import bench

from copps.accounts import ratelimit
from copps.accounts.models import RateLimitWindow


@pytest.mark.slow
@pytest.mark.both_databases  # it makes its own (SQLite) database, served by two app servers
@pytest.mark.parametrize(("store", "answered"), [("database", 5), ("process", 8)])
def test_two_servers_share_one_count_in_the_database(tmp_path, store, answered):
    """Two `copps serve` processes on one database, 5 Open311 reads a minute allowed, four reads
    sent to each. One shared count lets 5 of the 8 through; two separate counts would let all 8
    through (the ``process`` store, shown for contrast). The servers are awaited on their port
    alone, so no start-up request is counted, however slowly a busy machine starts them."""
    env = {"COPPS_RATE_LIMIT_STORE": store, "COPPS_RATE_LIMITS": "open311_get=5"}
    for attempt in range(3):  # the eight reads must fall in one minute: a run that straddles two is run again
        work = tmp_path / f"try{attempt}"  # afresh: no count left over from an earlier try's minute
        work.mkdir()
        db_url = f"sqlite:///{work / 'limits.sqlite3'}"
        bench.prepare(db_url, work)
        servers = [bench.Server(db_url, work, workers=1, **env) for _ in range(2)]
        try:
            for server in servers:
                server.start(probe="tcp")
            if time.time() % 60 > 40:  # too near the minute's end: start the reads with a new one
                time.sleep(60.5 - time.time() % 60)
            started = time.time()
            statuses = [
                bench.request("GET", server.base + "/open311/v2/services.json")[0]
                for server in servers
                for _ in range(4)
            ]
            finished = time.time()
        finally:
            for server in servers:
                server.stop()
        if int(started // 60) == int(finished // 60):
            break
    assert (statuses.count(200), statuses.count(429)) == (answered, 8 - answered), statuses


@pytest.mark.django_db
def test_the_count_is_kept_in_rows_and_old_windows_are_deleted(settings):
    settings.COPPS_RATE_LIMIT_STORE = "database"
    assert [ratelimit.hit("unit", "a", 2, now=120.0) for _ in range(3)] == [0, 0, 60]
    assert RateLimitWindow.objects.get().count == 3
    assert ratelimit.hit("unit", "a", 2, now=185.0) == 0  # a new window, and the passed one goes
    (row,) = RateLimitWindow.objects.all()
    assert row.count == 1 and row.expires == datetime.fromtimestamp(240, tz=UTC)
    assert "192.0.2" not in row.key  # the client is a keyed hash, never its address


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_lose_no_request(settings):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("threads cannot share the in-memory SQLite test database; PostgreSQL runs this test")
    settings.COPPS_RATE_LIMIT_STORE = "database"
    waits, errors = [], []

    def worker() -> None:
        try:
            for _ in range(25):
                waits.append(ratelimit.hit("race", "everyone", 60, now=1_000_020.0))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert RateLimitWindow.objects.get().count == 200
    assert waits.count(0) == 60  # exactly the limit let through, whoever raced whom


def test_an_unknown_store_is_refused_by_name():
    from tests.test_settings_cli import run

    out = run("check", env={"COPPS_RATE_LIMIT_STORE": "redis"})
    assert out.returncode != 0 and "COPPS_RATE_LIMIT_STORE must be process or database, not 'redis'" in out.stderr


@pytest.mark.django_db
def test_the_tips_route_wide_bucket_never_reaches_the_database(settings, rf):
    """Its rows would record the minute each tip came in; tip times are kept to the hour."""
    from django.http import HttpResponse

    settings.COPPS_RATE_LIMIT_STORE = "database"
    view = ratelimit.rate_limited("tip", 2, key="global")(lambda request: HttpResponse("ok"))
    assert [view(rf.post("/community/tip/")).status_code for _ in range(3)] == [200, 200, 429]
    assert not RateLimitWindow.objects.exists()
    per_client = ratelimit.rate_limited("report", 2)(lambda request: HttpResponse("ok"))
    per_client(rf.post("/community/report/"))
    assert RateLimitWindow.objects.count() == 1


@pytest.mark.django_db
def test_on_sqlite_the_count_waits_briefly_for_the_lock_and_leaves_the_connection_as_it_was(settings, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the lock wait is SQLite's busy_timeout")
    settings.COPPS_RATE_LIMIT_STORE = "database"
    seen = []

    def timeout() -> int:
        with connection.cursor() as cur:
            cur.execute("PRAGMA busy_timeout")
            return cur.fetchone()[0]

    before = timeout()
    real_count = RateLimitWindow.objects.filter

    def spy(*args, **kwargs):
        seen.append(timeout())
        return real_count(*args, **kwargs)

    monkeypatch.setattr(RateLimitWindow.objects, "filter", spy)  # what the wait is while counting
    ratelimit.hit("unit", "b", 5, now=120.0)
    assert seen and set(seen) == {250} and before > 250
    assert timeout() == before
