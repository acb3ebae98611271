"""The period the events cover, per kind and source: what every comparison must stay inside.

One aggregate query counts events per kind, source and local day (in the active zone: the site's,
see :mod:`copps.incidents.sitetime`); :func:`copps.analysis.coverage.from_days` turns each
series into first day, last day (partial) and gaps. The result is kept in Django's cache under a
key made of the newest import batch, the newest event, the first and last event times and the
zone, so an import, a deletion at either end or a change of zone computes it afresh, and a page
costs two index-only queries.

Within one web request the stamp is read once (:func:`one_reading`, entered by the site's time
zone middleware): a dashboard asks for several kinds' coverage, and each asked the database
again. Whatever changes events forgets the remembered stamp (:func:`forget`, on
``signals.events_changed``), so a request (or a test) that imports and then reads sees the new
data; outside a request nothing is remembered.

A kind's coverage (what CompStat, trends and alerts use) is computed from the kind's events of
every source together; ``kind=None`` is every event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from copps.analysis import coverage as cov
from copps.incidents.models import Event, EventDayCountState, ImportBatch

__all__ = [
    "SourceCoverage",
    "DataState",
    "data_state",
    "data_stamp",
    "one_reading",
    "forget",
    "table",
    "of",
    "complete_to",
    "describe",
    "as_date",
]

CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class SourceCoverage:
    """The coverage of one kind and source (``source`` "" = every source of the kind;
    ``kind`` "" = every event)."""

    kind: str
    source: str
    coverage: cov.Coverage


def as_date(day) -> date | None:
    """A ``datetime64[D]`` as a ``date`` (None stays None)."""
    return None if day is None else date.fromisoformat(str(np.datetime64(day, "D")))


@dataclass(frozen=True)
class DataState:
    """What one reading of the data's state found: the stamp (see :func:`data_stamp`) and the kept
    day counts' state row (``copps.incidents.daycounts.fresh`` reads it: (changes, counted, zone))."""

    stamp: str
    day_counts: tuple


# the current request's readings, by zone (None outside a request: nothing is remembered)
_memo: ContextVar[dict | None] = ContextVar("copps_data_state", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    """Within this context (a web request) the data's state is read from the database once."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def forget(**kwargs) -> None:
    """Events changed: a stamp read before is stale (``signals.events_changed``)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


def data_state() -> DataState:
    """The stamp and the kept day counts' state, in one query of scalar subqueries, each answered
    from an index or one row (SQLite uses its min/max shortcut only for a query with a single MIN
    or MAX, hence subqueries, not one aggregate). Remembered for the rest of a request."""
    zone = timezone.get_current_timezone_name()
    memo = _memo.get()
    if memo is not None and zone in memo:
        return memo[zone]
    events, batches, state = Event._meta.db_table, ImportBatch._meta.db_table, EventDayCountState._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            # rolled-back batches count too: a rollback changes events without a new batch; the
            # change counter catches the rest (an area import, a geocoding run)
            f"SELECT (SELECT MAX(id) FROM {batches}), (SELECT COUNT(rolled_back_at) FROM {batches}), "
            f"(SELECT MAX(id) FROM {events}), "
            f"(SELECT MIN(occurred_from) FROM {events}), (SELECT MAX(occurred_from) FROM {events}), "
            f"(SELECT MAX(changes) FROM {state}), (SELECT MAX(counted) FROM {state}), (SELECT MAX(zone) FROM {state})"
        )
        row = list(cur.fetchone())
    text = "|".join(map(str, [*row[:6], zone]))
    found = DataState("copps:coverage:" + hashlib.sha1(text.encode()).hexdigest(), tuple(row[5:]))
    if memo is not None:
        memo[zone] = found
    return found


def data_stamp() -> str:
    """A key that changes whenever events are imported, rolled back, edited or their dates change:
    the key :func:`table` is cached under, and a part of other caches' keys for answers drawn from
    events (read once per request: :func:`data_state`)."""
    return data_state().stamp


