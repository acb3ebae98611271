"""Collision corridors: Gi* hot cells of collisions (95% or more) that line up along one street."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from shapely.ops import unary_union

from copps.incidents.scanning import EventArrays
from copps.problems.scanning.base import Proposal, ScanOptions, top_counts, window
from copps.problems.scanning.clusters import Cluster, hot_clusters, snapped_grid

__all__ = ["find", "scan", "streets_of"]

_SPLIT = re.compile(r"\s*(?:/|\\| & | AND )\s*")
_NUMBER = re.compile(r"^\d+X*\s+(?:BLOCK\s+OF\s+)?")


def streets_of(address: str) -> list[str]:
    """Street names in an address, block or intersection (``A ST / B AVE`` -> both)."""
    return [_NUMBER.sub("", s).strip() for s in _SPLIT.split(address.upper()) if s.strip()]


def _merge_along_streets(named, gap_m: float) -> list[tuple[str, Cluster]]:
    """Join clusters named for the same street that lie within ``gap_m`` of each other."""
    groups: list[tuple[str, list[Cluster]]] = []
    for street, c in named:
        for s, members in groups:
            if s == street and any(m.polygon.distance(c.polygon) <= gap_m for m in members):
                members.append(c)
                break
        else:
            groups.append((street, [c]))
    out = []
    for street, members in groups:
        if len(members) == 1:
            out.append((street, members[0]))
            continue
        rows = np.concatenate([m.rows for m in members])
        cols = np.concatenate([m.cols for m in members])
        events = sum(m.events for m in members)
        poly = unary_union([m.polygon for m in members])
        x = sum(m.x * m.events for m in members) / events
        y = sum(m.y * m.events for m in members) / events
        minx, miny, maxx, maxy = poly.bounds
        out.append(
            (
                street,
                Cluster(
                    rows,
                    cols,
                    events,
                    max(m.max_z for m in members),
                    min(m.min_p for m in members),
                    x,
                    y,
                    float(np.hypot(maxx - minx, maxy - miny)),
                    poly,
                ),
            )
        )
    return out


def scan(options: ScanOptions) -> list[Proposal]:
    loaded = window("collision", options.collision_days, options)
    if loaded is None:
        return []
    ev, first, today = loaded
    out = []
    for street, c, evidence in find(ev, options):
        km = c.length_m / 1000
        evidence |= {"first_day": first.isoformat(), "last_day": today.isoformat()}
        title = f"Collision corridor: {street} ({c.events} collisions over {km:.1f} km)"
        out.append(
            Proposal(
                "collision_corridor",
                title[:200],
                f"street:{street}",
                c.x,
                c.y,
                c.polygon,
                float(c.events),
                evidence,
                {
                    "method": "gistar queen FDR 0.05, classes >= 95%, clusters along one street",
                    "window_days": options.collision_days,
                    "cell_m": options.collision_cell,
                    "min_cells": options.corridor_min_cells,
                    "min_events": options.corridor_min_events,
                },
            )
        )
    return out


def find(ev: EventArrays, options: ScanOptions) -> list[tuple[str, Cluster, dict]]:
    """The corridors among geocoded collisions ``ev``: ``(street, cluster, evidence)`` for each
    cluster of Gi* hot cells (95% or more) along one street with enough collisions (the scan's
    candidates, and the crash page's ranking)."""
    if len(ev) < 30:
        return []
    g = snapped_grid(ev.x, ev.y, options.collision_cell)
    clusters, gi = hot_clusters(g, min_class=2, min_cells=options.corridor_min_cells)
    row, col = g.cell_of(ev.x, ev.y)
    flat = row * g.shape[1] + col
    # ties between the two streets of a crossing go to the street with more collisions city-wide
    # (the arterial), then to the name: never to hash order
    citywide = Counter(s for a in ev.place for s in sorted(set(streets_of(a))))
    named = []
    for c in clusters:
        inside = np.isin(flat, c.rows * g.shape[1] + c.cols)
        streets = Counter(s for a in ev.place[inside] for s in sorted(set(streets_of(a))))
        if streets:
            street, on_street = max(streets.items(), key=lambda kv: (kv[1], citywide[kv[0]], kv[0]))
            if on_street / c.events >= 0.5:  # else a cluster, but not along one road
                named.append((street, c))
    out = []
    for street, c in _merge_along_streets(named, 2 * options.collision_cell):
        if c.events < options.corridor_min_events:
            continue
        inside = np.isin(flat, c.rows * g.shape[1] + c.cols)
        on_street = sum(1 for a in ev.place[inside] if street in streets_of(a))
        share = on_street / c.events
        km = c.length_m / 1000
        evidence = {
            "street": street,
            "collisions": c.events,
            "on_street": on_street,
            "share_on_street": round(share, 2),
            "length_m": round(c.length_m),
            "per_km": round(c.events / km, 1),
            "cells": len(c.rows),
            "cell_m": options.collision_cell,
            "max_z": round(c.max_z, 2),
            "min_p": c.min_p,
            "fdr": gi.fdr,
            "severity": top_counts(ev.category[inside]),
        }
        out.append((street, c, evidence))
    return out
