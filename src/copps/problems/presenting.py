"""Candidate evidence and changes in rates as staff read them: plain labels and numbers
formatted for people."""

from __future__ import annotations

import math
import re

__all__ = [
    "EVENT_KINDS",
    "HEAT_LEVELS",
    "LABELS",
    "SHARES",
    "band_label",
    "change_statement",
    "corroboration_text",
    "evidence_rows",
    "heat_level",
    "knox_significant",
    "p_text",
    "share_percent",
]

# What each kind of event is called in a sentence ("all crimes", "Calls for service (...)").
EVENT_KINDS = {"crime": "crimes", "call": "calls for service", "collision": "collisions"}

# Evidence values that are shares of a whole (0..1), printed as percentages.
SHARES = frozenset({"share", "top_20pct_share", "places_for_80pct", "share_on_street", "repeat_share"})

# The hour x weekday table's colour steps (problems.css: .heat-1 ... .heat-9, each with a text
# colour of at least 4.5:1 contrast on it; .heat-0 is an empty cell).
HEAT_LEVELS = 9

# A Knox cell is marked when it holds more close pairs than the permutations expect with a
# one-sided Monte Carlo p at or under this (the Near Repeat Calculator's convention).
KNOX_ALPHA = 0.05


def share_percent(value) -> str:
    """A share of a whole as a percentage with one decimal: 0.4032 -> "40.3%" ("—" when unknown)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{100 * float(value):.1f}%"


def heat_level(share: float) -> int:
    """The colour step of a cell holding ``share`` of the busiest cell: 0 (empty) to HEAT_LEVELS."""
    if not share or share <= 0:
        return 0
    return min(HEAT_LEVELS, math.ceil(share * HEAT_LEVELS))


def knox_significant(ratio, p, alpha: float = KNOX_ALPHA) -> bool:
    """More close pairs than expected (ratio above 1) with the cell's Monte Carlo p <= ``alpha``."""
    return ratio is not None and p is not None and ratio > 1 and p <= alpha


_BAND = re.compile(r"^[\[(]([\d.]+), ([\d.]+)\) (\w+)$")
_BEYOND = re.compile(r"^>= ([\d.]+) (\w+)$")


def band_label(label: str) -> str:
    """A Knox band as people read it: "[0, 7) days" -> "0–7 days", ">= 21 days" -> "21 days or
    more", "same location" -> "Same location" (a band holds its lower edge, not its upper)."""
    if m := _BAND.match(label):
        return f"{m[1]}–{m[2]} {m[3]}"
    if m := _BEYOND.match(label):
        return f"{m[1]} {m[2]} or more"
    return label[:1].upper() + label[1:]

LABELS = {
    "events": "Events",
    "collisions": "Collisions",
    "first_day": "From",
    "last_day": "To",
    "cells": "Grid cells",
    "cell_m": "Cell size (m)",
    "area_km2": "Area (km²)",
    "density_ratio": "Density over the city's",
    "max_z": "Highest Gi* z",
    "min_p": "Smallest p",
    "fdr": "False discovery rate",
    "confidence": "Confidence",
    "hot_periods": "Quarters hot",
    "periods": "Quarters scanned",
    "pattern": "Emerging hot-spot pattern",
    "events_by_period": "Events per quarter",
    "top_categories": "Top categories",
    "top_places": "Top places",
    "place": "Place",
    "rank": "Rank",
    "places": "Places with events",
    "share": "Share of all events",
    "ratio_to_mean_place": "Times the mean place",
    "mean_per_place": "Mean events per place",
    "gini": "Gini",
    "top_20pct_share": "Share held by the top 20% of places",
    "places_for_80pct": "Share of places holding 80%",
    "by_kind": "By kind",
    "also_recorded_as": "Also recorded as",
    "event_ids": "Event numbers",
    "categories": "Categories",
    "knox_ratio": "Knox ratio (close pairs over expected)",
    "knox_p": "Knox p",
    "knox_observed": "Close pairs observed",
    "knox_expected": "Close pairs expected",
    "knox_permutations": "Permutations",
    "knox_window": "Knox test window",
    "link_distance_m": "Linked within (m)",
    "link_days": "Linked within (days)",
    "waves_merged": "Overlapping waves merged into this one",
    "waves_found": "Waves found by the scan (after merging)",
    "waves_proposed": "Waves proposed (the busiest, at most 10)",
    "street": "Street",
    "on_street": "On the street",
    "share_on_street": "Share on the street",
    "length_m": "Length (m)",
    "per_km": "Per km",
    "severity": "Severity",
    "community_requests": "Community requests in its area",
    "community_expected": "Requests its share of the city predicts",
    "community_p": "Community excess p",
    "community_q": "Community excess q (false discovery rate)",
    "community_tested": "Candidates tested together",
    "community_services": "Their services",
}