def _whole_hours(tz) -> bool:
    """The zone's offset from UTC is a whole number of hours, summer and winter."""
    year = timezone.now().year
    return all(
        tz.utcoffset(datetime(year, month, 1)).total_seconds() % 3600 == 0 for month in (1, 4, 7, 10)
    )


def _hour_day(hour: str, tz) -> date:
    """The local day in ``tz`` of a UTC hour as SQLite spells it (``YYYY-MM-DD HH``): counting per
    UTC hour in SQL and giving each hour its day here spares a Python call per event."""
    return datetime.fromisoformat(hour + ":00:00+00:00").astimezone(tz).date()


def _daily_rows() -> list[tuple[str, str, date, int]]:
    """Events per kind, source and local day."""
    tz = timezone.get_current_timezone()
    if connection.vendor == "sqlite" and _whole_hours(tz):
        # SQLite keeps UTC times as text: count per UTC hour in SQL, then give each hour its local
        # day here (Django's per-row zone conversion is a Python call per event: 14 us each)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT kind, source, substr(occurred_from, 1, 13), COUNT(*) FROM {Event._meta.db_table} "
                "GROUP BY 1, 2, 3"
            )
            hours = cur.fetchall()
        local: dict[str, date] = {}
        for _, _, hour, _ in hours:
            if hour not in local:
                local[hour] = _hour_day(hour, tz)
        return [(kind, source, local[hour], n) for kind, source, hour, n in hours]
    return list(
        Event.objects.annotate(day=TruncDate("occurred_from", tzinfo=tz))
        .values_list("kind", "source", "day")
        .annotate(n=Count("*"))
        .order_by()
    )


def _compute() -> list[SourceCoverage]:
    rows = _daily_rows()
    groups: dict[tuple[str, str], dict] = {}
    for kind, source, day, n in rows:
        for key in ((kind, source), (kind, ""), ("", "")):
            series = groups.setdefault(key, {})
            series[day] = series.get(day, 0) + n
    out = []
    for (kind, source), series in sorted(groups.items()):
        days = np.array([np.datetime64(d, "D") for d in series], dtype="datetime64[D]")
        c = cov.from_days(days, np.fromiter(series.values(), dtype=np.int64, count=len(series)))
        if c is not None:
            out.append(SourceCoverage(kind, source, c))
    return out


def table() -> list[SourceCoverage]:
    """Every kind and source's coverage (and each kind's, and every event's), cached."""
    key = data_stamp()
    found = cache.get(key)
    if found is None:
        found = _compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def of(kind: str | None = None, source: str | None = None) -> cov.Coverage | None:
    """The coverage of a kind (of all sources, or one); None without events.

    Without a kind, the days *every* kind covers: a count pooled over crimes, calls and collisions
    is only whole where each of them is (collision data ending three days before the crime data
    must not make those three days look covered)."""
    rows = table()
    if not kind and not source:
        return cov.intersect([row.coverage for row in rows if row.kind and not row.source])
    for row in rows:
        if row.kind == (kind or "") and row.source == (source or ""):
            return row.coverage
    return None


def complete_to(kind: str | None = None) -> date | None:
    """The last complete day of data of a kind (the day before its last event's day)."""
    c = of(kind)
    return None if c is None else as_date(c.complete_to)


def describe(c: cov.Coverage | None) -> str:
    """One line for a scan's output: the covered days, the partial last day and the gaps."""
    if c is None:
        return "no data"
    text = (
        f"data from {as_date(c.first)} to {as_date(c.complete_to)} (the last event's day, "
        f"{as_date(c.last)}, counts as partial)"
    )
    if c.gaps:
        spans = ", ".join(f"{as_date(a)} to {as_date(b)}" for a, b in c.gaps[:5])
        more = f" and {len(c.gaps) - 5} more" if len(c.gaps) > 5 else ""
        text += f"; gaps with no data: {spans}{more}"
    return text
