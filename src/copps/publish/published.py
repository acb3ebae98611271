"""What is published right now: the public points for a filter, the grid, the count tables.

The views call these and render what they return. Everything is read from the stored
public tables (:mod:`copps.publish.store`), which hold only what the pipeline produced.
Derived results are kept in the shared cache (:mod:`copps.publish.cache`) on the store's
version and today's cut-off.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from copps.geo.cells import cell_features
from copps.geo.crs import Projector
from copps.incidents.models import Area, Kind, OffenseCategory
from copps.publish import store
from copps.publish.aggregate import ProtectedTable, augment, protect
from copps.publish.cache import remember
from copps.publish.conf import rules as current_rules
from copps.publish.counts import CountTable, build_tables, complete_months
from copps.publish.models import ProtectedCells, PublicCellCount, PublicLattice
from copps.publish.pipeline import SENSITIVE_CATEGORY, CountRecord, PublicEvent, cutoff, public_category
from copps.publish.snaps import snaps_state

__all__ = [
    "GRID_M",
    "MAP_LIMIT",
    "Points",
    "points",
    "grid_geojson",
    "cell_counts",
    "keep_protected",
    "whole_months",
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


def grid_geojson(form, size_m: float = GRID_M) -> dict:
    """Counts of *published points* per square cell for a valid :class:`PublicFilterForm`: it
    shows nothing the points do not, so small cells need no suppression. Summed from the cell
    counts kept at refresh (:func:`cell_counts`)."""
    snaps = snaps_state()
    crs = snaps[3] if snaps is not None else None
    return remember("grid", (form.filter_key(), size_m, crs), lambda: _grid(form, size_m, crs))


def _grid(form, size_m: float, crs: str | None) -> dict:
    features = []
    if crs is not None:
        cells = sorted(cell_counts(form).items())
        if cells:
            arr = np.array([(i, j, n) for (i, j), n in cells], dtype=np.int64)
            i, j, n = arr[:, 0], arr[:, 1], arr[:, 2]
            # stored cells are numbered from the CRS origin: cell (i, j) starts at (i·size, j·size)
            counts = [{"count": int(k)} for k in n]
            features = cell_features(j, i, counts, origin=(0.0, 0.0), size=size_m, projector=Projector(crs))
    return {"type": "FeatureCollection", "features": features, "cell_m": size_m}


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def whole_months(date_from: date | None, date_to: date | None, cut: date) -> tuple[date | None, date] | None:
    """The whole months the cell counts answer for a date range: (first month's first day, or None
    from the very first month; the first day after the last month), or None when there are none.
    A month counts when it lies inside the range and ended before the cut-off ``cut``."""
    end = _month_start(cut)  # the months before the cut-off's own have ended before it
    if date_to is not None:
        month_end = _add_month(date_to) - timedelta(days=1)
        end = min(end, _add_month(date_to) if date_to == month_end else _month_start(date_to))
    start = None
    if date_from is not None:
        start = date_from if date_from.day == 1 else _add_month(date_from)
        if start >= end:
            return None
    return start, end


def cell_counts(form) -> dict[tuple[int, int], int]:
    """Mapped records per grid cell (cell_x, cell_y) for a valid public filter: the whole months
    from :class:`PublicCellCount` (rows that may be counted by now), the days the filter cuts
    out of a month, and those of the months not yet ended, from the records. Equal, cell by
    cell, to counting the filter's records."""
    from django.db.models import Q, Sum

    data = form.cleaned_data
    cut = store.cut_date()
    records = _mapped(form.records())
    months = whole_months(data.get("date_from"), data.get("date_to"), cut)
    out: dict[tuple[int, int], int] = {}
    if months is not None:
        start, end = months
        rows = PublicCellCount.objects.filter(count_after__lte=cut, month__lt=end.isoformat()[:7])
        if start is not None:
            rows = rows.filter(month__gte=start.isoformat()[:7])
        category = data.get("category")
        rows = rows.filter(category_ref=category.pk) if category else rows.filter(category_ref__isnull=True)
        if data.get("kind"):
            rows = rows.filter(kind=data["kind"])
        column, pk = form.area_column()
        if column:
            rows = rows.filter(**{column: pk})
        for x, y, n in rows.values_list("cell_x", "cell_y").annotate(n=Sum("n")).order_by():
            out[(x, y)] = int(n)
        outside = Q(date__gte=end) if start is None else Q(date__lt=start) | Q(date__gte=end)
        records = records.filter(outside)
    for x, y, n in records.values_list("cell_x", "cell_y").annotate(n=_count()).order_by():
        out[(x, y)] = out.get((x, y), 0) + int(n)
    return out


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


