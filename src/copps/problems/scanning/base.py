"""What every scanner shares: its options, what it proposes, and how it reads events."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np
from shapely.geometry.base import BaseGeometry

from copps.incidents.scanning import EventArrays, ScanFilter, load_events

__all__ = ["Proposal", "ScanOptions", "window", "top_counts", "latest_day"]


@dataclass(frozen=True)
class ScanOptions:
    """Parameters of a candidate scan (stored with every candidate so it can be re-run)."""

    today: date | None = None  # last day scanned (default: the latest event of each kind)
    # persistent hot spots
    hot_days: int = 365
    hot_cell: float = 150.0
    hot_steps: int = 4  # sub-periods for persistence (quarters of the year)
    # risky places
    place_days: int = 365
    place_top: int = 10
    place_min_ratio: float = 10.0  # events at the place over the mean per place with events
    # near-repeat waves
    nr_categories: tuple[str, ...] = ("burglary",)
    nr_days: int = 60  # recent window in which waves are looked for
    nr_knox_days: int = 365  # window of the Knox test that says near repeats happen at all
    nr_distance: float = 200.0
    nr_time: float = 14.0
    nr_min_events: int = 3
    nr_max_candidates: int = 10  # overlapping waves are merged first; then the busiest this many
    permutations: int = 99
    seed: int = 0
    # collision corridors
    collision_days: int = 730
    collision_cell: float = 150.0
    corridor_min_cells: int = 3
    corridor_min_events: int = 10
    # community request clusters (and the window corroboration reads)
    request_days: int = 365
    request_cell: float = 150.0
    request_min: int = 30  # fewer requests in the window: no clusters looked for
    request_cluster_min: int = 10  # requests a cluster needs to be proposed
    # matching re-scans and corroboration
    match_m: float = 250.0
    quiet_days: int = 180  # a dismissed candidate is not proposed again for this long
    corroboration_m: float = 200.0

    def as_dict(self) -> dict:
        d = asdict(self)
        d["today"] = self.today.isoformat() if self.today else None
        d["nr_categories"] = list(self.nr_categories)
        return d


@dataclass(frozen=True)
class Proposal:
    """A candidate as a scanner proposes it: geometry in site metres, evidence as plain JSON."""

    kind: str
    title: str
    key: str
    x: float
    y: float
    geometry: BaseGeometry
    score: float
    evidence: dict
    parameters: dict = field(default_factory=dict)
    corroborated: bool = False


def latest_day(kind: str) -> date | None:
    """The last complete day of data of ``kind``: the day before its latest event's day (which
    the export may hold only in part, see ``copps.incidents.coverage``); None without events."""
    from copps.incidents import coverage

    return coverage.complete_to(kind)


def window(
    kind: str, days: int, options: ScanOptions, categories: tuple[str, ...] = ()
) -> tuple[EventArrays, date, date] | None:
    """Geocoded events of ``kind`` in the ``days`` days ending on ``options.today`` (or the last
    complete day of data)."""
    today = options.today or latest_day(kind)
    if today is None:
        return None
    first = today - timedelta(days=days - 1)
    ev = load_events(ScanFilter(kind=kind, categories=categories, date_from=first, date_to=today)).geocoded()
    return ev, first, today


def top_counts(values: np.ndarray, n: int = 5) -> list[list]:
    return [[k or "unclassified", int(v)] for k, v in Counter(values.tolist()).most_common(n)]
