"""What keeps the anonymous-tip routes from learning who the tipster is.

Every path under ``TIP_PREFIX`` (with or without a language prefix, ``/es/community/tip/``:
the language is held in the URL since no cookie is) is handled by ``TipPrivacyMiddleware``, the outermost
middleware, before any other code sees the request:

- the request's ``META`` keeps only the headers a page needs (host, accept, language, the
  TLS proxy's scheme). The client address, port, user agent, cookies, referrer and any
  forwarding headers are deleted, so no view, audit row, log record or error report can
  hold them. (``META`` is the WSGI environ itself, so the app server's access log loses
  them too; ``copps.community.accesslog`` scrubs what it reads from elsewhere.)
- with the cookies gone, no session or user is loaded, and on the way out every
  ``Set-Cookie`` is dropped: the routes set no session, CSRF or language cookie.
- responses are ``no-store`` and ``Referrer-Policy: no-referrer``: no request the page leads
  to -- its stylesheets, a link followed, the form's own post -- names the tip page it came
  from. (The pages' own files are served under the tip route too: ``views/tip_assets.py``.)

Without a CSRF cookie the forms carry a **signed, time-limited form token** instead, and a
POST must come from this site: its ``Origin`` names this host, or -- since under
``no-referrer`` browsers send ``Origin: null`` on a page's own post -- the browser's
``Sec-Fetch-Site`` says ``same-origin`` (a header no page can set; the check is made here,
before those headers are deleted). There is no session for a forged request to ride on, so the
token and the origin check only stop other sites posting into the forms and stale pages being
replayed.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.core import signing
from django.http import HttpRequest, HttpResponse

from copps.language import strip_language

__all__ = [
    "TIP_PREFIX",
    "TipPrivacyMiddleware",
    "is_tip_path",
    "form_token",
    "check_form_token",
    "form_nonce",
    "same_origin",
    "KEPT_META",
]

TIP_PREFIX = "/community/tip/"
TOKEN_SALT = "copps.community.tip-form"
TOKEN_MAX_AGE = 2 * 60 * 60  # a tipster may take a while to write
ORIGIN_FLAG = "copps.tip_same_origin"
# Headers a tip page may see; everything else in META that came from the client goes.
KEPT_META = frozenset(
    {
        "HTTP_HOST",
        "HTTP_ACCEPT",
        "HTTP_ACCEPT_LANGUAGE",
        "HTTP_ACCEPT_ENCODING",
        "HTTP_X_FORWARDED_PROTO",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "REQUEST_METHOD",
        "PATH_INFO",
        "SCRIPT_NAME",
        "QUERY_STRING",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "RAW_URI",
        "wsgi.input",
        "wsgi.url_scheme",
        "wsgi.errors",
        "wsgi.version",
        "wsgi.multithread",
        "wsgi.multiprocess",
        "wsgi.run_once",
        "wsgi.file_wrapper",
        "wsgi.input_terminated",
        "gunicorn.socket",
    }
)
# Left in place, empty, because Django and gunicorn expect them to exist.
BLANKED_META = ("REMOTE_ADDR",)


def is_tip_path(path: str) -> bool:
    """Is ``path`` a tip route, in any language (``/community/tip/``, ``/es/community/tip/``)?"""
    return strip_language(path).startswith(TIP_PREFIX)


def _origin_ok(request: HttpRequest) -> bool:
    source = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER") or ""
    if not source or source == "null":
        return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
    parts = urlsplit(source)
    try:
        host = request.get_host()
    except Exception:  # a disallowed Host: Django answers 400 later on
        return False
    return parts.netloc == host and parts.scheme == request.scheme


def same_origin(request: HttpRequest) -> bool:
    """Did this tip-route POST come from a page of this site? (decided before the scrub)"""
    return bool(request.META.get(ORIGIN_FLAG))


def form_token() -> str:
    """A fresh signed token for a tip form: a random 128-bit nonce and the time it was made.

    The nonce also makes the form's post idempotent: a browser or client that sends the same
    form again (its answer lost to a dropped connection) sends the same nonce, and gets the
    tip or answer made the first time instead of a second copy (``copps.community.views.tips``)."""
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(secrets.token_urlsafe(16))


def form_nonce(token: str) -> str | None:
    """The nonce of a valid, unexpired form token; None for a forged, altered or stale one."""
    try:
        return signing.TimestampSigner(salt=TOKEN_SALT).unsign(token or "", max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None


def check_form_token(token: str) -> bool:
    return form_nonce(token) is not None


class TipPrivacyMiddleware:
    """Scrub tip-route requests of anything identifying, and their responses of cookies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_tip_path(request.path_info):
            return self.get_response(request)
        origin_ok = _origin_ok(request)
        meta = request.META
        for key in [k for k in meta if k not in KEPT_META and (k.isupper() or k.startswith("HTTP_"))]:
            del meta[key]
        for key in BLANKED_META:
            meta[key] = ""
        meta[ORIGIN_FLAG] = origin_ok
        response = self.get_response(request)
        response.cookies.clear()
        response.headers.pop("Set-Cookie", None)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        # Django logs every 4xx answer ("Not Found: /community/tip/...", with its second) once
        # the middleware returns, unless the response says it was logged already: it is not to
        # be logged at all. (Errors raised inside are logged on the way; the filter on every
        # handler, copps.community.logscrub, drops those.)
        response._has_been_logged = True
        return response
