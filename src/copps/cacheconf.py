"""``COPPS_CACHE_URL`` as Django's ``CACHES``: one cache shared by every worker and app server.

- ``redis://[:password@]host:port/db`` (or ``rediss://``): Django's own Redis backend. Counts
  (``incr``) and first writes (``add``) are single Redis commands, so they are atomic across
  every process that talks to that Redis. Use it in production.
- unset: the database's own store. On PostgreSQL, Django's database cache (the table
  ``copps_cache``, made by ``copps migrate``), shared by every app server of the database. On
  SQLite, Django's file cache in a ``cache`` folder beside the database file, shared by the
  processes of that machine (the embedded database is one machine's anyway): a write to the
  database cache would wait behind an import's write lock for minutes.
- ``file:///absolute/folder``: the file cache in that folder.
- ``locmem://``: each process its own memory, for tests and one-process tools only.

Entries carry a prefix made from the database's identity, so two sites (or a site and its
tests) sharing one Redis never read each other's entries. A second alias, ``local``, is always
the process's own memory: for what must never leave the process (the tips' route-wide rate
limit bucket) and for ``COPPS_RATE_LIMIT_STORE=process``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["CACHE_TABLE", "caches_from_url"]

CACHE_TABLE = "copps_cache"
TIMEOUT_S = 24 * 3600  # entries are keyed by what they rest on; this only bounds the leftovers
_LOCAL = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "copps-local"}


def caches_from_url(url: str, database: dict) -> dict:
    """Django's ``CACHES`` for ``COPPS_CACHE_URL`` = ``url`` and the ``default`` database."""
    prefix = "copps-" + hashlib.sha256(f"{database['ENGINE']}|{database.get('HOST')}|{database['NAME']}".encode()
                                       ).hexdigest()[:12]
    common = {"TIMEOUT": TIMEOUT_S, "KEY_PREFIX": prefix}
    url = (url or "").strip()
    scheme = urlsplit(url).scheme if url else ""
    if scheme in ("redis", "rediss"):
        default = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, **common}
    elif scheme == "file":
        folder = urlsplit(url).path
        if not folder.startswith("/"):
            raise ValueError(f"COPPS_CACHE_URL={url!r}: a file cache needs an absolute folder, file:///path")
        default = _files(Path(folder), common)
    elif scheme == "locmem":
        default = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "copps-default", **common}
    elif not url:
        if database["ENGINE"] == "django.db.backends.sqlite3":
            default = _files(Path(database["NAME"]).resolve().parent / "cache", common)
        else:
            default = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE,
                       "OPTIONS": {"MAX_ENTRIES": 50_000}, **common}
    else:
        raise ValueError(
            f"COPPS_CACHE_URL={url!r}: expected redis://host:port/db, file:///folder, locmem:// or nothing "
            "(the database's own cache)"
        )
    return {"default": default, "local": _LOCAL}


def _files(folder: Path, common: dict) -> dict:
    return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(folder),
            "OPTIONS": {"MAX_ENTRIES": 2_000}, **common}  # a map answer is up to ~1 MB
