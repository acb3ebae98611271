"""The query of GET requests: the spec's filters, its 90-day window, and paging (an extension).

- ``service_request_id``: comma-separated ids; overrides every other filter, as the spec says
  (a malformed date or status beside it is still refused).
- ``service_code``: comma-separated codes.
- ``start_date`` / ``end_date``: W3C datetimes (``2010-05-24T00:00:00Z``; a date alone or a
  datetime without offset is read in the agency's time zone) on ``requested_datetime``. The
  window spans at most 90 days; a missing end is 90 days after the start (or now), a missing
  start 90 days before the end.
- ``status``: comma-separated ``open`` / ``closed``.
- ``page`` (from 1) and ``page_size`` (1 to 1000, default 1000): the paging extension most
  GeoReport servers implement. Without them the answer is the spec's default, the first 1000.
- ``extensions=true``: add ``extended_attributes`` to each request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from copps.community.models import ServiceRequest
from copps.community.states import CLOSED_STATES

from .errors import bad_request

__all__ = ["RequestQuery", "parse_query", "MAX_PAGE_SIZE", "MAX_WINDOW", "MAX_IDS"]

MAX_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000  # a million pages of a thousand: any real paging, and an offset every database takes
MAX_WINDOW = timedelta(days=90)
MAX_IDS = 1000
_UNESCAPED_PLUS = re.compile(r"(T[\d:.]+) (\d{2}:?\d{2})$")


@dataclass
class RequestQuery:
    queryset: QuerySet
    offset: int
    limit: int
    extensions: bool


def _csv(params: QueryDict, name: str) -> list[str]:
    values = []
    for raw in params.getlist(name):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    return values


def _datetime(params: QueryDict, name: str) -> datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        # A "+" offset not escaped in the URL arrives as a space.
        value = parse_datetime(_UNESCAPED_PLUS.sub(r"\1+\2", raw))
        if value is None:
            day = parse_date(raw)
            value = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        value = None
    if value is None:
        raise bad_request(f"{name} {raw!r} is not a W3C datetime such as 2010-01-01T00:00:00Z")
    value = value if timezone.is_aware(value) else timezone.make_aware(value)
    # In UTC before it reaches a query: Python takes offsets up to 23:59, PostgreSQL only to 15:59
    # ("+23:00" was a database error, which also aborted the rest of the transaction).
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+05:00 lies before the first moment UTC can name
        return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


def _int(params: QueryDict, name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        span = f"{low} to {high}" if high is not None else f"{low} or more"
        raise bad_request(f"{name} must be a whole number from {span}")
    return value


def _status_q(statuses: list[str]) -> Q:
    wanted = set(statuses)
    unknown = wanted - {"open", "closed"}
    if unknown:
        raise bad_request(f"status must be open or closed, not {', '.join(sorted(unknown))}")
    if wanted == {"closed"}:
        return Q(state__in=CLOSED_STATES)
    if wanted == {"open"}:
        return ~Q(state__in=CLOSED_STATES)
    return Q()


def _shift(moment: datetime, by: timedelta) -> datetime:
    """``moment + by``, held at the first or last representable moment instead of overflowing
    (``start_date=9999-12-30`` asks for an empty window, not for an error)."""
    try:
        return moment + by
    except OverflowError:
        return (datetime.max if by > timedelta(0) else datetime.min).replace(tzinfo=UTC)


def _window(params: QueryDict) -> tuple[datetime, datetime]:
    start, end = _datetime(params, "start_date"), _datetime(params, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = _shift(end, -MAX_WINDOW)
    if end is None:
        end = _shift(start, MAX_WINDOW)
    if end < start:
        raise bad_request("end_date is before start_date")
    if end - start > MAX_WINDOW:
        raise bad_request("start_date and end_date may not span more than 90 days")
    return start, end


def parse_query(params: QueryDict) -> RequestQuery:
    """Check the query string and turn it into a queryset of public requests."""
    page = _int(params, "page", 1, 1, MAX_PAGE)
    page_size = _int(params, "page_size", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    extensions = params.get("extensions", "").strip().lower() == "true"
    qs = ServiceRequest.objects.public().select_related("service")
    if extensions:
        qs = qs.select_related("beat", "district")
    ids = _csv(params, "service_request_id")
    status = _status_q(_csv(params, "status"))
    if ids:
        if len(ids) > MAX_IDS:
            raise bad_request(f"service_request_id may list at most {MAX_IDS} ids")
        # The ids override the other filters, as the spec says; a malformed one is still refused.
        _datetime(params, "start_date"), _datetime(params, "end_date")
        qs = qs.filter(public_id__in=ids)
    else:
        start, end = _window(params)
        qs = qs.filter(requested_at__gte=start, requested_at__lte=end)
        codes = _csv(params, "service_code")
        if codes:
            qs = qs.filter(service__service_code__in=codes)
        qs = qs.filter(status)
    return RequestQuery(qs.order_by("-requested_at", "-id"), (page - 1) * page_size, page_size, extensions)
