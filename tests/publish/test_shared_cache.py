"""The public side's one cache (copps.publish.cache) on Django's cache framework: entries are
shared by every process through the configured backend, and a publish refresh retires them."""

from __future__ import annotations

import json
import pickle

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.urls import reverse
from tests.conftest import REDIS_URL, redis_caches

from copps.cacheconf import CACHE_TABLE, caches_from_url
from copps.publish import cache as public_cache
from copps.publish.models import PublicRecord


def _stored_responses(prefix: str) -> list[tuple]:
    """The public responses in Redis, read by a client of its own (as another process reads them)."""
    other = redis.Redis.from_url(REDIS_URL)
    return [pickle.loads(other.get(k)) for k in other.scan_iter(f"{prefix}:*copps:publish:response:*")]


def test_another_process_sees_the_response_and_a_refresh_retires_it(client, town, redis_cache, settings):
    for i in range(30):
        town.event(days_ago=10 + i, at=i * 3)
    town.publish()
    url = reverse("publish:public_api:events")
    assert len(client.get(url).json()["features"]) == 30
    (entry,) = _stored_responses(redis_cache)  # in Redis, not in this process
    assert len(json.loads(entry[0])["features"]) == 30

    # The rows go, the version stays: a new cache client (a new connection, as a second app server
    # has) still answers from Redis, so nothing was computed again.
    PublicRecord.objects.all().delete()
    settings.CACHES = redis_caches(redis_cache)
    assert len(client.get(url).json()["features"]) == 30

    town.event(days_ago=9, at=99)
    town.publish()  # rebuilt from the events, a new version: every earlier entry is out of reach
    assert len(client.get(url).json()["features"]) == 31


@pytest.mark.django_db
def test_remember_computes_once_for_two_clients_and_again_after_a_refresh(town, redis_cache, settings):
    from django.core.cache.backends.redis import RedisCache

    town.event(days_ago=10)
    town.publish()
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert public_cache.remember("unit", ("a", 1), compute) == {"n": 1}
    settings.CACHES = redis_caches(redis_cache)  # a second client
    assert public_cache.remember("unit", ("a", 1), compute) == {"n": 1} and len(calls) == 1
    key = public_cache.cache_key("unit", ("a", 1))
    assert RedisCache(REDIS_URL, {"KEY_PREFIX": redis_cache}).get(key) == {"n": 1}
    town.publish()
    assert public_cache.remember("unit", ("a", 1), compute) == {"n": 2}


@pytest.mark.django_db
def test_the_database_cache_table_is_made_by_migrate_and_holds_the_entries(town, settings):
    """Without Redis on PostgreSQL the shared cache is Django's database cache: its table exists
    after `migrate` (on SQLite too, so a site may switch), and an entry is a row any server reads."""
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}}
    assert CACHE_TABLE in connection.introspection.table_names()
    town.event(days_ago=10)
    town.publish()
    assert public_cache.remember("unit", ("b",), lambda: [1, 2, 3]) == [1, 2, 3]
    with connection.cursor() as cur:
        cur.execute(f"SELECT cache_key FROM {CACHE_TABLE}")
        keys = [k for (k,) in cur.fetchall()]
    assert ":1:" + public_cache.cache_key("unit", ("b",)) in keys  # (beside the snap set the refresh read)
    assert public_cache.remember("unit", ("b",), lambda: pytest.fail("computed again")) == [1, 2, 3]


def test_a_cache_that_fails_is_skipped_not_a_server_error(client, town, monkeypatch):
    town.event(days_ago=10)
    town.publish()

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["default"], "get", down)
    monkeypatch.setattr(caches["default"], "set", down)
    response = client.get(reverse("publish:public_api:events"))
    assert response.status_code == 200 and len(response.json()["features"]) == 1


SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/copps/site.sqlite3"}
POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "copps", "HOST": "db"}


def test_the_cache_url_picks_the_backend():
    redis_default = caches_from_url("redis://127.0.0.1:6379/2", POSTGRES)["default"]
    assert redis_default["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis_default["LOCATION"] == "redis://127.0.0.1:6379/2"
    files = caches_from_url("", SQLITE)["default"]
    assert files["BACKEND"].endswith("FileBasedCache") and files["LOCATION"] == "/srv/copps/cache"
    table = caches_from_url("", POSTGRES)["default"]
    assert table["BACKEND"].endswith("DatabaseCache") and table["LOCATION"] == CACHE_TABLE
    assert caches_from_url("file:///var/cache/copps", SQLITE)["default"]["LOCATION"] == "/var/cache/copps"
    # two sites on one Redis keep their entries apart; the process-only alias is always there
    other_site = caches_from_url("redis://127.0.0.1:6379/2", {**POSTGRES, "NAME": "other"})["default"]
    assert other_site["KEY_PREFIX"] != redis_default["KEY_PREFIX"]
    assert caches_from_url("", SQLITE)["local"]["BACKEND"].endswith("LocMemCache")


def test_an_unknown_cache_url_is_refused_at_start_up():
    from tests.test_settings_cli import run

    out = run("check", env={"COPPS_CACHE_URL": "memcached://127.0.0.1:11211"})
    assert out.returncode != 0 and "COPPS_CACHE_URL='memcached://127.0.0.1:11211': expected redis://" in out.stderr
