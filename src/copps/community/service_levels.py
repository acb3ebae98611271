"""Service-level figures for service requests, per area and category.

For each request the history of state changes (``StateChange``) gives three times, all
measured from when the request was received:

- **to acknowledge**: the first step out of "received" (any step counts: a request moved
  straight to "in progress" was acknowledged then);
- **to first action**: the first step to in progress, referred or closed;
- **to close**: the last step into a closed state, for requests closed now (a request that
  was reopened and closed again counts its final close).

Each group reports how many requests it holds, how many reached each step, the median and
90th percentile of each time (in hours), and how many were closed as fixed or not fixed,
with the share fixed and its 95% Wilson score interval (Wilson 1927, *JASA* 22:209), which
stays inside 0–1 and is honest for small groups. Requests still waiting are not in the
times (the counts show how many are waiting), so a group with a backlog looks faster than it
is: read the times with the counts.

``service_levels`` takes any ``ServiceRequest`` queryset (the staff page passes the last 90
days; the public portal passes what it publishes) and runs two queries whatever its size.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from copps.analysis.intervals import proportion
from copps.community.models import StateChange
from copps.community.states import CLOSED_STATES, State

__all__ = ["ServiceLevel", "service_levels", "ALL_AREAS", "NO_AREA"]

ALL_AREAS = "All areas"
NO_AREA = "No area"
_ACTION = frozenset({State.IN_PROGRESS, State.REFERRED, State.CLOSED_FIXED, State.CLOSED_NOT_FIXED})


@dataclass(frozen=True)
class ServiceLevel:
    area: str
    category: str
    requests: int
    acknowledged: int
    acknowledge_median_h: float | None
    acknowledge_p90_h: float | None
    acted: int
    action_median_h: float | None
    action_p90_h: float | None
    closed: int
    close_median_h: float | None
    close_p90_h: float | None
    closed_fixed: int
    closed_not_fixed: int
    fixed_share: float | None
    fixed_low: float | None
    fixed_high: float | None


def _median_p90(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    ordered = sorted(values)
    # Nearest-rank 90th percentile: an observed time, never an interpolated one.
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return round(statistics.median(ordered), 2), round(p90, 2)


def _times(requested_at, state: str, changes: list[tuple[str, object]]) -> tuple:
    ack = changes[0][1] if changes else None
    action = next((at for to, at in changes if to in _ACTION), None)
    close = None
    if state in CLOSED_STATES:
        close = next((at for to, at in reversed(changes) if to in CLOSED_STATES), None)

    def hours(at):
        return (at - requested_at).total_seconds() / 3600 if at is not None else None

    return hours(ack), hours(action), hours(close)


def _level(area: str, category: str, rows: list[tuple]) -> ServiceLevel:
    ack = [r[0] for r in rows if r[0] is not None]
    act = [r[1] for r in rows if r[1] is not None]
    close = [r[2] for r in rows if r[2] is not None]
    fixed = sum(1 for r in rows if r[3] == State.CLOSED_FIXED)
    not_fixed = sum(1 for r in rows if r[3] == State.CLOSED_NOT_FIXED)
    interval = proportion(fixed, fixed + not_fixed) if fixed + not_fixed else None
    return ServiceLevel(
        area=area,
        category=category,
        requests=len(rows),
        acknowledged=len(ack),
        acknowledge_median_h=_median_p90(ack)[0],
        acknowledge_p90_h=_median_p90(ack)[1],
        acted=len(act),
        action_median_h=_median_p90(act)[0],
        action_p90_h=_median_p90(act)[1],
        closed=len(close),
        close_median_h=_median_p90(close)[0],
        close_p90_h=_median_p90(close)[1],
        closed_fixed=fixed,
        closed_not_fixed=not_fixed,
        fixed_share=round(fixed / (fixed + not_fixed), 4) if fixed + not_fixed else None,
        fixed_low=round(interval.low, 4) if interval else None,
        fixed_high=round(interval.high, 4) if interval else None,
    )


def service_levels(queryset: QuerySet, *, by: str = "district", totals: bool = True) -> list[ServiceLevel]:
    """Service levels of the requests in ``queryset`` grouped by area (``by``: ``district`` or
    ``beat``) and category; with ``totals``, an "All areas" row per category as well.
    Rows are sorted by category, then area (the "All areas" row first)."""
    if by not in {"district", "beat"}:
        raise ValueError("by must be district or beat")
    requests = list(queryset.order_by().values_list("id", "requested_at", "state", "service__name", f"{by}__name"))
    history: dict[int, list[tuple[str, object]]] = defaultdict(list)
    ids = [r[0] for r in requests]
    for start in range(0, len(ids), 5000):  # bounded IN lists for SQLite's variable limit
        for request_id, to, at in (
            StateChange.objects.filter(request_id__in=ids[start : start + 5000])
            .order_by("at", "id")
            .values_list("request_id", "to_state", "at")
        ):
            history[request_id].append((to, at))
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for request_id, requested_at, state, category, area in requests:
        row = (*_times(requested_at, state, history.get(request_id, [])), state)
        groups[(category, area or NO_AREA)].append(row)
        if totals:
            groups[(category, ALL_AREAS)].append(row)
    return [
        _level(area, category, rows)
        for (category, area), rows in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][1] != ALL_AREAS, item[0][1])
        )
    ]
