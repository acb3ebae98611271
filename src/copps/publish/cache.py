"""The public side's one cache, on Django's cache framework: shared by every worker and app
server (``COPPS_CACHE_URL``: Redis in production, the database's own otherwise; see
copps/cacheconf.py), and invalidated by the publish version.

Everything public is a pure function of the stored public tables (their version and refresh
time, :func:`copps.publish.store.stamp`), today's cut-off date, the rules in force and what was
asked. Every key here holds the store's stamp, so a refresh, by any process, makes every entry
of the previous version unreachable at once (they expire on their own); nothing is ever
cleared by hand.

:func:`remember` keeps any derived value (the count tables, the grid, the snap set);
:func:`cached` keeps whole GET responses of public views, a body of 2 KB or more also gzipped,
compressed once and sent so to clients that accept it (a 5,000-point GeoJSON shrinks about
tenfold). Only successful responses are kept, never one that sets a cookie. A cache that fails
is logged and skipped: the value is computed as if it had never been kept.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from collections.abc import Callable, Hashable
from functools import wraps
from typing import TypeVar

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse

from copps.publish.conf import rules as current_rules

__all__ = ["MAX_BODY_BYTES", "cache_key", "cached", "remember"]

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_BODY_BYTES = 16 * 1024 * 1024  # a larger response is answered afresh each time
_GZIP_FROM = 2048  # smaller bodies are sent as they are
_MISSING = object()


def cache_key(name: str, parts: Hashable, *, versioned: bool = True) -> str:
    """The key of ``name``'s entry for ``parts``; with the store's stamp unless ``versioned`` is
    False (for what carries its own version, like the snap set)."""
    from copps.publish import store  # here: store -> pipeline -> snaps, which keeps its set here

    what = (store.stamp(), parts) if versioned else parts
    return f"copps:publish:{name}:{hashlib.sha256(repr(what).encode()).hexdigest()}"


def _get(key: str):
    try:
        return caches["default"].get(key, _MISSING)
    except Exception:  # a cache that is down must not turn a public page into a 500
        log.warning("shared cache unavailable (read); computing afresh", exc_info=True)
        return _MISSING


def _set(key: str, value) -> None:
    try:
        caches["default"].set(key, value)
    except Exception:
        log.warning("shared cache unavailable (write); value not kept", exc_info=True)


def remember(name: str, parts: Hashable, compute: Callable[[], T], *, versioned: bool = True) -> T:
    """``compute()``, kept in the shared cache under ``name`` and ``parts`` (and the store's
    version): the first process to ask computes it, every other reads it."""
    key = cache_key(name, parts, versioned=versioned)
    hit = _get(key)
    if hit is not _MISSING:
        return hit
    value = compute()
    _set(key, value)
    return value


def _request_parts(request: HttpRequest) -> tuple:
    from copps.publish import store

    rules = current_rules()
    query = tuple(sorted((k, tuple(request.GET.getlist(k))) for k in request.GET))
    return request.path, query, store.cut_date(rules), rules


def _accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")


def _respond(request: HttpRequest, entry: tuple) -> HttpResponse:
    body, packed, content_type, headers = entry
    if packed is not None and _accepts_gzip(request):
        response = HttpResponse(packed, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body, content_type=content_type)
    if packed is not None:
        response["Vary"] = "Accept-Encoding"
    for name, value in headers.items():
        response[name] = value
    return response


def cached(view):
    """Serve ``view``'s successful GET responses from the shared cache while the key holds; a
    large body is also kept gzipped (once) for clients that accept it, as a static file server
    would."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        key = cache_key("response", _request_parts(request))
        hit = _get(key)
        if hit is not _MISSING:
            return _respond(request, hit)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False):
            body = response.content
            if len(body) > MAX_BODY_BYTES:
                return response
            packed = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= _GZIP_FROM else None
            headers = {h: response[h] for h in ("Content-Disposition",) if response.has_header(h)}
            entry = (body, packed, response["Content-Type"], headers)
            _set(key, entry)
            return _respond(request, entry)
        return response

    return wrapper
