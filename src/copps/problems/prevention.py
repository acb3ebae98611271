"""Near-repeat prevention: from a new event and its area's Knox table to a window of work.

After a burglary the homes nearby run a raised risk for a short while (the near-repeat
phenomenon). For each new event of a prevention category (``COPPS_PREVENTION_CATEGORIES``) copps
runs the Knox test (:func:`copps.analysis.near_repeat.knox`) over that category's events of the
past :data:`HISTORY_DAYS` days in the event's district (the whole city when it has none). When
cells close in both space and time are significant, a :class:`PreventionWindow` opens around the
event with the radius and the days of those cells, the beat officer gets a door-knock and a
revisit task due inside it, and staff may print a cocoon-notice letter for the addresses within
the radius. When the data covers the window's last day its outcome is recorded: how many events
of the category fell inside it, against what the Knox table expected.

The scan is idempotent (an event opens at most one window; an event inside an open window of its
category is merged into it, not given its own) and capped (``COPPS_PREVENTION_MAX_OPEN`` open
windows per beat).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from copps.analysis import near_repeat
from copps.config import get_list, setting_int
from copps.geo.blocks import hundred_block
from copps.incidents.models import Area, Event, Location, OffenseCategory, Site
from copps.incidents.scanning import ScanFilter, load_events
from copps.problems.models import PreventionTask, PreventionWindow

__all__ = [
    "DISTANCE_BANDS",
    "HISTORY_DAYS",
    "MIN_EVENTS",
    "NEW_DAYS",
    "PERMUTATIONS",
    "TIME_BANDS",
    "ScanResult",
    "addresses_near",
    "beat_contact",
    "categories",
    "close_ended",
    "human_category",
    "knox_pattern",
    "max_open",
    "outcome",
    "pattern_cells",
    "scan",
]

#: the Knox table's bands: four of 100 m and four of 7 days (the Near Repeat Calculator's layout)
DISTANCE_BANDS = (0, 100, 200, 300, 400)
TIME_BANDS = (0, 7, 14, 21, 28)
#: the area's history the table is drawn from, the days ending on the scan's day
HISTORY_DAYS = 365
#: fewer events than this in the area's history: no table (a pattern could not be told from chance)
MIN_EVENTS = 20
#: permutations of the Monte Carlo test (p is at least 0.01), with a fixed seed: a re-run agrees
PERMUTATIONS = 99
SEED = 0
#: a "new" event happened on one of the last NEW_DAYS days up to the scan's day
NEW_DAYS = 7
#: a cell counts when its p is at most this and it holds more pairs than expected
ALPHA = 0.05

# The category in plain words, for the letter (the offence codes of taxonomy.toml).
_HUMAN = {
    "burglary": _("a burglary"),
    "theft-from-vehicle": _("a theft from a vehicle"),
    "motor-vehicle-theft": _("a vehicle theft"),
    "larceny": _("a theft"),
    "robbery": _("a robbery"),
    "vandalism": _("an act of vandalism"),
}


def categories() -> list[str]:
    """``COPPS_PREVENTION_CATEGORIES``: the category codes that may open a window."""
    from django.conf import settings

    raw = getattr(settings, "COPPS_PREVENTION_CATEGORIES", None)
    return [c.strip() for c in raw.split(",") if c.strip()] if raw is not None else get_list(
        "COPPS_PREVENTION_CATEGORIES"
    )


def max_open() -> int:
    """``COPPS_PREVENTION_MAX_OPEN``: open windows allowed per beat."""
    return setting_int("COPPS_PREVENTION_MAX_OPEN", low=1)


def human_category(code: str) -> str:
    """The category in plain words ("a burglary"), in the active language."""
    return str(_HUMAN.get(code, _("a property crime")))


def pattern_cells(ratio: np.ndarray, p: np.ndarray, same_location: bool = True) -> list[tuple[int, int]]:
    """The significant close cells of a Knox table that make a near-repeat pattern.

    A cell is significant when ``p <= ALPHA`` and its ratio is above 1. The pattern is the set of
    significant cells joined (edge to edge) to the closest cells — the first time band at the same
    location or in the first distance band; the "beyond" row and column never count. Empty when
    the closest cells are not significant: then there is no near-repeat pattern to act on.

    >>> r = np.array([[1.0, 1, 1], [3, 2, 1], [1, 1, 1]])
    >>> pv = np.array([[.5, .5, .5], [.01, .02, .5], [.5, .5, .5]])
    >>> pattern_cells(r, pv)  # the first band in the first two weeks; the last row and column are "beyond"
    [(1, 0), (1, 1)]
    """
    rows, cols = ratio.shape[0] - 1, ratio.shape[1] - 1  # without "beyond"
    sig = np.zeros((rows, cols), dtype=bool)
    with np.errstate(invalid="ignore"):
        sig[:] = (p[:rows, :cols] <= ALPHA) & (ratio[:rows, :cols] > 1)
    seeds = [(r, 0) for r in range(min(rows, 2 if same_location else 1)) if sig[r, 0]]
    found, todo = set(seeds), list(seeds)
    while todo:
        r, c = todo.pop()
        for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if 0 <= nr < rows and 0 <= nc < cols and sig[nr, nc] and (nr, nc) not in found:
                found.add((nr, nc))
                todo.append((nr, nc))
    return sorted(found)


def _day_bounds(day_from: date, day_to: date):
    tz = timezone.get_current_timezone()
    return datetime.combine(day_from, time.min, tz), datetime.combine(day_to + timedelta(days=1), time.min, tz)


def knox_pattern(category: str, kind: str, zone: Area | None, as_of: date) -> dict:
    """The Knox table of ``category`` in ``zone`` over the :data:`HISTORY_DAYS` days ending on
    ``as_of``, reduced to what a window needs: whether there is a pattern, its radius and days,
    and the observed and expected pairs within them (also per event), with what they rest on."""
    date_from = as_of - timedelta(days=HISTORY_DAYS - 1)
    area = f"{zone.type}:{zone.code}" if zone else None
    ev = load_events(ScanFilter(kind=kind, categories=(category,), area=area, date_from=date_from, date_to=as_of))
    ev = ev.geocoded()
    base = {
        "category": category,
        "zone": zone.name if zone else "the whole city",
        "zone_type": zone.type if zone else "city",
        "date_from": date_from.isoformat(),
        "date_to": as_of.isoformat(),
        "events": len(ev),
        "distance_bands": list(DISTANCE_BANDS),
        "time_bands": list(TIME_BANDS),
        "permutations": PERMUTATIONS,
        "seed": SEED,
        "metric": "euclidean",
        "method": "copps.analysis.near_repeat.knox",
    }
    if len(ev) < MIN_EVENTS:
        return base | {"pattern": False, "note": f"fewer than {MIN_EVENTS} events: no Knox table"}
    t = (ev.start - ev.start.min()).astype("timedelta64[m]").astype(float) / 1440.0
    r = near_repeat.knox(ev.x, ev.y, t, DISTANCE_BANDS, TIME_BANDS, permutations=PERMUTATIONS, seed=SEED,
                         metric="euclidean")
    cells = pattern_cells(r.ratio, r.p)
    if not cells:
        return base | {"pattern": False, "pairs": int(r.pairs), "note": "no significant close cells"}
    rmax = max(c[0] for c in cells)
    cmax = max(c[1] for c in cells)
    radius = DISTANCE_BANDS[max(rmax, 1)]  # row 0 is the same location, row k ends at band edge k
    days = TIME_BANDS[cmax + 1]
    observed = int(r.observed[: rmax + 1, : cmax + 1].sum())
    expected = float(r.expected[: rmax + 1, : cmax + 1].sum())
    return base | {
        "pattern": True,
        "pairs": int(r.pairs),
        "cells": [
            {"distance": r.distance_labels[i], "days": r.time_labels[j], "ratio": round(float(r.ratio[i, j]), 3),
             "p": round(float(r.p[i, j]), 4)}
            for i, j in cells
        ],
        "radius_m": radius,
        "window_days": days,
        "observed_pairs": observed,
        "expected_pairs": round(expected, 3),
        # a pair's earlier event "has" the later one as a repeat: repeats per event = pairs / events
        "observed_per_event": round(observed / len(ev), 4),
        "expected_per_event": round(expected / len(ev), 4),
    }


@dataclass
class ScanResult:
    """What one scan did, for the command's summary."""

    as_of: date | None = None
    created: list[int] = field(default_factory=list)
    merged: int = 0
    capped: int = 0
    no_pattern: int = 0
    ended: int = 0

    def summary(self) -> str:
        if self.as_of is None:
            return "prevention: no events of the prevention categories"
        return (
            f"prevention scan to {self.as_of}: {len(self.created)} window(s) opened, {self.merged} event(s) merged "
            f"into open windows, {self.capped} capped (COPPS_PREVENTION_MAX_OPEN={max_open()} per beat), "
            f"{self.no_pattern} without a significant near-repeat pattern, {self.ended} window(s) ended"
        )


