"""DDACTS (Data-Driven Approaches to Crime and Traffic Safety, NHTSA 2014): overlay the crime and
the collision hot spots on one grid, pick the cells where both are hot, make a zone of them, and
judge the zone by outcomes — collisions and crimes before and during the deployment against the
rest of the city (``copps.analysis.assessment.before_after``: interval and p) — never by tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db import transaction
from scipy import ndimage

from copps.analysis import assessment as stats
from copps.analysis import coverage as cov
from copps.analysis import getis_ord
from copps.geo.cells import grid_cell_features
from copps.geo.crs import Projector
from copps.geo.shapes import cells_polygon, contains, to_metres, to_wgs84
from copps.incidents import coverage
from copps.incidents.models import Site
from copps.incidents.scanning import ScanFilter, load_events
from copps.problems.assessing import ZERO_CORRECTION, _json, effect_statement
from copps.problems.hotspot_layers import cell_grid
from copps.problems.models import DdactsZone, Problem, ProblemType
from copps.problems.scanning.base import latest_day

__all__ = ["Overlay", "create_zone", "dosage_totals", "outcomes", "overlay"]


@dataclass(frozen=True)
class Overlay:
    """The two Gi* maps on one grid, the cells hot in both, and those cells joined into zones."""

    parameters: dict
    features: list[dict]
    zones: list[dict]  # {"cells", "crimes", "collisions", "polygon" (WGS 84)}


def overlay(days: int = 365, cell: float = 250.0, min_class: int = 2, today: date | None = None) -> Overlay | None:
    """Crime and collision Gi* (queen, FDR 5%) over the ``days`` ending ``today``. Cells whose class
    is at least ``min_class`` (2: 95% confidence) for one kind and that touch such a cell of the other
    kind (or are hot for both) form DDACTS zones, joined by queen contiguity."""
    crs = Site.get().crs
    today = today or max(filter(None, [latest_day("crime"), latest_day("collision")]), default=None)
    if not crs or today is None:
        return None
    first = today - timedelta(days=days - 1)
    all_crimes = load_events(ScanFilter(kind="crime", date_from=first, date_to=today))
    all_collisions = load_events(ScanFilter(kind="collision", date_from=first, date_to=today))
    crimes, collisions = all_crimes.geocoded(), all_collisions.geocoded()
    params = {
        "days": days,
        "cell_m": cell,
        "min_class": min_class,
        "first_day": first.isoformat(),
        "last_day": today.isoformat(),
        "method": "gistar queen FDR 0.05 on crimes and on collisions, cells of the jurisdiction",
        "left_out": "; ".join(
            t
            for t in (
                all_crimes.left_out_text(what="the crime map"),
                all_collisions.left_out_text(what="the collision map"),
            )
            if t
        ),
    }
    if len(crimes) < 10 or len(collisions) < 10:
        return Overlay(params, [], [])
    try:
        g_crime, g_coll = cell_grid([crimes.x, collisions.x], [crimes.y, collisions.y], cell)
    except ValueError as exc:  # GridTooLarge: a jurisdiction too large for this cell size
        return Overlay(params | {"note": str(exc)}, [], [])
    rule = getis_ord.MIN_HOT_WINDOW
    hot_crime = getis_ord.gistar(g_crime, min_events=rule).classes >= min_class
    hot_coll = getis_ord.gistar(g_coll, min_events=rule).classes >= min_class
    # DDACTS overlays two hot-spot maps: a crime hot spot and a collision hot spot that touch
    # (share a side or a corner) are one place for a patrol, even when no single cell is both
    queen = np.ones((3, 3), dtype=bool)
    both = (hot_crime & ndimage.binary_dilation(hot_coll, queen)) | (
        hot_coll & ndimage.binary_dilation(hot_crime, queen)
    )
    projector = Projector(crs)
    features = []
    for name, mask in (("crime", hot_crime & ~both), ("collision", hot_coll & ~both), ("both", both)):
        rows, cols = np.nonzero(mask)
        props = [
            {"layer": name, "crimes": int(g_crime.counts[r, c]), "collisions": int(g_coll.counts[r, c])}
            for r, c in zip(rows, cols, strict=True)
        ]
        features += grid_cell_features(g_crime, rows, cols, props, projector)
    labels, n = ndimage.label(both, structure=np.ones((3, 3), dtype=int))
    zones = []
    for k in range(1, n + 1):
        rows, cols = np.nonzero(labels == k)
        poly = cells_polygon(rows, cols, g_crime.origin, cell)
        zones.append(
            {
                "cells": [[int(r), int(c)] for r, c in zip(rows, cols, strict=True)],
                "crimes": int(g_crime.counts[rows, cols].sum()),
                "collisions": int(g_coll.counts[rows, cols].sum()),
                "polygon": to_wgs84(poly, projector),
            }
        )
    zones.sort(key=lambda z: -(z["crimes"] + z["collisions"]))
    return Overlay(params, features, zones)


def create_zone(
    zone: dict,
    parameters: dict,
    name: str,
    start: date,
    user,
    problem: Problem | None = None,
    open_problem: bool = False,
) -> DdactsZone:
    """Store a zone of the overlay; with ``open_problem``, also open a traffic problem for it."""
    with transaction.atomic():
        if open_problem and problem is None:
            problem = Problem.objects.create(
                title=f"DDACTS: {name}"[:200],
                problem_type=ProblemType.TRAFFIC,
                polygon=zone["polygon"],
                created_by=user,
                summary=(
                    f"{zone['crimes']} crimes and {zone['collisions']} collisions in "
                    f"{parameters['first_day']} to {parameters['last_day']}: both hot here."
                ),
            )
        return DdactsZone.objects.create(
            name=name,
            problem=problem,
            polygon=zone["polygon"],
            cells=zone["cells"],
            parameters=parameters,
            evidence={"crimes": zone["crimes"], "collisions": zone["collisions"]},
            start=start,
            created_by=user,
        )


def dosage_totals(zone: DdactsZone) -> dict:
    spells = list(zone.dosage.all())
    minutes = sum(s.minutes for s in spells)
    return {"spells": len(spells), "hours": round(minutes / 60, 1), "contacts": sum(s.contacts for s in spells)}


def outcomes(zone: DdactsZone, today: date | None = None, alpha: float = 0.05) -> dict:
    """Collisions and crimes in the zone during the deployment and in as many days before it,
    against the rest of the city in the same two periods. A kind whose data does not cover both
    periods in full gets its counts and a "no data"/"partial data" statement, never an effect."""
    today = today or max(filter(None, [latest_day("crime"), latest_day("collision")]), default=None)
    out: dict = {"dosage": dosage_totals(zone)}
    if today is None or today < zone.start:
        out["note"] = "the deployment has not started in the data yet"
        return out
    length = (today - zone.start).days + 1
    periods = {
        "before": (zone.start - timedelta(days=length), zone.start - timedelta(days=1)),
        "during": (zone.start, today),
    }
    out["periods"] = {k: [a.isoformat(), b.isoformat()] for k, (a, b) in periods.items()}
    area = to_metres(zone.polygon, Site.projector())
    for kind in ("collision", "crime"):
        ev = load_events(ScanFilter(kind=kind, date_from=periods["before"][0], date_to=today)).geocoded()
        day = ev.start.astype("datetime64[D]")
        inside = contains(area, ev.x, ev.y)
        counts = {}
        for name, (a, b) in periods.items():
            when = (day >= np.datetime64(a)) & (day <= np.datetime64(b))
            counts[name] = (int((when & inside).sum()), int((when & ~inside).sum()))
        status = {cov.window_status(coverage.of(kind), a, b + timedelta(days=1)) for a, b in periods.values()}
        if status != {cov.FULL}:
            out[kind] = {
                "zone": {"before": counts["before"][0], "during": counts["during"][0]},
                "rest_of_city": {"before": counts["before"][1], "during": counts["during"][1]},
                "coverage": "no data" if cov.NONE in status else "partial",
                "statement": f"{'no data' if cov.NONE in status else 'partial data'}: the {kind} "
                f"{coverage.describe(coverage.of(kind))}, so the periods are not compared",
            }
            continue
        target = (counts["before"][0], counts["during"][0])
        control = (counts["before"][1], counts["during"][1])
        pairs = [target, control]
        if min(min(p) for p in pairs) == 0:
            target = tuple(v + ZERO_CORRECTION for v in target)
            control = tuple(v + ZERO_CORRECTION for v in control)
        ba = _json(stats.before_after(target, control, alpha=alpha))
        out[kind] = {
            "zone": {"before": counts["before"][0], "during": counts["during"][0]},
            "rest_of_city": {"before": counts["before"][1], "during": counts["during"][1]},
            "before_after": ba,
            "coverage": cov.FULL,
            "statement": effect_statement(ba, alpha),
        }
    return out
