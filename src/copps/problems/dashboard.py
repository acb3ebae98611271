"""What the SARA dashboard shows for a city, district or beat: the CompStat table with only the
changes larger than chance flagged, the current alerts, the open problems and the recent community
requests. Events are read through ``copps.incidents.scanning``; the numbers come from
``copps.analysis`` (``compstat``, ``alerts``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db.models import Q
from shapely.geometry import shape

from copps.analysis import alerts, compstat
from copps.analysis import coverage as cov
from copps.community.models import ServiceRequest
from copps.incidents import coverage
from copps.incidents.models import Area, OffenseCategory
from copps.incidents.scanning import DailyCounts, ScanFilter, daily_counts
from copps.problems.models import Problem
from copps.problems.presenting import change_statement
from copps.problems.scanning.base import latest_day

__all__ = [
    "ALERT_WEEKS",
    "AreaEvents",
    "alerts_table",
    "area_events",
    "compstat_table",
    "open_problems",
    "recent_requests",
    "scan_area",
]

ALERT_WEEKS = 26  # weeks of history the alert baseline is drawn from
ALPHA = 0.05


@dataclass(frozen=True)
class AreaEvents:
    """The crimes of an area over the two years ending ``today`` (enough for year to date vs last year),
    counted per category and day, with the days the data covers in that span (``today`` defaults to
    the last complete day). The CompStat table and the alerts need no more than these counts, so
    they are counted in the database (:func:`copps.incidents.scanning.daily_counts`) instead of
    loading every event: the answer is the same, a city's dashboard a small fraction of the time."""

    area: Area | None
    today: date | None
    events: DailyCounts | None
    coverage: cov.Coverage | None = None


def scan_area(area: Area | None) -> str | None:
    """The ScanFilter spelling of an area (None: the whole city)."""
    if area is None or area.type == Area.Type.CITY:
        return None
    return f"{area.type}:{area.code}"


def area_events(area: Area | None, kind: str = "crime", today: date | None = None, days: int = 731) -> AreaEvents:
    today = today or latest_day(kind)
    if today is None:
        return AreaEvents(area, None, None)
    f = ScanFilter(kind=kind, area=scan_area(area), date_from=today - timedelta(days=days - 1), date_to=today)
    covered = cov.clip(coverage.of(kind), f.date_from, today + timedelta(days=1))
    return AreaEvents(area, today, daily_counts(f), covered)


def _names(codes) -> dict[str, str]:
    return dict(OffenseCategory.objects.filter(code__in=list(codes)).values_list("code", "name"))


