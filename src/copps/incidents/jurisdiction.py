"""The site's jurisdiction, and where every event lies against it.

The jurisdiction is, in order of preference: the city limits loaded with
``copps areas import FILE --type city``; until then the union of every loaded area
(beats, districts, neighbourhoods); with no areas, the robust extent of the geocoded
events themselves (``copps.geo.jurisdiction.extent_box``). Every geocoded event carries a
location status (``Event.location``): inside, buffer (within 500 m outside), outside or
invalid. Only inside events feed spatial analysis (inside and buffer where an analysis asks).

Statuses are set at import for a jurisdiction made of areas, and recomputed for every event
(set-based, in chunks) when the areas change, and after each import while the jurisdiction is
the data's own extent (which moves with the data).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import shapely
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from shapely.geometry import shape

from copps.geo.crs import Projector
from copps.geo.jurisdiction import (
    BUFFER_M,
    NULL_ISLAND_DEG,
    Jurisdiction,
    extent_box,
    invalid_reasons,
    project_geometry,
)
from copps.incidents import signals
from copps.incidents.models import Area, Event, Location, Site

__all__ = [
    "current",
    "recompute",
    "ensure_classified",
    "location_counts",
    "describe_counts",
    "study_area",
    "SAMPLE_MAX",
]

#: the data's extent is measured on at most this many events (an even sample by id)
SAMPLE_MAX = 200_000

_cache: dict[tuple, Jurisdiction | None] = {}


def _stamp(site: Site, with_data: bool) -> tuple:
    areas = Area.objects.aggregate(n=Count("id"), last=Max("id"), a=Sum("min_lon"), b=Sum("max_lat"))
    data = ()
    if with_data or not areas["n"]:
        data = (Event.objects.aggregate(last=Max("id"))["last"], Event.objects.filter(lat__isnull=False).count())
    return (site.crs, tuple(areas.values()), data)


def current(*, fresh: bool = False) -> Jurisdiction | None:
    """The jurisdiction in site metres (None before any geocoded event gave the site a CRS)."""
    site = Site.get()
    if not site.crs:
        return None
    key = _stamp(site, with_data=False)
    if not fresh and key in _cache:
        return _cache[key]
    forward = Projector(site.crs).forward
    city = list(Area.objects.filter(type=Area.Type.CITY).order_by("id").values_list("name", "geometry"))
    if city:
        geom = shapely.union_all([shape(g) for _, g in city])
        names = ", ".join(n for n, _ in city)
        out = Jurisdiction(project_geometry(geom, forward), "city", f"the city limits ({names})")
    elif Area.objects.exists():
        areas = list(Area.objects.values_list("geometry", flat=True))
        geom = shapely.union_all([shape(g) for g in areas])
        out = Jurisdiction(
            project_geometry(geom, forward),
            "areas",
            f"the union of the {len(areas)} loaded areas (no city limits loaded: copps areas import FILE --type city)",
        )
    else:
        box = _data_extent()
        out = (
            None
            if box is None
            else Jurisdiction(
                box,
                "data",
                "the extent of the data (the 2.5th-97.5th percentile box of the geocoded events, widened by 20%; "
                "load the city limits with copps areas import FILE --type city)",
            )
        )
    if len(_cache) > 16:
        _cache.clear()
    _cache[key] = out
    return out


def _data_extent():
    total = Event.objects.filter(lat__isnull=False).count()
    if not total:
        return None
    step = max(1, total // SAMPLE_MAX)
    table = Event._meta.db_table
    parts = []
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT lon, lat, x, y FROM {table} WHERE lat IS NOT NULL AND x IS NOT NULL AND id %% %s = 0", [step]
        )
        # read in parts: up to SAMPLE_MAX rows as Python tuples would hold ~35 MB at once
        while rows := cur.fetchmany(20_000):
            parts.append(np.array(rows, dtype=float))
    if not parts:
        return None
    lon, lat, x, y = np.concatenate(parts).T
    ok = invalid_reasons(lon, lat) == ""
    return extent_box(x[ok], y[ok])


#: A recompute that changes more statuses than this tells the rooms above that any event may
#: have changed (their next rebuild is full) rather than listing them.
CHANGED_MAX = 50_000


class _Changed:
    """The ids of the events whose status a recompute changed, up to ``CHANGED_MAX``."""

    def __init__(self):
        self.ids: set[int] = set()
        self.too_many = False

    def add(self, ids) -> None:
        if not self.too_many:
            self.ids.update(int(i) for i in ids)
            if len(self.ids) > CHANGED_MAX:
                self.too_many, self.ids = True, set()

    def announce(self) -> None:
        """Tell the rooms above which events moved (``signals.events_changed``), in the recompute's
        transaction: the public tables place an event only while it is not outside or invalid."""
        if self.too_many or self.ids:
            signals.events_changed.send(sender=Event, batch_id=None, events=None if self.too_many else [self.ids])


def recompute(chunk: int = 50_000, *, unclassified_known: bool = False, announced_batch: int | None = None) -> Counter:
    """Set every event's location status against the current jurisdiction; return the counts.

    Reads id and coordinates in chunks and writes only the statuses that change (one UPDATE per
    status and 900 ids), so a re-run over unchanged data writes nothing. In one transaction,
    which also tells the rooms above which events changed status (``events_changed``); an
    import, which tells them of its own new events, says so with ``unclassified_known`` (events
    without a status yet are then not listed again) and ``announced_batch`` (its batch's events,
    which it may have written with a guessed status, are not listed again either).
    """
    with transaction.atomic():
        changed = _Changed()
        counts = _recompute(chunk, changed, unclassified_known, announced_batch)
        changed.announce()
    return counts


def _recompute(chunk: int, changed: _Changed, unclassified_known: bool, announced_batch: int | None) -> Counter:
    _cache.clear()
    j = current(fresh=True)
    qs = Event.objects.all()
    if j is not None and j.source == "data":
        # a box: judged in two UPDATEs, then only rows without x/y are left for Python
        _recompute_box(j, changed, unclassified_known, announced_batch)
        qs = qs.filter(lat__isnull=False, x__isnull=True)
    counts: Counter = Counter()
    last_id = 0
    while True:
        rows = list(
            qs.filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", "lon", "lat", "x", "y", "location", "batch_id")[:chunk]
        )
        if not rows:
            break
        last_id = rows[-1][0]
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        lon, lat, x, y = (np.array([np.nan if r[k] is None else r[k] for r in rows], float) for k in range(1, 5))
        old = np.array([r[5] for r in rows], dtype=object)
        new = np.full(len(rows), Location.NONE.value, dtype=object)
        geocoded = ~np.isnan(lat) | ~np.isnan(lon)
        if j is not None and geocoded.any():
            new[geocoded] = j.classify(lon[geocoded], lat[geocoded], x[geocoded], y[geocoded])
        elif geocoded.any():
            bad = invalid_reasons(lon[geocoded], lat[geocoded]) != ""
            new[geocoded] = np.where(bad, Location.INVALID.value, Location.NONE.value)
        counts.update(new.tolist())
        changed_rows = new != old
        listed = changed_rows & np.array([r[6] != announced_batch for r in rows], dtype=bool)
        changed.add(ids[listed & ((old != Location.NONE.value) | (not unclassified_known))].tolist())
        for status in set(new[changed_rows].tolist()):
            members = ids[changed_rows & (new == status)].tolist()
            for start in range(0, len(members), 900):
                Event.objects.filter(id__in=members[start : start + 900]).update(location=status)
    if j is not None and j.source == "data":
        counts = location_counts()
    counts.pop(Location.NONE.value, None)
    return counts


def _recompute_box(j: Jurisdiction, changed: _Changed, unclassified_known: bool, announced_batch: int | None) -> None:
    """The data's extent is a box, and its buffer the box widened by ``buffer_m`` (the same test
    as ``Jurisdiction.classify``): every event judged in SQL, writing only changed rows. About 40
    times faster than reading the rows out, which matters because it runs after every import
    while no boundary is loaded. Before each UPDATE, the ids it will change are read (at most
    ``CHANGED_MAX`` + 1 of them) for ``changed``."""
    table = Event._meta.db_table
    x0, y0, x1, y1 = j.area.bounds
    b = j.buffer_m
    known = " AND location <> ''" if unclassified_known else ""
    if announced_batch is not None:
        known += f" AND batch_id <> {int(announced_batch)}"

    def note(where: str, params: list) -> None:
        if not changed.too_many:
            cur.execute(f"SELECT id FROM {table} WHERE {where}{known} LIMIT {CHANGED_MAX + 1}", params)
            changed.add(r[0] for r in cur.fetchall())

    with connection.cursor() as cur:
        where = """lat IS NOT NULL AND lon IS NOT NULL AND location <> 'invalid'
              AND (lat > 90 OR lat < -90 OR lon > 180 OR lon < -180 OR lat = 0 OR lon = 0
                   OR (lat > -%s AND lat < %s AND lon > -%s AND lon < %s))"""
        note(where, [NULL_ISLAND_DEG] * 4)
        cur.execute(f"UPDATE {table} SET location = 'invalid' WHERE {where}", [NULL_ISLAND_DEG] * 4)
        status = """CASE WHEN x >= %s AND x <= %s AND y >= %s AND y <= %s THEN 'inside'
                     WHEN x >= %s AND x <= %s AND y >= %s AND y <= %s THEN 'buffer'
                     ELSE 'outside' END"""
        bounds = [x0, x1, y0, y1, x0 - b, x1 + b, y0 - b, y1 + b]
        where = f"x IS NOT NULL AND y IS NOT NULL AND location <> 'invalid' AND location <> {status}"
        note(where, bounds)
        cur.execute(f"UPDATE {table} SET location = {status} WHERE {where}", bounds + bounds)


def ensure_classified() -> None:
    """Classify events that have coordinates but no status yet (rows written before statuses
    existed, or by hand): cheap when there are none."""
    if Event.objects.filter(location=Location.NONE, lat__isnull=False).exists():
        recompute()


def location_counts(qs=None) -> Counter:
    """Events per location status (geocoded ones only)."""
    qs = Event.objects.all() if qs is None else qs
    rows = qs.exclude(location=Location.NONE).values_list("location").annotate(n=Count("id")).order_by()
    return Counter(dict(rows))


def describe_counts(counts: Counter) -> str:
    """'9,870 inside, 12 in the buffer, 9 outside, 3 invalid' (zeros left out)."""
    names = [
        (Location.INSIDE, "inside"),
        (Location.BUFFER, f"in the {BUFFER_M:.0f} m buffer"),
        (Location.OUTSIDE, "outside the jurisdiction"),
        (Location.INVALID, "at impossible places"),
    ]
    parts = [f"{counts.get(status.value, 0):,} {text}" for status, text in names if counts.get(status.value)]
    return ", ".join(parts) or "no geocoded events"


def study_area(area: Area | None = None):
    """``(geometry in site metres, label)`` of what a grid covers: the area's polygon (a beat,
    district, neighbourhood), else the jurisdiction; ``(None, reason)`` when there is none."""
    site = Site.get()
    if not site.crs:
        return None, "no geocoded events yet"
    if area is not None and area.type != Area.Type.CITY:
        geom = project_geometry(shape(area.geometry), Projector(site.crs).forward)
        return geom, f"{area.get_type_display().lower()} {area.code} ({area.name})"
    j = current()
    if j is None:
        return None, "no geocoded events yet"
    return j.area, j.label
