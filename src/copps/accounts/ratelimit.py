"""Per-client rate limits on Django's cache: a fixed one-minute window per scope and client.

``@rate_limited("report", per_minute=10)`` counts each client's requests to a view in the
current minute and answers **429 Too Many Requests** (plain text, ``Retry-After`` in seconds
until the window turns) once the count passes the limit. The limit named in code is a default:
``COPPS_RATE_LIMITS`` (``scope=N`` pairs) overrides it per scope, and ``0`` turns a scope off.

The client is its address (``REMOTE_ADDR``), kept in the cache only as a keyed hash, so the
cache never holds an address in the clear. ``key="global"`` keys on nothing about the client:
one bucket for the whole route, for routes that must not look at who is calling (anonymous tips).

Where the counts live is ``COPPS_RATE_LIMIT_STORE``:

- ``cache`` (the default): Django's shared cache (``COPPS_CACHE_URL``, copps/cacheconf.py). Each
  window's count starts with ``cache.add`` and goes up by ``cache.incr``: on Redis both are single
  commands, atomic across every worker and app server, so no request is lost to a race. On the
  fallback caches (a file cache beside an SQLite database, Django's database cache on
  PostgreSQL) the count is shared too, but Django's ``incr`` there reads and then writes, so two
  requests counted in the same instant may count once.
- ``database``: one row per window in ``RateLimitWindow``, raised by an atomic ``UPDATE``: exact
  counts shared by every server without Redis (docs/security.md says why it stays).
- ``process``: each worker's own memory (the ``local`` cache): the effective limit is the
  configured one times the workers.

The global buckets (the tip routes' sending, reading and guessing ones) always stay in the
process's own memory: kept anywhere shared, they would record the minute of each tip and read.
A store that fails lets the request through (logged): a limiter must never turn into a 5xx.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

__all__ = [
    "WINDOW_SECONDS",
    "client_key",
    "configured_limits",
    "limit_for",
    "hit",
    "rate_limited",
    "seconds_to_wait",
    "too_many",
]

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60
STORES = ("cache", "database", "process")
EVERYONE = "all"  # the ``who`` of a route's one global bucket (``key="global"``)
_clock = time.time  # the limiter's own clock, so a test can hold it still across a window


def configured_limits(raw: str | None = None) -> dict[str, int]:
    """``COPPS_RATE_LIMITS`` as {scope: per_minute}; a malformed value is refused loudly."""
    raw = getattr(settings, "COPPS_RATE_LIMITS", "") if raw is None else raw
    limits: dict[str, int] = {}
    for part in (p.strip() for p in (raw or "").split(",")):
        if not part:
            continue
        scope, sep, number = part.partition("=")
        scope, number = scope.strip(), number.strip()
        if not sep or not scope or not number.isdigit():
            raise ImproperlyConfigured(
                f"COPPS_RATE_LIMITS: {part!r} is not scope=N (N a whole number of requests per minute, 0 = off)"
            )
        limits[scope] = int(number)
    return limits


def limit_for(scope: str, default: int) -> int:
    """Requests per minute allowed for ``scope``: the configured value, else ``default``."""
    return configured_limits().get(scope, default)


def client_key(request: HttpRequest) -> str:
    """Who is calling, for a per-client limit: a keyed hash of the client address."""
    addr = request.META.get("REMOTE_ADDR", "") or "unknown"
    # Keyed so that the cache (shared with other code) holds no recoverable address.
    return hmac.new(settings.SECRET_KEY.encode(), addr.encode(), hashlib.sha256).hexdigest()[:32]


def hit(scope: str, who: str, per_minute: int, *, now: float | None = None) -> int:
    """Count one request of ``who`` in ``scope``; return 0 if allowed, else seconds to wait."""
    now = _clock() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"copps:rl:{scope}:{who}:{window}"
    # A route's one global bucket (anonymous tips) never leaves the process: kept in a shared
    # store it would record the minute of each tip, where tip times are kept to the hour only.
    store = "process" if who == EVERYONE else getattr(settings, "COPPS_RATE_LIMIT_STORE", "cache")
    if store == "database":
        count = _count_in_database(key, window)
    else:
        count = _count_in_cache(key, "local" if store == "process" else "default")
    if count <= per_minute:
        return 0
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))


def _count_in_database(key: str, window: int) -> int:
    """Add one to ``key``'s row and return the new count: an atomic ``UPDATE count = count + 1``,
    the row made by the first request of its window (a second maker loses the race on the
    primary key and updates instead). Each new window also deletes the windows that have passed."""
    from copps.accounts.models import RateLimitWindow

    rows = RateLimitWindow.objects
    with _short_lock_wait(), transaction.atomic():  # a savepoint: a failure leaves the caller's transaction usable
        if not rows.filter(key=key).update(count=F("count") + 1):
            expires = datetime.fromtimestamp((window + 1) * WINDOW_SECONDS, tz=UTC)
            try:
                with transaction.atomic():
                    rows.create(key=key, count=1, expires=expires)
            except IntegrityError:
                rows.filter(key=key).update(count=F("count") + 1)
            else:
                rows.filter(expires__lte=datetime.fromtimestamp(window * WINDOW_SECONDS, tz=UTC)).delete()
        return rows.filter(key=key).values_list("count", flat=True).get()


@contextmanager
def _short_lock_wait(ms: int = 250):
    """On SQLite, wait at most ``ms`` for the write lock instead of the connection's 30 s: an
    import or a refresh holds it for minutes, and a limiter that cannot count lets the request
    through (``seconds_to_wait``) rather than holding an app-server worker that long."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA busy_timeout")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA busy_timeout = {int(ms)}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA busy_timeout = {int(before)}")


def _count_in_cache(key: str, alias: str) -> int:
    """Add one to ``key`` in the cache ``alias`` and return the new count."""
    cache = caches[alias]
    # add() is a no-op when the key exists, so the first request of a window starts it at 0.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    return count


def seconds_to_wait(scope: str, per_minute: int, who: str) -> int:
    """Count one request of ``who`` in ``scope``: 0 if it may go on, else the seconds to wait
    (the configured limit overrides ``per_minute``; 0 turns the scope off; a cache that is down
    lets the request through rather than failing it)."""
    limit = limit_for(scope, per_minute)
    if limit <= 0:
        return 0
    try:
        return hit(scope, who, limit)
    except Exception:
        log.warning("rate limit cache unavailable for scope %s; request allowed", scope)
        return 0


def too_many(retry_after: int) -> HttpResponse:
    body = gettext("Too many requests. Please wait %(seconds)d seconds and try again.") % {"seconds": retry_after}
    response = HttpResponse(body + "\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(
    scope: str,
    per_minute: int,
    *,
    key: str = "client",
    methods: Iterable[str] | None = None,
) -> Callable:
    """Limit a view to ``per_minute`` requests per client (``key="client"``) or in all
    (``key="global"``) for ``scope``; ``methods`` limits only those methods (default: all)."""
    if key not in {"client", "global"}:
        raise ValueError("key must be 'client' or 'global'")
    counted = {m.upper() for m in methods} if methods else None

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if counted is None or request.method in counted:
                wait = seconds_to_wait(scope, per_minute, EVERYONE if key == "global" else client_key(request))
                if wait:
                    return too_many(wait)
            return view(request, *args, **kwargs)

        wrapper.rate_limit_scope = scope  # type: ignore[attr-defined]
        return wrapper

    return decorate