def _latest_day(kind: str) -> date | None:
    from copps.problems.scanning.base import latest_day

    return latest_day(kind)


def scan(as_of: date | None = None, batch_id: int | None = None) -> ScanResult:
    """Open windows for the new events up to ``as_of`` (default: the last complete day of crime
    data), merging and capping as the module says; then record the outcome of ended windows.
    With ``batch_id``, only that import batch's events are looked at."""
    codes = categories()
    cats = list(OffenseCategory.objects.filter(code__in=codes))
    kinds = {c.kind for c in cats} or {"crime"}
    as_of = as_of or max((d for d in (_latest_day(k) for k in kinds) if d), default=None)
    result = ScanResult(as_of=as_of)
    if as_of is None or not cats:
        return result
    start, stop = _day_bounds(as_of - timedelta(days=NEW_DAYS - 1), as_of)
    new = (
        Event.objects.filter(category__in=cats, occurred_from__gte=start, occurred_from__lt=stop,
                             location=Location.INSIDE, sensitive=False, x__isnull=False, y__isnull=False,
                             prevention_window__isnull=True)
        .select_related("category", "beat", "district")
        .order_by("occurred_from", "id")
    )
    if batch_id is not None:
        new = new.filter(batch_id=batch_id)
    tables: dict[tuple, dict] = {}
    cap = max_open()
    for event in new:
        if _merge(event):
            result.merged += 1
            continue
        key = (event.category.code, event.district_id)
        if key not in tables:
            tables[key] = knox_pattern(event.category.code, event.category.kind, event.district, as_of)
        table = tables[key]
        if not table["pattern"]:
            result.no_pattern += 1
            continue
        open_on_beat = PreventionWindow.objects.filter(status=PreventionWindow.Status.OPEN, beat=event.beat)
        if event.beat_id is not None and open_on_beat.count() >= cap:
            result.capped += 1
            continue
        result.created.append(_open(event, table, as_of).pk)
    result.ended = close_ended(as_of)
    return result


