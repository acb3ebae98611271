"""What is published right now: the public points for a filter, the grid, the count tables.

The views call these and render what they return; each one goes through the pipeline.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass

import numpy as np
from django.db.models import Max, Min
from django.utils import timezone

from copps.geo.crs import Projector
from copps.incidents.models import Area, Event, Kind, OffenseCategory
from copps.publish.conf import rules as current_rules
from copps.publish.counts import CountTable, build_tables, complete_months
from copps.publish.pipeline import PublicPoints, count_records, cutoff, public_category, public_events
from copps.publish.snaps import load_snaps

__all__ = ["GRID_M", "MAP_LIMIT", "points", "grid_geojson", "count_tables", "district_codes", "public_categories"]

MAP_LIMIT = 5000
GRID_M = 400.0


_points_cache: dict[tuple, PublicPoints] = {}
_POINTS_CACHED = 64


def _data_state() -> tuple:
    """Cheap (index-only) signs that the events changed, plus a five-minute bucket for edits."""
    state = Event.objects.aggregate(last=Max("id"), first=Min("occurred_from"), latest=Max("occurred_from"))
    return (state["last"], state["first"], state["latest"], int(_time.time() // _TTL_S))


def points(qs, *, limit: int | None = MAP_LIMIT) -> PublicPoints:
    """Public points (located, non-sensitive, delayed, snapped) of an Event queryset,
    cached briefly per query (the map asks for the same filters twice: points and grid)."""
    rules = current_rules()
    key = (str(qs.query), limit, rules, cutoff(rules), _data_state(), id(load_snaps()))
    if key not in _points_cache:
        if len(_points_cache) >= _POINTS_CACHED:
            _points_cache.clear()
        _points_cache[key] = public_events(qs, rules=rules, limit=limit, located_only=True)
    return _points_cache[key]


def grid_geojson(pts: PublicPoints, size_m: float = GRID_M) -> dict:
    """Counts of *published points* per square cell: it shows nothing the points do not,
    so small cells need no suppression."""
    features = []
    if pts.crs and len(pts.x):
        ix, iy = np.floor(pts.x / size_m).astype(np.int64), np.floor(pts.y / size_m).astype(np.int64)
        cells, counts = np.unique(np.column_stack([ix, iy]), axis=0, return_counts=True)
        proj = Projector(pts.crs)
        for (i, j), n in zip(cells, counts, strict=True):
            xs = np.array([i, i + 1, i + 1, i, i], float) * size_m
            ys = np.array([j, j, j + 1, j + 1, j], float) * size_m
            lon, lat = proj.inverse(xs, ys)
            ring = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]
            features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                             "properties": {"count": int(n)}})
    return {"type": "FeatureCollection", "features": features, "cell_m": size_m}


def district_codes() -> list[tuple[str, str]]:
    return list(Area.objects.filter(type=Area.Type.DISTRICT).order_by("code").values_list("code", "name"))


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


_cache: dict[tuple, Tables] = {}
_TTL_S = 300


def count_tables() -> Tables:
    """Every protected monthly table (all kinds, complete months only), cached briefly.

    Always the whole lattice: a query only selects from it, so what it shows for a cell
    never depends on what else was asked."""
    rules = current_rules()
    cut = cutoff(rules)
    data = _data_state()
    state = {"first": data[1], "latest": data[2]}
    key = (cut, rules, data)
    if key not in _cache:
        districts = district_codes()
        categories = public_categories()
        months = []
        if state["first"] is not None:
            latest = timezone.localtime(state["latest"]).strftime("%Y-%m")
            months = [m for m in complete_months(timezone.localtime(state["first"]).strftime("%Y-%m"), cut)
                      if m <= latest]
        records = count_records(Event.objects.all(), rules=rules) if months else []
        tables = build_tables(records, months=months, districts=[c for c, _ in districts],
                              categories=categories, k=rules.k, sensitive=rules.sensitive == "district")
        _cache.clear()
        _cache[key] = Tables(months, tables, districts, categories)
    return _cache[key]
