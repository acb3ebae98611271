"""The application's logs: plain text or JSON Lines (``COPPS_LOG_FORMAT``), always scrubbed.

``logging_config`` builds Django's ``LOGGING``: one stream handler on the root logger, behind
the scrubbing filter (``copps.community.logscrub.ScrubFilter``: tip-route records dropped,
tracking keys and Open311 tokens written ``[key]``), with either the plain message or one JSON
object per line: ``timestamp`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, and, for a
record made while a request was served, ``request_id`` and ``path``; ``status`` when Django's
request logger gives one; ``exception`` with the (scrubbed) traceback.

``RequestContextMiddleware`` holds the request's id and path for the records made while it is
served: the id is the reverse proxy's ``X-Request-ID`` when it sends a sensible one (so a line
of the proxy's log and of copps's can be matched), else a new one, and is sent back in the
response's ``X-Request-ID``. On the tip routes it holds nothing and adds no header: nothing about
a tip visit is logged, and the tip pages say nothing a tipster's browser need not know.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.core.signals import request_finished

from copps.community.logscrub import redact_secrets
from copps.community.tipguard import is_tip_path

__all__ = ["FORMATS", "JsonFormatter", "RequestContextFilter", "RequestContextMiddleware", "logging_config"]

FORMATS = ("text", "json")
_REQUEST: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("copps_request", default=None)
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def logging_config(fmt: str, level: str) -> dict:
    """Django's ``LOGGING`` for ``COPPS_LOG_FORMAT`` ``fmt`` (text or json) and ``level``."""
    if fmt not in FORMATS:
        from copps.config import ConfigError

        raise ConfigError(f"COPPS_LOG_FORMAT must be text or json, not {fmt!r}")
    handler = {
        "class": "logging.StreamHandler",
        # the scrubber first: the context filter then adds the request's id and path to what is kept
        "filters": ["scrub", "request"],
    }
    if fmt == "json":
        handler["formatter"] = "json"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "scrub": {"()": "copps.community.logscrub.ScrubFilter"},
            "request": {"()": "copps.logs.RequestContextFilter"},
        },
        "formatters": {"json": {"()": "copps.logs.JsonFormatter"}},
        "handlers": {"console": handler},
        "loggers": {
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        },
        "root": {"handlers": ["console"], "filters": ["scrub"], "level": level},
    }


class RequestContextFilter(logging.Filter):
    """Put the id and path of the request being served (if any) on the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = _REQUEST.get()
        if current is not None:
            record.request_id, record.request_path = current
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        created = datetime.fromtimestamp(record.created, UTC)
        data = {
            "timestamp": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            data["request_id"] = request_id
            data["path"] = redact_secrets(getattr(record, "request_path", ""))
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            data["status"] = status
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, ensure_ascii=False, default=str)


class RequestContextMiddleware:
    """Hold the request's id and path for its log records; send the id back as ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_tip_path(request.path):
            return self.get_response(request)
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _GIVEN_ID.match(given) else uuid.uuid4().hex
        # held until the response is closed (``request_finished``): Django logs "Not Found" and
        # "Bad Request" after the last middleware has returned
        _REQUEST.set((request_id, request.path))
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _forget_request(**kwargs) -> None:
    _REQUEST.set(None)


request_finished.connect(_forget_request, dispatch_uid="copps.logs.forget_request")
