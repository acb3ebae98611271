"""Near-repeat waves: recent burglaries linked in space and time, proposed only when the Knox
test over the last year shows that near repeats happen here more than chance allows."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.geometry import MultiPoint

from copps.analysis import near_repeat
from copps.problems.scanning.base import Proposal, ScanOptions, top_counts, window

__all__ = ["merge_overlapping", "scan"]


def _days(start: np.ndarray) -> np.ndarray:
    return (start - start.min()).astype("timedelta64[m]").astype(float) / 1440.0


def merge_overlapping(waves: list[np.ndarray], x, y, t, distance: float, days: float) -> list[list[np.ndarray]]:
    """Waves (arrays of event indices) joined where they overlap: their outlines come within
    ``distance`` of each other and their time windows within ``days`` (two waves on the same
    streets in the same weeks are one wave to work, even when no two of their events are linked).
    Returns groups of waves, each group a list of the waves it joins."""
    n = len(waves)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    shapes = [MultiPoint(list(zip(x[w], y[w], strict=True))).convex_hull for w in waves]
    spans = [(float(t[w].min()), float(t[w].max())) for w in waves]
    for i in range(n):
        for j in range(i + 1, n):
            close_in_time = spans[i][0] <= spans[j][1] + days and spans[j][0] <= spans[i][1] + days
            if close_in_time and shapes[i].distance(shapes[j]) <= distance:
                parent[root(i)] = root(j)
    groups: dict[int, list[np.ndarray]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(waves[i])
    return list(groups.values())


def scan(options: ScanOptions) -> list[Proposal]:
    cats = tuple(options.nr_categories)
    loaded = window("crime", options.nr_knox_days, options, categories=cats)
    if loaded is None:
        return []
    ev, first, today = loaded
    if len(ev) < 20:
        return []
    knox = near_repeat.knox(
        ev.x,
        ev.y,
        _days(ev.start),
        [0, options.nr_distance],
        [0, options.nr_time],
        permutations=options.permutations,
        seed=options.seed,
        same_location=False,
    )
    ratio, p = float(knox.ratio[0, 0]), float(knox.p[0, 0])
    if not (p <= 0.05 and ratio > 1):
        return []
    recent_from = np.datetime64(today) - np.timedelta64(options.nr_days - 1, "D")
    keep = ev.start.astype("datetime64[D]") >= recent_from
    x, y, t, ids = ev.x[keep], ev.y[keep], _days(ev.start)[keep], ev.ids[keep]
    if len(x) < options.nr_min_events:
        return []
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(options.nr_distance, output_type="ndarray")
    pairs = pairs[np.abs(t[pairs[:, 0]] - t[pairs[:, 1]]) < options.nr_time]
    n = len(x)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    starts = ev.start[keep]
    waves = [np.flatnonzero(labels == lab) for lab in np.unique(labels)]
    waves = merge_overlapping(
        [w for w in waves if len(w) >= options.nr_min_events], x, y, t, options.nr_distance, options.nr_time
    )
    # the busiest waves first, the latest first among equals; at most nr_max_candidates proposed
    waves.sort(key=lambda w: (-sum(len(m) for m in w), -float(t[np.concatenate(w)].max())))
    found = len(waves)
    out = []
    for parts in waves[: options.nr_max_candidates]:
        members = np.concatenate(parts)
        cx, cy = float(x[members].mean()), float(y[members].mean())
        day0 = str(starts[members].min().astype("datetime64[D]"))
        day1 = str(starts[members].max().astype("datetime64[D]"))
        evidence = {
            "events": int(len(members)),
            "event_ids": sorted(int(i) for i in ids[members]),
            "first_day": day0,
            "last_day": day1,
            "categories": top_counts(ev.category[keep][members]),
            "knox_ratio": round(ratio, 2),
            "knox_p": p,
            "knox_observed": int(knox.observed[0, 0]),
            "knox_expected": round(float(knox.expected[0, 0]), 1),
            "knox_permutations": knox.permutations,
            "knox_window": [first.isoformat(), today.isoformat()],
            "link_distance_m": options.nr_distance,
            "link_days": options.nr_time,
            "waves_merged": len(parts),
            "rank": len(out) + 1,
            "waves_found": found,
            "waves_proposed": min(found, options.nr_max_candidates),
        }
        hull = MultiPoint(list(zip(x[members], y[members], strict=True))).convex_hull.buffer(options.nr_distance / 2)
        title = f"Near-repeat wave: {len(members)} burglaries within {options.nr_distance:.0f} m, {day0} to {day1}"
        out.append(
            Proposal(
                "near_repeat",
                title,
                f"wave@{int(cx)},{int(cy)}:{day0}",
                cx,
                cy,
                hull,
                float(len(members)),
                evidence,
                {
                    "method": "Knox (euclidean bands) then space-time linking",
                    "categories": list(cats),
                    "recent_days": options.nr_days,
                    "knox_days": options.nr_knox_days,
                    "permutations": options.permutations,
                    "seed": options.seed,
                    "max_candidates": options.nr_max_candidates,
                },
            )
        )
    return out