def _groups(ev: DailyCounts, top: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The ``top`` commonest categories (by the two years), and for each event its day and group
    index (-1: other)."""
    codes, inverse = np.unique(ev.category, return_inverse=True)
    counts = np.bincount(inverse, weights=ev.n, minlength=len(codes)).astype(np.int64)
    order = [str(codes[i]) for i in np.argsort(-counts, kind="stable")[:top]]
    index = {c: i for i, c in enumerate(order)}
    group_of_code = np.array([index.get(str(c), -1) for c in codes], dtype=np.int64)
    return order, np.repeat(ev.day, ev.n), np.repeat(group_of_code[inverse], ev.n)


def compstat_table(data: AreaEvents, top: int = 8, alpha: float = ALPHA) -> list[dict]:
    """Rows of the CompStat table: every crime, then the ``top`` categories; for each window
    (week, 28 days, year to date) the count now, the same dates last year, the change worded with
    its interval and p, and — only when the exact rate-ratio test says it is larger than chance —
    a flag."""
    ev = data.events
    if ev is None or len(ev) == 0:
        return []
    codes, days, groups = _groups(ev, top)
    names = _names(codes)
    ok = groups >= 0
    per_group = compstat.period_counts(days[ok], np.datetime64(data.today), groups[ok], len(codes))
    total = compstat.period_counts(days, np.datetime64(data.today))
    status = compstat.period_status(np.datetime64(data.today), data.coverage)
    rows = [("All crime", total, 0)] + [(names.get(c, c or "unclassified"), per_group, i) for i, c in enumerate(codes)]
    out = []
    for label, counts, i in rows:
        cells = []
        for window in compstat.PERIODS:
            (now, n_days), (before, b_days) = counts[window]["now"], counts[window]["prior year"]
            s_now, s_before = status[window]["now"], status[window]["prior year"]
            r = compstat.covered_compare(now[i : i + 1], before[i : i + 1], n_days, b_days, s_now, s_before, alpha)
            covered = compstat.comparable(s_now, s_before)
            cells.append(
                {
                    "window": window,
                    "now": int(now[i]),
                    "before": int(before[i]) if s_before != cov.NONE else None,
                    "significant": bool(r.significant[0]),
                    "direction": int(r.direction[0]),
                    "p": float(r.p[0]),
                    # "full", or why the change is not given: "no data" (a window outside the data)
                    # or "partial" (a window the data covers in part)
                    "coverage": cov.FULL if covered else ("no data" if cov.NONE in (s_now, s_before) else "partial"),
                    # the change is only ever printed with its interval and p
                    "statement": None
                    if not covered or (now[i] == 0 and before[i] == 0)
                    else change_statement(
                        float(r.ratio[0]), float(r.lower[0]), float(r.upper[0]), float(r.p[0]), alpha=alpha
                    ),
                }
            )
        out.append({"label": label, "cells": cells})
    return out


def weekly_series(days: np.ndarray, groups: np.ndarray, ngroups: int, today: date, weeks: int) -> np.ndarray:
    """Counts per group and week, the last week ending on ``today``: shape (ngroups, weeks)."""
    end = np.datetime64(today) + np.timedelta64(1, "D")
    age = ((end - days) / np.timedelta64(1, "D")).astype(np.int64)  # 1..: days before the end
    week = weeks - 1 - (age - 1) // 7
    keep = (age >= 1) & (week >= 0) & (groups >= 0)
    out = np.zeros((ngroups, weeks))
    np.add.at(out, (groups[keep], week[keep]), 1)
    return out


def alerts_table(
    data: AreaEvents, top: int = 12, false_alarm: float = 0.01, baseline: int = alerts.DEFAULT_BASELINE
) -> list[dict]:
    """Categories whose count in the latest week is above the Poisson control limit of the
    preceding ``baseline`` weeks (``copps.analysis.alerts.detect``)."""
    ev = data.events
    if ev is None or len(ev) == 0:
        return []
    codes, days, groups = _groups(ev, top)
    series = weekly_series(days, groups, len(codes), data.today, ALERT_WEEKS)
    # only the latest run of weeks the data covers in full: no tested or baseline week holds time without data
    full = cov.covered_steps_back(data.coverage, np.datetime64(data.today) + np.timedelta64(1, "D"), limit=ALERT_WEEKS)
    series = series[:, ALERT_WEEKS - full :]
    if full == 0:
        return []
    r = alerts.detect(series, method="poisson", false_alarm=false_alarm, baseline=baseline)
    names = _names(codes)
    out = []
    for i in np.nonzero(r.alert[:, -1])[0]:
        out.append(
            {
                "category": names.get(codes[i], codes[i] or "unclassified"),
                "count": int(series[i, -1]),
                "expected": round(float(r.expected[i, -1]), 1),
                "limit": int(r.limit[i, -1]),
                "p": float(r.score[i, -1]),
                "week_ending": data.today.isoformat(),
            }
        )
    return sorted(out, key=lambda a: a["p"])


def _descendants(area: Area) -> set[int]:
    ids, frontier = {area.pk}, [area.pk]
    while frontier:
        frontier = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.update(frontier)
    return ids


def open_problems(area: Area | None, limit: int = 100) -> list[Problem]:
    """Problems not closed whose chosen areas lie in ``area`` or whose polygon meets it."""
    qs = Problem.objects.open().select_related("owner").prefetch_related("areas")
    problems = list(qs.order_by("opened_at", "id")[:500])
    if area is None or area.type == Area.Type.CITY:
        return problems[:limit]
    inside = _descendants(area)
    outline = shape(area.geometry)
    out = []
    for p in problems:
        if any(a.pk in inside for a in p.areas.all()) or (p.polygon and shape(p.polygon).intersects(outline)):
            out.append(p)
    return out[:limit]


def recent_requests(area: Area | None, limit: int = 15) -> list[ServiceRequest]:
    """The latest community requests of the area (block address only: staff need no more here)."""
    qs = ServiceRequest.objects.select_related("service").order_by("-requested_at", "-id")
    if area is not None and area.type != Area.Type.CITY:
        qs = qs.filter(Q(beat=area) | Q(district=area) | Q(beat__parent=area))
    return list(qs.only("id", "public_id", "service__name", "block_address", "state", "requested_at")[:limit])
