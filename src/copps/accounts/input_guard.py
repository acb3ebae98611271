"""Input no page could use, refused before any view sees it: a clear 400, never a 500.

Two kinds, both found by fuzzing the whole site (issue 13, item 8):

- a NUL character (``\\x00``) in the path, the query string or a form field. PostgreSQL cannot
  store or even compare a text value holding one (psycopg refuses it with an error), so a NUL in
  a tracking id, an Open311 id or a service code was a server error on PostgreSQL only. No text
  copps takes has any use for it. (Uploaded files are bytes and are not looked at.)
- a whole number beyond what a database integer holds (more than 2**63 - 1) where an id or a
  count goes: a list of areas, categories or events of ``99999999999999999999`` was an overflow
  in the database driver. No field of copps takes a number that size, so any parameter that is
  nothing but such a number is refused.
- a request body in a character set Python cannot decode text with: an unknown name, or a codec
  that is not a text encoding (``rot13``, ``base64``, ``idna``). Django raises on those while
  reading the form, before the CSRF check. Forms are sent in UTF-8; Django itself refuses any
  other charset for url-encoded forms.

The check reads the form fields of url-encoded and multipart posts (Django keeps them for the
view) and, for a JSON body, the raw text. The answer is plain text, or ``{"detail": ...}`` under
``/api/`` (the staff API's own 400). Open311 answers in its own error format, so its views make
the same check themselves (``copps.community.open311.views.endpoint``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Collection

from django.http import HttpRequest, HttpResponse, JsonResponse

__all__ = ["BadInputMiddleware", "bad_input"]

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_LIMIT = 2_621_440  # bytes of a JSON body looked at: Django's own limit on a request body
INT64_MAX = 2**63 - 1
_WHOLE = re.compile(r"\s*[+-]?0*(\d+)\s*")


def _too_large(value: str) -> bool:
    match = _WHOLE.fullmatch(value)
    if match is None:
        return False
    digits = match[1]
    return len(digits) > 19 or int(digits) > INT64_MAX


def _text_codec(name: str) -> bool:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    if not getattr(info, "_is_text_encoding", True) or info.name in ("idna", "punycode"):
        return False
    return True


def bad_input(request: HttpRequest, *, numbers: bool = True, fields: Collection[str] | None = None) -> str | None:
    """What is wrong with ``request``'s input, in words for whoever sent it; None if nothing.
    ``numbers=False`` leaves the size of numbers to a caller that checks its own, and ``fields``
    limits the parameters looked at to those (Open311: its schema declares what each of its
    fields takes, and extra fields are ignored)."""
    def looked_at(data) -> list[str]:
        keys = [k for k in data if fields is None or k in fields]
        return [v for k in keys for v in ((k, *data.getlist(k)) if fields is None else data.getlist(k))]

    query = looked_at(request.GET)
    if "\x00" in request.path or any("\x00" in v for v in query):
        return "The address holds a NUL character (%00), which no page takes. Remove it and try again."
    content_type = request.content_type or ""
    charset = request.content_params.get("charset")
    if charset and not _text_codec(charset):
        return f"The request's character set {charset!r} is not a text encoding copps can read. Send it as UTF-8."
    values = query
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type in FORM_TYPES:
            posted = looked_at(request.POST)
            if any("\x00" in v for v in posted):
                return "A form field holds a NUL character, which no field takes. Remove it and send again."
            values += posted
        elif content_type.endswith("json") and int(request.META.get("CONTENT_LENGTH") or 0) <= JSON_LIMIT:
            if b"\\u0000" in request.body or b"\x00" in request.body:
                return "The JSON holds a NUL character (\\u0000), which no field takes. Remove it and send again."
    if numbers and any(_too_large(v) for v in values):
        return "A number is larger than any field takes (the largest is 9223372036854775807)."
    return None


OWN_ERRORS = ("/open311/",)  # APIs that answer bad input in their own format


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = None if request.path.startswith(OWN_ERRORS) else bad_input(request)
        if problem is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": problem}, status=400)
        return HttpResponse(f"Bad request. {problem}\n", status=400, content_type="text/plain; charset=utf-8")
