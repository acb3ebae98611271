"""A per-process cache of public responses, valid until the public tables change.

Everything public is a pure function of the request's path and query, the stored public
tables (their version and refresh time), today's cut-off date and the rules in force. So a response can
be kept until any of these changes, and a repeated map or trend request costs one small
query (the version) instead of a database scan and a GeoJSON encoding.

Bounded by total size (``MAX_BYTES``) per worker process; only successful GET responses
are kept, and never one that sets a cookie. A body of 2 KB or more is also kept gzipped,
compressed once, and sent so to clients that accept it (a 5,000-point GeoJSON shrinks
about tenfold).
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from functools import wraps

from django.http import HttpRequest, HttpResponse

from copps.publish import store
from copps.publish.conf import rules as current_rules

__all__ = ["MAX_BYTES", "cached", "clear"]

MAX_BYTES = 64 * 1024 * 1024
_GZIP_FROM = 2048  # smaller bodies are sent as they are
# key -> (body, gzipped body or None, content type, extra headers)
_entries: OrderedDict[tuple, tuple[bytes, bytes | None, str, dict]] = OrderedDict()
_size = [0]


def clear() -> None:
    _entries.clear()
    _size[0] = 0


def _key(request: HttpRequest) -> tuple:
    rules = current_rules()
    query = tuple(sorted((k, tuple(request.GET.getlist(k))) for k in request.GET))
    return request.path, query, store.stamp(), store.cut_date(rules), rules


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
    """Serve ``view``'s successful GET responses from the cache while the key holds; a large
    body is also kept gzipped (once) for clients that accept it, as a static file server would."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        key = _key(request)
        hit = _entries.get(key)
        if hit is not None:
            _entries.move_to_end(key)
            return _respond(request, hit)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False):
            body = response.content
            packed = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= _GZIP_FROM else None
            headers = {h: response[h] for h in ("Content-Disposition",) if response.has_header(h)}
            entry = (body, packed, response["Content-Type"], headers)
            _entries[key] = entry
            _size[0] += len(body) + len(packed or b"")
            while _size[0] > MAX_BYTES and _entries:
                _, (old, old_packed, _, _) = _entries.popitem(last=False)
                _size[0] -= len(old) + len(old_packed or b"")
            return _respond(request, entry)
        return response

    return wrapper