def _text(key: str, value) -> str:
    if key in SHARES and isinstance(value, int | float):
        return share_percent(value)
    if isinstance(value, float):
        if key.endswith("p") or key.endswith("_q"):
            return f"{value:.2g}"
        return f"{value:g}"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        if value and all(isinstance(v, list) and len(v) == 2 for v in value):
            return ", ".join(f"{a} ({b})" for a, b in value)
        return ", ".join(str(v) for v in value)
    return str(value)


def evidence_rows(evidence: dict) -> list[tuple[str, str]]:
    """``[(label, text)]`` in the order of :data:`LABELS`, unknown keys last."""
    order = {k: i for i, k in enumerate(LABELS)}
    keys = sorted(evidence, key=lambda k: (order.get(k, len(order)), k))
    return [(LABELS.get(k, k.replace("_", " ")), _text(k, evidence[k])) for k in keys]


def p_text(p: float) -> str:
    """A p-value as printed next to a change: three decimals near the threshold, two above."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def _change(ratio: float) -> str:
    change = round(100 * (ratio - 1))
    return "no change" if change == 0 else f"{'down' if change < 0 else 'up'} {abs(change)}%"


def change_statement(ratio: float, lower: float, upper: float, p: float, alpha: float = 0.05, against: str = "") -> str:
    """The one way copps words a change in a rate: the change always with its interval and p
    (a "down 40%" never stands alone, however large it looks). ``against``: what it is relative
    to, e.g. "relative to the control".

    >>> change_statement(0.6, 0.4, 0.9, 0.012)
    'down 40% (95% CI: down 60% to down 10%; p = 0.012)'
    >>> change_statement(math.inf, 2.1, math.inf, 0.004)
    'up from none (p = 0.004)'
    """
    level = round(100 * (1 - alpha))
    if not math.isfinite(ratio):  # nothing before: no percentage to give
        return f"up from none ({p_text(p)})"
    head = f"{_change(ratio)} {against}".strip()
    high = _change(upper) if math.isfinite(upper) else "up without bound"
    return f"{head} ({level}% CI: {_change(lower)} to {high}; {p_text(p)})"


def corroboration_text(evidence: dict, corroborated: bool) -> str:
    """The community corroboration test of a candidate in a sentence ("" when it was not tested)."""
    if "community_p" not in evidence:
        return ""
    n, e = evidence["community_requests"], evidence["community_expected"]
    q, tested = evidence["community_q"], evidence.get("community_tested", 1)
    numbers = (
        f"{n} community request{'s' if n != 1 else ''} lie in its area, where its share of the city predicts "
        f"{e:g} (p = {evidence['community_p']:.2g}; q = {q:.2g} over the {tested} candidate"
        f"{'s' if tested != 1 else ''} tested together)"
    )
    return numbers + (
        ": significantly more than chance at a 5% false discovery rate, so its score was raised by half."
        if corroborated
        else ": not significantly more than chance at a 5% false discovery rate."
    )
