"""Public service figures: how quickly community requests are acknowledged and closed, and how
many of those closed were fixed, by district and kind of request.

The figures come from :func:`copps.community.service_levels.service_levels` over the requests
received in the last year up to the publication cut-off. Only group counts, medians and
shares leave here, and small groups are suppressed with the count tables' k:

* a row (district x kind of request) of fewer than k requests is hidden whole;
* if that leaves exactly one hidden row for a kind of request, the smallest shown row is
  hidden too, since the "All areas" row less the others would give it away;
* a median time is shown only when at least k requests reached that step, and the share
  fixed only when at least k were closed;
* every published count is rounded to the nearest 5 (``round5``) and the share fixed, with its
  95% Wilson interval, worked out from the rounded counts. Anyone can file requests, and knows
  what became of their own: with exact counts, a few filed into a hidden row took it past k
  and were subtracted again to give the hidden requests away (issue 13, item 10). Rows are
  still hidden or shown on their exact counts.

What each figure rests on: "acknowledged" and the two median times come from the recorded
changes of state of each request (``StateChange``); "closed" and "fixed" from each request's
current state. A source that records no changes of state (an Open311 import of closed
requests, say) leaves the first without data: a closed request was necessarily acknowledged, so
when fewer requests are recorded as acknowledged than are closed now, "acknowledged" and its
median are shown as not recorded (``None``, ``acknowledged_recorded`` false) rather than as 0
beside "fixed 100%".

Anonymous tips are not service requests and are never counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from copps.analysis.intervals import proportion
from copps.community.engagement.results import round5
from copps.community.models import Service, ServiceRequest
from copps.community.service_levels import ALL_AREAS, ServiceLevel, service_levels
from copps.publish.conf import rules as current_rules
from copps.publish.pipeline import cutoff

__all__ = ["WINDOW_DAYS", "ServiceFigures", "figures", "public_names"]

WINDOW_DAYS = 365


@dataclass(frozen=True)
class ServiceFigures:
    """One published row; None where a figure is suppressed."""

    area: str
    category: str
    requests: int | None
    acknowledged: int | None
    acknowledge_median_h: float | None
    closed: int | None
    close_median_days: float | None
    closed_fixed: int | None
    fixed_percent: float | None
    fixed_lower: float | None  # 95% Wilson interval, percent
    fixed_upper: float | None
    # False when the source recorded fewer acknowledgements than there are closed requests: the
    # history of states is missing, and "acknowledged" is not known (not zero)
    acknowledged_recorded: bool = True

    @property
    def suppressed(self) -> bool:
        return self.requests is None


def _hidden(level: ServiceLevel) -> ServiceFigures:
    return ServiceFigures(level.area, level.category, *([None] * 9))


def _shown(level: ServiceLevel, k: int) -> ServiceFigures:
    closed = level.closed_fixed + level.closed_not_fixed  # closed now (the current state)
    recorded = level.acknowledged >= closed
    fixed, judged = round5(level.closed_fixed), round5(closed)
    share = low = high = None
    if closed >= k and judged:
        ci = proportion(fixed, judged)
        share, low, high = (round(100.0 * v, 1) for v in (fixed / judged, ci.low, ci.high))
    return ServiceFigures(
        area=level.area,
        category=level.category,
        requests=round5(level.requests),
        acknowledged=round5(level.acknowledged) if recorded else None,
        acknowledge_median_h=level.acknowledge_median_h if recorded and level.acknowledged >= k else None,
        closed=round5(closed),
        close_median_days=round(level.close_median_h / 24.0, 2)
        if level.closed >= k and level.close_median_h is not None
        else None,
        closed_fixed=fixed if closed >= k else None,
        fixed_percent=share,
        fixed_lower=low,
        fixed_upper=high,
        acknowledged_recorded=recorded,
    )


def public_names() -> dict[str, str]:
    """Each service's stored name -> the name a resident reads in the active language."""
    return {s.name: s.public_name for s in Service.objects.all()}


def figures(qs=None, *, now=None) -> list[ServiceFigures]:
    """Rows by kind of request, "All areas" first, then each district (suppressed as above)."""
    k = current_rules().k
    end = cutoff(now=now)
    qs = ServiceRequest.objects.all() if qs is None else qs
    levels = service_levels(qs.filter(requested_at__lt=end, requested_at__gte=end - timedelta(days=WINDOW_DAYS)))
    by_category: dict[str, list[ServiceLevel]] = {}
    for level in levels:
        by_category.setdefault(level.category, []).append(level)
    out: list[ServiceFigures] = []
    for rows in by_category.values():
        areas = [r for r in rows if r.area != ALL_AREAS]
        hide = {id(r) for r in areas if r.requests < k}
        shown = sorted((r for r in areas if id(r) not in hide), key=lambda r: r.requests)
        if len(hide) == 1 and shown:
            hide.add(id(shown[0]))
        for r in rows:
            small = r.requests < k or id(r) in hide
            out.append(_hidden(r) if small else _shown(r, k))
    return out
