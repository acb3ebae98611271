"""Where rate-limit counts live (COPPS_RATE_LIMIT_STORE): on the shared cache (``cache``, atomic on
Redis) or in database rows (``database``) every app-server worker counts against one limit and
none of a window's requests is lost to a race; the rows of passed windows go."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import connection, connections
from tests.conftest import REDIS_URL
from tests.security.harness import bench

from copps.accounts import ratelimit
from copps.accounts.models import RateLimitWindow


@pytest.mark.slow
@pytest.mark.both_databases  # it makes its own (SQLite) database, served by two app servers
@pytest.mark.parametrize(
    ("env", "answered"),
    [
        ({"COPPS_RATE_LIMIT_STORE": "cache", "COPPS_CACHE_URL": REDIS_URL}, 5),
        ({"COPPS_RATE_LIMIT_STORE": "cache"}, 5),  # the file cache beside the SQLite database
        ({"COPPS_RATE_LIMIT_STORE": "database"}, 5),
        ({"COPPS_RATE_LIMIT_STORE": "process"}, 8),
    ],
    ids=["cache-redis", "cache-files", "database", "process"],
)
def test_two_servers_share_one_count(tmp_path, env, answered):
    """Two `copps serve` processes on one database, 5 Open311 reads a minute allowed, four reads
    sent to each. One shared count lets 5 of the 8 through; two separate counts would let all 8
    through (the ``process`` store, shown for contrast). The servers are awaited on their port
    alone, so no start-up request is counted, however slowly a busy machine starts them, and the
    reads wait for their answers as long as they take (no client-side timeout to race)."""
    env = {**env, "COPPS_RATE_LIMITS": "open311_get=5"}
    for attempt in range(3):  # the eight reads must fall in one minute: a run that straddles two is run again
        work = tmp_path / f"try{attempt}"  # afresh: no count left over from an earlier try's minute
        work.mkdir()  # (a new database is a new cache key prefix, on Redis too)
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
                bench.request("GET", server.base + "/open311/v2/services.json", timeout=None)[0]
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


@pytest.fixture(params=["database", "cache-redis"])
def shared_store(request, settings):
    """The two stores that promise exact counts across workers: rows, and Redis's INCR."""
    if request.param == "database":
        settings.COPPS_RATE_LIMIT_STORE = "database"
    else:
        request.getfixturevalue("redis_cache")
        settings.COPPS_RATE_LIMIT_STORE = "cache"
    return request.param


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_lose_no_request(shared_store):
    if (shared_store == "database" and connection.vendor == "sqlite"
            and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:"))):
        pytest.skip("threads cannot share the in-memory SQLite test database; PostgreSQL runs this test")
    from django.core.cache import caches

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
    key = f"copps:rl:race:everyone:{int(1_000_020 // 60)}"
    if shared_store == "database":
        assert RateLimitWindow.objects.get().count == 200
    else:
        assert caches["default"].get(key) == 200 and not RateLimitWindow.objects.exists()
    assert waits.count(0) == 60  # exactly the limit let through, whoever raced whom


@pytest.mark.django_db
def test_on_redis_the_count_outlives_the_process_cache_and_expires_with_its_window(redis_cache, settings):
    """Two cache clients (two connections, as two processes have) see one count; the key expires
    a little after its minute, so Redis keeps no history of requests."""
    import redis

    settings.COPPS_RATE_LIMIT_STORE = "cache"
    assert [ratelimit.hit("unit", "c", 2, now=600.0) for _ in range(2)] == [0, 0]
    other = redis.Redis.from_url(REDIS_URL)
    (key,) = [k.decode() for k in other.scan_iter(f"{redis_cache}:*rl:unit:c:10")]
    assert int(other.get(key)) == 2 and 0 < other.ttl(key) <= ratelimit.WINDOW_SECONDS + 5
    other.incr(key)  # a request counted by another server
    assert ratelimit.hit("unit", "c", 2, now=600.0) == 60  # the fourth of the window: wait
    assert "192.0.2" not in key


def test_an_unknown_store_is_refused_by_name():
    from tests.test_settings_cli import run

    out = run("check", env={"COPPS_RATE_LIMIT_STORE": "redis"})
    assert out.returncode != 0
    assert "COPPS_RATE_LIMIT_STORE must be cache, database or process, not 'redis'" in out.stderr


@pytest.mark.django_db
def test_the_tips_route_wide_bucket_never_leaves_the_process(settings, rf):
    """Its rows would record the minute each tip came in; tip times are kept to the hour."""
    from django.core.cache import caches
    from django.http import HttpResponse

    settings.COPPS_RATE_LIMIT_STORE = "database"
    view = ratelimit.rate_limited("tip", 2, key="global")(lambda request: HttpResponse("ok"))
    assert [view(rf.post("/community/tip/")).status_code for _ in range(3)] == [200, 200, 429]
    assert not RateLimitWindow.objects.exists()
    settings.COPPS_RATE_LIMIT_STORE = "cache"  # nor the shared cache: only the process's own memory
    assert view(rf.post("/community/tip/")).status_code == 429
    assert list(caches["default"]._cache) == [] and len(caches["local"]._cache) == 1
    settings.COPPS_RATE_LIMIT_STORE = "database"
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