#: Bump when :func:`copps.publish.aggregate.protect` hides other cells for the same counts: every
#: kept suppression (:class:`ProtectedCells`) is then made again.
PROTECT_FORMAT = 1


def _digest(cells: np.ndarray, k: int) -> str:
    cells = np.ascontiguousarray(cells, dtype=np.int64)
    text = f"{PROTECT_FORMAT}|{k}|{cells.shape}|".encode() + cells.tobytes()
    return hashlib.sha256(text).hexdigest()


def _bits(mask: np.ndarray) -> str:
    return "".join("1" if v else "0" for v in mask.ravel())


class _Kept:
    """:func:`~copps.publish.aggregate.protect`, answered from the kept suppressions where the same
    counts were protected before; what it had to protect afresh is in ``new``, every digest it
    answered for in ``used``."""

    def __init__(self) -> None:
        self.stored = {d: (h, p) for d, h, p in ProtectedCells.objects.values_list("digest", "hidden", "primary")}
        self.used: set[str] = set()
        self.new: dict[str, tuple[str, str]] = {}

    def __call__(self, cells: np.ndarray, k: int) -> ProtectedTable:
        digest = _digest(cells, k)
        self.used.add(digest)
        found = self.stored.get(digest)
        if found is None:
            table = protect(cells, k)
            self.new[digest] = self.stored[digest] = (_bits(table.hidden), _bits(table.primary))
            return table
        values = augment(cells)
        hidden, primary = (np.frombuffer(bits.encode(), np.uint8).reshape(values.shape) == ord("1") for bits in found)
        return ProtectedTable(values=values, hidden=hidden, primary=primary, k=k)


def keep_protected() -> int:
    """Protect today's count tables (by district and by beat) and keep each table's suppression, so
    the first answer of a trend, a CompStat table or a count query needs none: run after every
    refresh. Only tables whose counts changed are protected again; kept suppressions no longer
    used are dropped. Returns how many tables were protected afresh."""
    from django.db import transaction

    rules = current_rules()
    kept = _Kept()
    lattices = {by_beat: _build_tables(by_beat, rules, kept) for by_beat in (False, True)}
    with transaction.atomic():
        fresh = [ProtectedCells(digest=d, hidden=h, primary=p) for d, (h, p) in kept.new.items()]
        ProtectedCells.objects.bulk_create(fresh, ignore_conflicts=True)
        ProtectedCells.objects.exclude(digest__in=sorted(kept.used)).delete()
        PublicLattice.objects.all().delete()
        PublicLattice.objects.bulk_create(
            PublicLattice(by_beat=b, key=_lattice_key(b, rules), body=_dump(t)) for b, t in lattices.items()
        )
    return len(kept.new)


def _lattice_key(by_beat: bool, rules) -> str:
    return hashlib.sha256(repr((by_beat, store.stamp(), cutoff(rules), rules)).encode()).hexdigest()


def _dump(tables: Tables) -> str:
    rows = [
        [t.kind, t.month, t.sensitive, t.rows, t.columns, t.table.values.ravel().tolist(), _bits(t.table.hidden),
         _bits(t.table.primary), t.table.k]
        for t in tables.tables
    ]  # fmt: skip
    body = {"months": tables.months, "areas": tables.districts, "categories": tables.categories, "tables": rows}
    return json.dumps(body)


def _load(body: str) -> Tables:
    data = json.loads(body)
    out = []
    for kind, month, sensitive, rows, columns, values, hidden, primary, k in data["tables"]:
        shape = (len(rows) + 1, len(columns) + 1)
        masks = (np.frombuffer(bits.encode(), np.uint8).reshape(shape) == ord("1") for bits in (hidden, primary))
        table = ProtectedTable(np.array(values, dtype=np.int64).reshape(shape), *masks, k=k)
        out.append(CountTable(kind, month, sensitive, tuple(rows), tuple(columns), table))
    return Tables(data["months"], out, [tuple(a) for a in data["areas"]], data["categories"])


def _kept_or_built(by_beat: bool, rules) -> Tables:
    """The lattice kept at refresh when it was built for this version, cut-off and rules; else
    built now (each table's kept suppression still used)."""
    body = PublicLattice.objects.filter(by_beat=by_beat, key=_lattice_key(by_beat, rules)).values_list("body")
    found = body.first()
    return _load(found[0]) if found else _build_tables(by_beat, rules, _Kept())


def _tables(by_beat: bool) -> Tables:
    rules = current_rules()
    return remember("tables", (by_beat, cutoff(rules), rules), lambda: _kept_or_built(by_beat, rules))


def _build_tables(by_beat: bool, rules, protector=protect) -> Tables:
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
        protector=protector,
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
