"""From the database to the arrays copps.analysis works on: the one place scans read events.

Filters are the staff filters (area, kind, category, dates); times come back as local
``datetime64`` (analysts read hours and weekdays in the agency's time zone) and places as
the hundred-block address or the exact location.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from copps.incidents.jurisdiction import ensure_classified
from copps.incidents.models import Area, Event, Location, OffenseCategory

__all__ = [
    "ScanError",
    "ScanFilter",
    "EventArrays",
    "load_events",
    "DailyCounts",
    "daily_counts",
    "find_area",
    "queryset",
    "day_argument",
    "positive_number",
]


class ScanError(ValueError):
    """A filter that names nothing in the database, said plainly."""


def day_argument(text: str) -> date:
    """A command-line day, ``YYYY-MM-DD``; a bad one is said plainly (argparse shows the message)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day: write it as YYYY-MM-DD, e.g. 2024-03-01") from None


def positive_number(text: str) -> float:
    """A command-line size above zero (metres, days); a bad one is said plainly."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return value


@dataclass(frozen=True)
class ScanFilter:
    kind: str | None = None
    categories: tuple[str, ...] = ()
    area: str | None = None  # "beat:1533", "district:17" or an area name/code
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        parts = [self.kind or "all kinds", ", ".join(self.categories) or "all categories", self.area or "whole city"]
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'} to {self.date_to or '…'}")
        return "; ".join(parts)


def find_area(text: str) -> Area:
    """``type:code`` or a code or name that names exactly one area."""
    type_, _, key = text.rpartition(":")
    qs = Area.objects.all()
    if type_:
        qs = qs.filter(type=type_)
    found = list(qs.filter(code=key)) or list(qs.filter(name__iexact=key))
    if len(found) != 1 and not Area.objects.exists():
        raise ScanError(
            f"--area {text!r}: no areas are loaded yet; import them first, e.g. "
            "`copps areas import beats.geojson --type beat --name-field BEAT`"
        )
    if len(found) != 1:
        known = ", ".join(f"{a.type}:{a.code}" for a in Area.objects.order_by("type", "code")[:20])
        what = "no area" if not found else f"{len(found)} areas"
        raise ScanError(f"--area {text!r} names {what}; use type:code, e.g. {known}")
    return found[0]


def _checked_categories(f: ScanFilter) -> dict[str, int] | None:
    """Refuse a filter whose dates run backwards or that names an unknown category; the named
    categories' ids by code (None: no category filter)."""
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise ScanError(f"--from {f.date_from} is after --to {f.date_to}: give the earlier day first")
    if not f.categories:
        return None
    found = dict(OffenseCategory.objects.filter(code__in=f.categories).values_list("code", "id"))
    missing = sorted(set(f.categories) - set(found))
    if missing:
        raise ScanError(f"unknown categories {', '.join(missing)}; see `copps scan categories`")
    return found


def queryset(f: ScanFilter) -> QuerySet[Event]:
    categories = _checked_categories(f)
    qs = Event.objects.all()
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if categories is not None:
        qs = qs.filter(category__code__in=f.categories)
    if f.area:
        area = find_area(f.area)
        qs = qs.filter(**{area.type: area}) if area.type != "city" else qs
    tz = timezone.get_current_timezone()
    if f.date_from:
        qs = qs.filter(occurred_from__gte=datetime.combine(f.date_from, time.min, tz))
    if f.date_to:
        qs = qs.filter(occurred_from__lt=datetime.combine(f.date_to + timedelta(days=1), time.min, tz))
    return qs


@dataclass(frozen=True)
class EventArrays:
    """Events as parallel arrays (one entry per event)."""

    ids: np.ndarray
    x: np.ndarray  # metres in the site CRS (NaN when not geocoded)
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    start: np.ndarray  # datetime64[m], local time
    end: np.ndarray  # datetime64[m], local time, NaT when the time is exact
    category: np.ndarray  # category code
    place: np.ndarray  # hundred block (or "" when none)
    location: np.ndarray  # Event.location: inside, buffer, outside, invalid ("" not geocoded)

    def __len__(self) -> int:
        return len(self.ids)

    def mappable(self, include_buffer: bool = False) -> np.ndarray:
        """Which events feed spatial analysis: inside the jurisdiction (and in its buffer when
        ``include_buffer``), with coordinates in the site CRS."""
        ok = {Location.INSIDE.value, Location.BUFFER.value} if include_buffer else {Location.INSIDE.value}
        return np.isfinite(self.x) & np.isfinite(self.y) & np.isin(self.location, list(ok))

    def geocoded(self, include_buffer: bool = False) -> EventArrays:
        """The events spatial analysis may use (see :meth:`mappable`); :meth:`left_out` says
        what the others were."""
        keep = self.mappable(include_buffer)
        return EventArrays(**{k: getattr(self, k)[keep] for k in self.__dataclass_fields__})

    def left_out(self, include_buffer: bool = False) -> dict[str, int]:
        """Events :meth:`geocoded` leaves out, by reason (zeros dropped)."""
        keep = self.mappable(include_buffer)
        loc = self.location[~keep]
        out = {
            "outside the jurisdiction": int(np.isin(loc, [Location.OUTSIDE.value, Location.BUFFER.value]).sum()),
            "at impossible places": int((loc == Location.INVALID.value).sum()),
            "without coordinates": int((loc == Location.NONE.value).sum()),
        }
        return {k: v for k, v in out.items() if v}

    def left_out_text(self, include_buffer: bool = False, what: str = "the map") -> str:
        """'12 events left out of the map: 9 outside the jurisdiction, 3 at impossible places'
        (or '' when none was)."""
        reasons = self.left_out(include_buffer)
        if not reasons:
            return ""
        total = sum(reasons.values())
        return f"{total:,} event{'s' if total != 1 else ''} left out of {what}: " + ", ".join(
            f"{n:,} {why}" for why, n in reasons.items()
        )