def _merge(event: Event) -> bool:
    """Put ``event`` in an open window of its category that holds it; whether one did."""
    day = timezone.localtime(event.occurred_from).date()
    for w in PreventionWindow.objects.filter(
        status=PreventionWindow.Status.OPEN, category=event.category, starts__lte=day, ends__gte=day
    ).order_by("starts", "id"):
        if np.hypot(event.x - w.x, event.y - w.y) <= w.radius_m and event.pk != w.source_id:
            if event.pk not in w.merged:
                w.merged = [*w.merged, event.pk]
                w.save(update_fields=["merged"])
            return True
    return False


def beat_contact(beat_id: int | None):
    """The first active assignment of the beat (``BeatAssignment``: the officer, the display name
    and the work contact residents may see), or None."""
    if beat_id is None:
        return None
    from django.apps import apps

    return (
        apps.get_model("engagement", "BeatAssignment")
        .objects.filter(beat_id=beat_id, active=True)
        .select_related("officer")
        .order_by("order", "id")
        .first()
    )


def _beat_officer(beat: Area | None):
    a = beat_contact(beat.pk if beat else None)
    return a.officer if a else None


@transaction.atomic
def _open(event: Event, table: dict, as_of: date) -> PreventionWindow:
    starts = timezone.localtime(event.occurred_from).date()
    days = table["window_days"]
    ends = starts + timedelta(days=days)
    officer = _beat_officer(event.beat)
    window = PreventionWindow.objects.create(
        source=event, category=event.category, beat=event.beat, zone=event.district, officer=officer,
        x=event.x, y=event.y, lon=event.lon, lat=event.lat,
        block=hundred_block(event.address) or hundred_block(event.block_address),
        radius_m=table["radius_m"], window_days=days, starts=starts, ends=ends, knox=table,
    )
    # door-knock within two days of the scan, the revisit two-thirds into the window (never after it)
    knock = min(max(as_of, starts) + timedelta(days=2), ends)
    revisit = max(knock, min(starts + timedelta(days=(2 * days) // 3), ends))
    PreventionTask.objects.create(window=window, kind=PreventionTask.Kind.DOOR_KNOCK, owner=officer, due=knock)
    PreventionTask.objects.create(window=window, kind=PreventionTask.Kind.REVISIT, owner=officer, due=revisit)
    return window


def outcome(window: PreventionWindow) -> dict:
    """The events of the window's category within its radius and days after the source event
    (the source itself left out), against the Knox expectation per event for its zone."""
    src = window.source
    stop = src.occurred_from + timedelta(days=window.window_days)
    qs = Event.objects.filter(
        category=window.category, occurred_from__gt=src.occurred_from, occurred_from__lt=stop, x__isnull=False
    ).exclude(pk=src.pk).values_list("x", "y")
    pts = np.array(list(qs), dtype=float).reshape(-1, 2)
    inside = int((np.hypot(pts[:, 0] - window.x, pts[:, 1] - window.y) <= window.radius_m).sum()) if len(pts) else 0
    k = window.knox
    return {
        "repeats": inside,
        "expected_by_chance": k.get("expected_per_event"),
        "past_pattern": k.get("observed_per_event"),
        "fewer_than_expected": inside < (k.get("expected_per_event") or 0),
        "radius_m": window.radius_m,
        "from": timezone.localtime(src.occurred_from).isoformat(),
        "to": timezone.localtime(stop).isoformat(),
        "zone": k.get("zone"),
        "history": f"{k.get('date_from')} to {k.get('date_to')}",
        "events_in_history": k.get("events"),
    }


def close_ended(as_of: date) -> int:
    """Record the outcome of the open windows whose last day the data covers (``as_of``)."""
    n = 0
    for w in PreventionWindow.objects.filter(status=PreventionWindow.Status.OPEN, ends__lte=as_of).select_related(
        "source"
    ):
        w.outcome = outcome(w)
        w.status = PreventionWindow.Status.ENDED
        w.save(update_fields=["outcome", "status"])
        n += 1
    return n


#: a letter run stops here: more addresses than this within a window's radius is not a letter drop
MAX_LETTERS = 400


def addresses_near(window: PreventionWindow) -> list:
    """The address points within the window's radius, nearest first, without the source event's
    own address (the victim's home gets a visit, not a leaflet) and at most :data:`MAX_LETTERS`."""
    from copps.geo.gazetteer.models import AddressPoint
    from copps.geo.geocode import street_key

    proj = Site.projector()
    # a generous box in degrees first (1 degree of latitude is about 111 km), then exact metres
    pad = window.radius_m / 111_000 * 2
    box = AddressPoint.objects.filter(
        lat__gte=window.lat - pad, lat__lte=window.lat + pad,
        lon__gte=window.lon - pad * 2, lon__lte=window.lon + pad * 2,
    ).order_by("id")
    points = list(box)
    if not points:
        return []
    x, y = proj.forward(np.array([p.lon for p in points]), np.array([p.lat for p in points]))
    d = np.hypot(x - window.x, y - window.y)
    own = _own_address(window.source.address, street_key)
    keep = [
        (d[i], p) for i, p in enumerate(points)
        if d[i] <= window.radius_m and d[i] > 1.0 and (p.number, p.street) != own
    ]
    keep.sort(key=lambda pair: (pair[0], pair[1].pk))
    return [p for _, p in keep[:MAX_LETTERS]]


def _own_address(address: str, street_key) -> tuple[int, str] | None:
    head, _, rest = (address or "").strip().partition(" ")
    return (int(head), street_key(rest)) if head.isdigit() and rest else None
