"""The tip pages' stylesheets and icon, served under the tip route itself.

A browser fetching ``/static/copps/site.css`` for a tip page would leave an ordinary access-log
line -- the tipster's address, browser and the second -- right beside the tip page's own
scrubbed one. Served from ``/community/tip/assets/`` instead, those fetches are tip-route
requests: ``TipPrivacyMiddleware`` strips them of the caller and the access log writes them
like the tip pages (``copps.community.accesslog``). Only the few files the tip pages use are
served here, read once per process from the static files.
"""

from __future__ import annotations

import mimetypes

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpRequest, HttpResponse

__all__ = ["TIP_ASSETS", "tip_asset"]

# name under /community/tip/assets/ -> the static file
TIP_ASSETS = {
    "site.css": "copps/site.css",
    "community.css": "community/community.css",
    "favicon.svg": "copps/favicon.svg",
}
_cache: dict[str, bytes] = {}


def _read(static_path: str) -> bytes:
    found = finders.find(static_path)
    if found:
        with open(found, "rb") as f:
            return f.read()
    with staticfiles_storage.open(static_path) as f:  # collected, with no finder
        return f.read()


def tip_asset(request: HttpRequest, name: str) -> HttpResponse:
    static_path = TIP_ASSETS.get(name)
    if static_path is None:
        raise Http404("no such file")
    if name not in _cache:
        _cache[name] = _read(static_path)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    return HttpResponse(_cache[name], content_type=content_type)
