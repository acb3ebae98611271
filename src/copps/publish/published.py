"""What is published right now: the public points for a filter, the grid, the count tables.

The views call these and render what they return. Everything is read from the stored
public tables (:mod:`copps.publish.store`), which hold only what the pipeline produced.
Derived results are kept in the shared cache (:mod:`copps.publish.cache`) on the store's
version and today's cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copps.geo.cells import cell_features
from copps.geo.crs import Projector
from copps.incidents.models import Area, Kind, OffenseCategory
from copps.publish import store
from copps.publish.cache import remember
from copps.publish.conf import rules as current_rules
from copps.publish.counts import CountTable, build_tables, complete_months
from copps.publish.pipeline import SENSITIVE_CATEGORY, CountRecord, PublicEvent, cutoff, public_category
from copps.publish.snaps import snaps_state

__all__ = [
    "GRID_M",
    "MAP_LIMIT",
    "Points",
    "points",
    "grid_geojson",
    "count_tables",
    "beat_tables",
    "district_codes",
    "public_categories",
]

MAP_LIMIT = 5000
GRID_M = store.GRID_M
_EVENT_FIELDS = ("kind", "category", "date", "month", "block", "lon", "lat", "district", "beat", "neighbourhood")


@dataclass(frozen=True)
class Points:
    events: list[PublicEvent]
    truncated: bool
    snapped: bool  # False when no snap-point set exists: no event carries a location


def _mapped(records):
    return records.filter(sensitive=False, lon__isnull=False)


def points(records, *, limit: int | None = MAP_LIMIT) -> Points:
    """Published, mapped records of a filtered PublicRecord queryset, newest first."""
    rows = _mapped(records).order_by("-date", "id").values_list(*_EVENT_FIELDS)
    rows = list(rows[: limit + 1] if limit is not None else rows.iterator(5000))
    truncated = limit is not None and len(rows) > limit
    events = [
        PublicEvent(kind, cat, day.isoformat(), month, block, lon, lat, district, beat, nbhd)
        for kind, cat, day, month, block, lon, lat, district, beat, nbhd in rows[:limit]
    ]
    return Points(events, truncated, snaps_state() is not None)


def grid_geojson(records, size_m: float = GRID_M) -> dict:
    """Counts of *published points* per square cell: it shows nothing the points do not,
    so small cells need no suppression. Counted in the database (cells are stored)."""
    snaps = snaps_state()
    crs = snaps[3] if snaps is not None else None
    return remember("grid", (str(records.query), size_m, crs), lambda: _grid(records, size_m, crs))


def _grid(records, size_m: float, crs: str | None) -> dict:
    features = []
    if crs is not None:
        cells = list(_mapped(records).values_list("cell_x", "cell_y").annotate(n=_count()).order_by())
        if cells:
            arr = np.array(cells, dtype=np.int64)
            i, j, n = arr[:, 0], arr[:, 1], arr[:, 2]
            # stored cells are numbered from the CRS origin: cell (i, j) starts at (i·size, j·size)
            counts = [{"count": int(k)} for k in n]
            features = cell_features(j, i, counts, origin=(0.0, 0.0), size=size_m, projector=Projector(crs))
    return {"type": "FeatureCollection", "features": features, "cell_m": size_m}


def _count():
    from django.db.models import Count

    return Count("*")  # not COUNT(id): PostgreSQL can then count from the index alone


def district_codes() -> list[tuple[str, str]]:
    return list(Area.objects.filter(type=Area.Type.DISTRICT).order_by("code").values_list("code", "name"))


def beat_codes() -> list[tuple[str, str]]:
    return list(Area.objects.filter(type=Area.Type.BEAT).order_by("code").values_list("code", "name"))


def public_categories() -> dict[str, list[str]]:
    """Each kind's public category rows: every non-sensitive taxonomy category, then "Other"."""
    out: dict[str, list[str]] = {kind: [] for kind in Kind.values}
    for kind, name in OffenseCategory.objects.filter(sensitive=False).order_by("name").values_list("kind", "name"):
        out.setdefault(kind, []).append(name)
    for kind in out:
        out[kind].append(public_category(kind, None))
    return out


@dataclass(frozen=True)
class Tables:
    months: list[str]
    tables: list[CountTable]
    districts: list[tuple[str, str]]
    categories: dict[str, list[str]]


def _records(groups: list[dict], column: str) -> list[CountRecord]:
    """Stored groups as the count records the lattice builder takes (one per group, weighted)."""
    return [CountRecord(g["kind"], g["month"], g[column], g["category"], g["sensitive"], g["n"]) for g in groups]


def _tables(by_beat: bool) -> Tables:
    rules = current_rules()
    return remember("tables", (by_beat, cutoff(rules), rules), lambda: _build_tables(by_beat, rules))


def _build_tables(by_beat: bool, rules) -> Tables:
    cut = cutoff(rules)
    areas = beat_codes() if by_beat else district_codes()
    categories = public_categories()
    groups = store.counts(rules, by_beat=by_beat)
    if by_beat:  # beats never carry sensitive counts: those stay at district level
        groups = [g for g in groups if not g["sensitive"]]
    present = sorted({g["month"] for g in groups})
    months = [m for m in complete_months(present[0], cut) if m <= present[-1]] if present else []
    records = _records(groups, "beat_code" if by_beat else "district_code")
    tables = build_tables(
        records,
        months=months,
        districts=[c for c, _ in areas],
        categories=categories,
        k=rules.k,
        sensitive=rules.sensitive == "district" and not by_beat,
    )
    return Tables(months, tables, areas, categories)


def count_tables() -> Tables:
    """Every protected monthly table by district (all kinds, complete months only), cached.

    Always the whole lattice: a query only selects from it, so what it shows for a cell
    never depends on what else was asked."""
    return _tables(False)


def beat_tables() -> Tables:
    """The same lattice by beat, for non-sensitive categories only (sensitive offences are
    never published below district level)."""
    return _tables(True)


__all__ += ["SENSITIVE_CATEGORY", "beat_codes"]