def _local(values: list, tz) -> np.ndarray:
    out = np.array(
        [np.datetime64(v.astimezone(tz).replace(tzinfo=None), "m") if v else np.datetime64("NaT") for v in values],
        dtype="datetime64[m]",
    )
    return out


def load_events(f: ScanFilter) -> EventArrays:
    ensure_classified()
    rows = list(
        queryset(f)
        .order_by("id")
        .values_list(
            "id", "x", "y", "lon", "lat", "occurred_from", "occurred_to", "category__code", "block_address", "location"
        )
    )
    tz = timezone.get_current_timezone()
    cols = list(zip(*rows, strict=False)) if rows else [[] for _ in range(10)]

    def floats(col):
        return np.array([np.nan if v is None else v for v in col], dtype=float)

    return EventArrays(
        ids=np.array(cols[0], dtype=np.int64),
        x=floats(cols[1]),
        y=floats(cols[2]),
        lon=floats(cols[3]),
        lat=floats(cols[4]),
        start=_local(cols[5], tz),
        end=_local(cols[6], tz),
        category=np.array([c or "" for c in cols[7]], dtype=object),
        place=np.array(cols[8], dtype=object),
        location=np.array(cols[9], dtype=object),
    )


@dataclass(frozen=True)
class DailyCounts:
    """Events counted per category code and local day (one entry per pair that holds events):
    what a count by day and category needs, read without loading the events one by one."""

    day: np.ndarray  # datetime64[D], local
    category: np.ndarray  # category code ("" unclassified)
    n: np.ndarray  # int64, events

    def __len__(self) -> int:
        return int(self.n.sum())

    @classmethod
    def from_events(cls, ev: EventArrays) -> DailyCounts:
        """The same counts from events already loaded (each counted once)."""
        return cls(ev.start.astype("datetime64[D]"), ev.category, np.ones(len(ev), dtype=np.int64))


def daily_counts(f: ScanFilter, *, kept: bool = True) -> DailyCounts:
    """The events :func:`load_events` would give for ``f``, counted per category and local day.

    Read from the kept day counts (:mod:`copps.incidents.daycounts`) while they are in step with
    the events, in the site's zone; else (or with ``kept=False``) counted in the database with the
    same filter and the same local days. On SQLite in a zone a whole number of hours from UTC,
    counted per UTC hour in SQL and each hour given its local day here, as
    :mod:`copps.incidents.coverage` does (a per-row zone conversion costs a Python call per event)."""
    from copps.incidents.coverage import _hour_day, _whole_hours

    if kept:
        found = _kept_counts(f)
        if found is not None:
            return found
    ensure_classified()
    qs = queryset(f).order_by()
    tz = timezone.get_current_timezone()
    days: list = []
    codes: list = []
    counts: list = []
    if connection.vendor == "sqlite" and _whole_hours(tz):
        rows = qs.annotate(hour=Substr("occurred_from", 1, 13)).values_list("category__code", "hour")
        local: dict[str, np.datetime64] = {}
        merged: dict[tuple, int] = {}
        for code, hour, n in rows.annotate(n=Count("*")):
            if hour not in local:
                local[hour] = np.datetime64(_hour_day(hour, tz), "D") if hour else np.datetime64("NaT", "D")
            key = (code or "", local[hour])
            merged[key] = merged.get(key, 0) + n
        for (code, day), n in merged.items():
            codes.append(code)
            days.append(day)
            counts.append(n)
    else:
        rows = qs.annotate(day=TruncDate("occurred_from", tzinfo=tz)).values_list("category__code", "day")
        for code, day, n in rows.annotate(n=Count("*")):
            codes.append(code or "")
            days.append(np.datetime64(day, "D") if day else np.datetime64("NaT", "D"))
            counts.append(n)
    return DailyCounts(
        np.array(days, dtype="datetime64[D]"), np.array(codes, dtype=object), np.array(counts, dtype=np.int64)
    )


def _kept_counts(f: ScanFilter) -> DailyCounts | None:
    """``daily_counts(f)`` from the kept table, or None when it may not answer (not in step with
    the events, not built in this zone, or a neighbourhood: the table holds the city, districts
    and beats). Kind, categories and whole local days are filters the table holds."""
    from copps.incidents import coverage, daycounts

    if not daycounts.fresh(coverage.data_state().day_counts):
        return None  # counted from the events: queryset() checks the filter
    categories = _checked_categories(f)
    ids = None if categories is None else sorted(categories.values())
    level, area_id = "city", None
    if f.area:
        area = find_area(f.area)
        if area.type not in daycounts.LEVELS:
            return None
        if area.type != Area.Type.CITY:
            level, area_id = area.type, area.pk
    days, codes, n = daycounts.read(
        kind=f.kind, category_ids=ids, level=level, area_id=area_id, day_from=f.date_from, day_to=f.date_to
    )
    return DailyCounts(days, codes, n)
