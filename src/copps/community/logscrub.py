"""What the front door keeps out of every log: tracking keys, Open311 tokens and tip-route visits.

A reporter's tracking key (``/community/track/<key>/``, or ``?id=<key>`` on the look-up form) and
an Open311 request token open a resident's request to whoever holds them, so no log line may
carry one: they are written ``[key]``. And nothing about a visit to the anonymous-tip routes
may be logged at all (not even "Not Found: /community/tip/..." with its second), so a record
that names a tip path is dropped.

``ScrubFilter`` does both. Settings put it on the root logger and on every handler (a filter on
a logger sees only records made on that very logger; a handler's filter sees every record that
reaches it), so Django's "Not Found"/"Bad Request" lines, tracebacks and any other module's
records pass through it on their way to any sink. ``copps.community.accesslog`` applies the
same rules to gunicorn's access log, which does not go through Python logging records.
"""

from __future__ import annotations

import logging
import re

from copps.community.tipguard import TIP_PREFIX, is_tip_path

__all__ = ["ScrubFilter", "redact_secrets", "redact_query", "names_a_tip_route"]

# Path segments (and the look-up form's query parameter) that open a resident's request.
SECRET_SEGMENTS = re.compile(r"(/community/track/|/open311/v2/tokens/)[^/?.\s\"'&#]+")
SECRET_QUERY = re.compile(r"(/community/track/\?(?:[^\s\"'#]*?&)?id=)[^&\s\"'#]+")
# What a resident asks a map: a place typed into its search (their own street, often) and the
# point they marked or their browser's position (``/public/places/block``): never logged.
PLACE_QUERY = re.compile(r"(/public/places/(?:block)?\?)[^\s\"'#]+")
PLACE_PATH = re.compile(r"/public/places/(?:block)?$")


def redact_secrets(text: str) -> str:
    """``text`` with every tracking key and Open311 token replaced by ``[key]``, and the query
    of a map's place search or point look-up by ``[place]``."""
    return PLACE_QUERY.sub(r"\1[place]", SECRET_QUERY.sub(r"\1[key]", SECRET_SEGMENTS.sub(r"\1[key]", text)))


def redact_query(path: str, query: str) -> str:
    """A query string logged apart from its path: the track look-up's ``id`` is a key; a map's
    place search and point look-up are the resident's own places."""
    if PLACE_PATH.search(path):
        return "[place]" if query else query
    if path.rstrip("/") != "/community/track":
        return query
    return re.sub(r"(^|&)id=[^&]*", r"\1id=[key]", query)


def names_a_tip_route(text: str) -> bool:
    return TIP_PREFIX in text


class ScrubFilter(logging.Filter):
    """Drop records about tip routes; write secrets in the rest as ``[key]`` (in place, so every
    handler after this one sees the scrubbed record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if is_tip_path(str(getattr(request, "path", "") or "")):
            return False
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        if names_a_tip_route(message):
            return False
        clean = redact_secrets(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            if names_a_tip_route(record.exc_text):
                return False
            record.exc_text = redact_secrets(record.exc_text)
        if request is not None:
            # Django's e-mail report of an error would print the request's headers (the
            # Referer among them) from here: it gets no request object to print
            record.request = None
        return True
