"""The kept staff count table: events per local day, kind, category and area
(:class:`~copps.incidents.models.EventDayCount`), so that the dashboard's first answer sums a few
thousand rows instead of counting two years of a city's events.

It is made where the public tables are made, in the same transaction: in full by the public
rebuild (:func:`rebuild`) and, after an import, for the months its changed events lay in before
and after the change (:func:`recount`, from ``copps.publish.store.refresh_incremental``). It
counts what staff see, every event, never the public generalised records.

Whether it may be read is one comparison (:func:`fresh`): every transaction that changes events
adds one to ``EventDayCountState.changes`` (:func:`note_change`, on ``signals.events_changed``),
and a build records the value it started from. An import committed but not yet counted, an area
import, a change of zone, a site that never publishes: the table is not read, and
:func:`copps.incidents.scanning.daily_counts` counts the events as before, with the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

import numpy as np
from django.db import connection
from django.db.models import F
from django.utils import timezone

from copps.incidents.models import Event, EventDayCount, EventDayCountState

__all__ = ["LEVELS", "note_change", "begin", "rebuild", "recount", "fresh", "read"]

#: Each event is counted once per level: the city's row and its own area's at each other level
#: (the dashboard's areas; a neighbourhood's counts are counted from the events).
LEVELS = ("city", "district", "beat")


def note_change(**kwargs) -> None:
    """Events changed (``signals.events_changed``, in the changing transaction): the kept table is
    behind until the next build."""
    if not EventDayCountState.objects.update(changes=F("changes") + 1):
        EventDayCountState.objects.create(changes=1)


def begin() -> int:
    """The change counter a build starts from; read *before* the events (and before the public
    refresh reads which events are pending), so a change committing after it leaves the table
    marked behind."""
    return EventDayCountState.objects.values_list("changes", flat=True).first() or 0


def _finish(started: int) -> None:
    zone = timezone.get_current_timezone_name()
    if not EventDayCountState.objects.update(counted=started, zone=zone):
        EventDayCountState.objects.create(changes=started, counted=started, zone=zone)


def _day_sql(cur, where: str, params: list) -> tuple[str, str, list]:
    """(a join, the local day of ``e.occurred_from``, its params) for the events ``where`` selects.
    On SQLite in a zone a whole number of hours from UTC, each UTC hour present gets its local day
    once, in a temporary table (Django's per-row zone conversion is a Python call per event)."""
    from copps.incidents.coverage import _hour_day, _whole_hours

    tz = timezone.get_current_timezone()
    if connection.vendor == "postgresql":
        return "", "(e.occurred_from AT TIME ZONE %s)::date", [timezone.get_current_timezone_name()]
    if not _whole_hours(tz):
        zone = timezone.get_current_timezone_name()
        return "", "django_datetime_cast_date(e.occurred_from, %s, %s)", [zone, connection.timezone_name]
    cur.execute("DROP TABLE IF EXISTS temp.copps_hour_day")
    cur.execute("CREATE TEMP TABLE copps_hour_day (hour TEXT PRIMARY KEY, day TEXT)")
    cur.execute(f"SELECT DISTINCT substr(e.occurred_from, 1, 13) FROM {Event._meta.db_table} e WHERE {where}", params)
    hours = [h for (h,) in cur.fetchall() if h]
    cur.executemany(
        "INSERT INTO copps_hour_day (hour, day) VALUES (%s, %s)",
        [(h, _hour_day(h, tz).isoformat()) for h in hours],
    )
    return "JOIN copps_hour_day h ON h.hour = substr(e.occurred_from, 1, 13)", "h.day", []


def _count(where: str, params: list) -> int:
    """Insert the counts of the events ``where`` selects (alias ``e``), at every level: the events
    are read once, counted per day, kind, category, district and beat, and each level summed from
    those groups."""
    table, events = EventDayCount._meta.db_table, Event._meta.db_table
    levels = " UNION ALL ".join(
        f"SELECT '{level}', {'CAST(NULL AS BIGINT)' if level == 'city' else f'{level}_id'}, kind, day, category_id, "
        f"SUM(n) FROM fine {'' if level == 'city' else f'WHERE {level}_id IS NOT NULL '}GROUP BY 2, 3, 4, 5"
        for level in LEVELS
    )
    with connection.cursor() as cur:
        join, day, day_params = _day_sql(cur, where, params)
        cur.execute(
            f"WITH fine AS MATERIALIZED (SELECT e.kind AS kind, {day} AS day, e.category_id AS category_id, "
            f"e.district_id AS district_id, e.beat_id AS beat_id, COUNT(*) AS n FROM {events} e {join} "
            f"WHERE {where} GROUP BY 1, 2, 3, 4, 5) "
            f"INSERT INTO {table} (level, area_id, kind, day, category_id, n) {levels}",
            [*day_params, *params],
        )
        rows = max(cur.rowcount, 0)
        if join:
            cur.execute("DROP TABLE IF EXISTS temp.copps_hour_day")
    return rows


def rebuild(started: int | None = None) -> int:
    """Count every event again (in the caller's transaction: the public rebuild's); the rows
    written. ``started``: :func:`begin`'s value, read by the caller before it read the events."""
    started = begin() if started is None else started
    # DELETE, not TRUNCATE: the dashboards go on reading the committed rows while a rebuild runs
    # (TRUNCATE would hold every reader for the whole public rebuild: minutes at 10M events)
    EventDayCount.objects.all().delete()  # one DELETE: nothing refers to these rows
    rows = _count("1 = 1", [])
    _finish(started)
    return rows


def _month_span(month: str) -> tuple[date, date]:
    year, mon = map(int, month.split("-"))
    return date(year, mon, 1), date(year + mon // 12, mon % 12 + 1, 1)


def recount(months: Iterable[tuple[str, str]], started: int) -> int:
    """Count again the events of each (kind, local month ``YYYY-MM``), in the caller's transaction:
    every month a changed event lay in before or after the change, so the table ends as a rebuild
    would make it. Only a table that was built (and so in step before these changes) is carried
    forward; one never built stays unread until a full rebuild. Returns the rows written."""
    state = EventDayCountState.objects.first()
    if state is None or state.counted < 0 or state.zone != timezone.get_current_timezone_name():
        return 0
    tz = timezone.get_current_timezone()
    rows = 0
    for kind, month in sorted(set(months)):
        first, after = _month_span(month)
        EventDayCount.objects.filter(kind=kind, day__gte=first, day__lt=after).delete()
        edges = [datetime.combine(d, time.min, tz) for d in (first, after)]
        start, end = (connection.ops.adapt_datetimefield_value(d) for d in edges)
        rows += _count("e.kind = %s AND e.occurred_from >= %s AND e.occurred_from < %s", [kind, start, end])
    _finish(started)
    return rows


def fresh(state: tuple | None = None) -> bool:
    """The kept table is in step with the events, in the current zone. ``state``: the row's
    (changes, counted, zone), when the caller read it already (``coverage.data_state``)."""
    if state is None:
        state = EventDayCountState.objects.values_list("changes", "counted", "zone").first()
    if state is None or state[0] is None:
        return False
    changes, counted, zone = state
    return counted == changes and zone == timezone.get_current_timezone_name()


def read(
    *,
    kind: str | None,
    category_ids: list[int] | None,
    level: str,
    area_id: int | None,
    day_from: date | None,
    day_to: date | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(local days, category codes, counts) summed from the kept rows of one area: what
    ``daily_counts`` gives for the same filter. Check :func:`fresh` first."""
    from copps.incidents.models import OffenseCategory

    table, categories = EventDayCount._meta.db_table, OffenseCategory._meta.db_table
    where, params = ["k.level = %s"], [level]
    if area_id is None:
        where.append("k.area_id IS NULL")
    else:
        where.append("k.area_id = %s")
        params.append(area_id)
    if kind:
        where.append("k.kind = %s")
        params.append(kind)
    if day_from:
        where.append("k.day >= %s")
        params.append(connection.ops.adapt_datefield_value(day_from))
    if day_to:
        where.append("k.day <= %s")
        params.append(connection.ops.adapt_datefield_value(day_to))
    if category_ids is not None:
        where.append(f"k.category_id IN ({', '.join(['%s'] * len(category_ids))})" if category_ids else "1 = 0")
        params.extend(category_ids)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT k.day, c.code, SUM(k.n) FROM {table} k LEFT JOIN {categories} c ON c.id = k.category_id "
            f"WHERE {' AND '.join(where)} GROUP BY k.day, c.code",
            params,
        )
        rows = cur.fetchall()
    days = np.array([np.datetime64(d if isinstance(d, date) else str(d), "D") for d, _, _ in rows], "datetime64[D]")
    codes = np.array([c or "" for _, c, _ in rows], dtype=object)
    return days, codes, np.array([int(n) for _, _, n in rows], dtype=np.int64)
