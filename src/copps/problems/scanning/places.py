"""Risky places: the hundred blocks (or intersections) with many times the events of a typical
place, from crimes and calls together, with how concentrated events are across places."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from shapely.geometry import Point

from copps.analysis import places
from copps.problems.scanning.base import Proposal, ScanOptions, top_counts, window

__all__ = ["scan"]

PLACE_RADIUS_M = 60.0


def _title(evidence: dict) -> str:
    what = " and ".join(f"{n} {k}s" for k, n in evidence["by_kind"].items() if n)
    return f"Risky place: {evidence['place']} ({what}, {evidence['ratio_to_mean_place']:.0f}x a typical place)"[:200]


def scan(options: ScanOptions) -> list[Proposal]:
    parts = [w for w in (window(k, options.place_days, options) for k in ("crime", "call")) if w is not None]
    if not parts:
        return []
    kinds = np.concatenate([np.full(len(ev), k) for (ev, _, _), k in zip(parts, ("crime", "call"), strict=False)])
    x = np.concatenate([ev.x for ev, _, _ in parts])
    y = np.concatenate([ev.y for ev, _, _ in parts])
    place = np.concatenate([ev.place for ev, _, _ in parts])
    category = np.concatenate([ev.category for ev, _, _ in parts])
    first = min(f for _, f, _ in parts)
    today = max(t for _, _, t in parts)
    has = place != ""
    keys, inverse, counts = np.unique(place[has], return_inverse=True, return_counts=True)
    if len(keys) < 10:
        return []
    conc = places.concentration(counts)
    mean = counts.mean()
    order = np.argsort(-counts, kind="stable")[: options.place_top]
    idx = np.flatnonzero(has)
    out: list[Proposal] = []
    rank = 0
    for j in order:
        ratio = counts[j] / mean
        if ratio < options.place_min_ratio:
            break
        at = idx[inverse == j]
        px, py = float(np.median(x[at])), float(np.median(y[at]))
        same = next((k for k, p in enumerate(out) if np.hypot(p.x - px, p.y - py) <= PLACE_RADIUS_M), None)
        if same is not None:
            # the same spot under another address form (crimes at the intersection, calls at the block)
            p = out[same]
            by_kind = {k: n + int((kinds[at] == k).sum()) for k, n in p.evidence["by_kind"].items()}
            ev = {
                **p.evidence,
                "events": p.evidence["events"] + int(counts[j]),
                "by_kind": by_kind,
                "also_recorded_as": [*p.evidence.get("also_recorded_as", []), [str(keys[j]), int(counts[j])]],
            }
            out[same] = replace(p, evidence=ev, score=float(ev["events"]), title=_title(ev))
            continue
        rank += 1
        evidence = {
            "place": str(keys[j]),
            "events": int(counts[j]),
            "rank": rank,
            "places": int(len(keys)),
            "share": round(float(counts[j] / counts.sum()), 4),
            "ratio_to_mean_place": round(float(ratio), 1),
            "mean_per_place": round(float(mean), 2),
            "gini": round(conc.gini, 3),
            "top_20pct_share": round(conc.top_shares[0.2], 3),
            "places_for_80pct": round(conc.places_for_80, 3),
            "by_kind": {k: int((kinds[at] == k).sum()) for k in ("crime", "call")},
            "top_categories": top_counts(category[at]),
            "first_day": first.isoformat(),
            "last_day": today.isoformat(),
        }
        title = _title(evidence)
        out.append(
            Proposal(
                "risky_place",
                title[:200],
                f"place:{keys[j]}",
                px,
                py,
                Point(px, py).buffer(PLACE_RADIUS_M),
                float(counts[j]),
                evidence,
                {
                    "method": "events per place (hundred block or intersection), crimes and calls",
                    "window_days": options.place_days,
                    "min_ratio": options.place_min_ratio,
                },
            )
        )
    return out
