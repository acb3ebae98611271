"""Running an outcome assessment: count events in the target, buffer and control areas before
and after, run ``copps.analysis.assessment`` on the counts, and keep everything as JSON."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import numpy as np
from django.db import transaction

from copps.analysis import assessment as stats
from copps.incidents.scanning import ScanFilter, load_events
from copps.problems.geometry import contains, ring, to_wgs84, union_of
from copps.problems.models import Assessment, Problem, Task
from copps.problems.presenting import change_statement

__all__ = ["ZERO_CORRECTION", "count_zones", "process_evaluation", "run_assessment", "effect_statement"]

#: added to every count when any of the four is zero (the usual Haldane correction)
ZERO_CORRECTION = 0.5


def _json(result) -> dict:
    return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in asdict(result).items()}


def count_zones(zones: dict, periods: dict[str, tuple[date, date]], kind: str, categories: tuple[str, ...]):
    """``{zone: {period: count}}`` of geocoded events of ``kind`` (and categories) inside each zone."""
    first = min(p[0] for p in periods.values())
    last = max(p[1] for p in periods.values())
    ev = load_events(ScanFilter(kind=kind, categories=categories, date_from=first, date_to=last)).geocoded()
    day = ev.start.astype("datetime64[D]")
    counts = {}
    for zone, geom in zones.items():
        if geom is None:
            continue
        inside = contains(geom, ev.x, ev.y)
        counts[zone] = {
            name: int((inside & (day >= np.datetime64(a)) & (day <= np.datetime64(b))).sum())
            for name, (a, b) in periods.items()
        }
    return counts


def process_evaluation(problem: Problem) -> dict:
    statuses = list(problem.tasks.values_list("status", flat=True))
    planned = len([s for s in statuses if s != Task.Status.DROPPED])
    done = statuses.count(Task.Status.DONE)
    return {
        "tasks": len(statuses),
        "planned": planned,
        "done": done,
        "dropped": statuses.count(Task.Status.DROPPED),
        "done_share": round(done / planned, 3) if planned else None,
    }


def run_assessment(problem: Problem, data: dict, user) -> Assessment:
    """Count, test and store one assessment from the cleaned :class:`AssessmentForm` data."""
    zones_in = data["zones"]
    target = union_of(zones_in["target"].get("areas", []), zones_in["target"].get("polygon"))
    control = union_of(zones_in["control"].get("areas", []), zones_in["control"].get("polygon"))
    buffer = ring(target, data["buffer_m"]) if data.get("buffer_m") else None
    if buffer is not None:
        buffer = buffer.difference(control)  # a zone is counted once: the control wins
    periods = {"before": (data["before_start"], data["before_end"]), "after": (data["after_start"], data["after_end"])}
    categories = tuple(problem.categories.values_list("code", flat=True)) if data.get("use_problem_categories") else ()
    counts = count_zones({"target": target, "buffer": buffer, "control": control}, periods, data["kind"], categories)
    pairs = {z: (c["before"], c["after"]) for z, c in counts.items()}
    corrected = min(v for pair in pairs.values() for v in pair) == 0
    if corrected:
        pairs = {z: (b + ZERO_CORRECTION, a + ZERO_CORRECTION) for z, (b, a) in pairs.items()}
    result = {
        "before_after": _json(
            stats.before_after(pairs["target"], pairs["control"], alpha=data["alpha"], dispersion=data["dispersion"])
        ),
        "zero_corrected": corrected,
    }
    if "buffer" in pairs:
        result["wdq"] = _json(stats.wdq(pairs["target"], pairs["buffer"], pairs["control"]))
    parameters = {
        "kind": data["kind"],
        "categories": list(categories),
        "alpha": data["alpha"],
        "dispersion": data["dispersion"],
        "buffer_m": data.get("buffer_m") or 0,
        "periods": {k: [a.isoformat(), b.isoformat()] for k, (a, b) in periods.items()},
        "target_from": data["target_from"],
        "control_from": data["control_from"],
        "methods": {"before_after": "copps.analysis.assessment.before_after", "wdq": "copps.analysis.assessment.wdq"},
    }
    with transaction.atomic():
        a = Assessment.objects.create(
            problem=problem,
            title=data.get("title") or "",
            before_start=data["before_start"],
            before_end=data["before_end"],
            after_start=data["after_start"],
            after_end=data["after_end"],
            kind=data["kind"],
            categories=list(categories),
            target=to_wgs84(target),
            buffer=to_wgs84(buffer) if buffer is not None else None,
            control=to_wgs84(control),
            counts=counts,
            parameters=parameters,
            result=result,
            process=process_evaluation(problem),
            conclusion=data.get("conclusion") or "",
            created_by=user,
        )
        a.target_areas.set(zones_in["target"].get("areas", []))
    return a


def effect_statement(result: dict, alpha: float = 0.05) -> str:
    """An assessment's effect in words (:func:`copps.problems.presenting.change_statement`).

    >>> effect_statement({"rate_ratio": 0.6, "rate_ratio_lower": 0.4, "rate_ratio_upper": 0.9, "p": 0.012})
    'down 40% relative to the control (95% CI: down 60% to down 10%; p = 0.012)'
    """
    return change_statement(
        result["rate_ratio"],
        result["rate_ratio_lower"],
        result["rate_ratio_upper"],
        result["p"],
        alpha=alpha,
        against="relative to the control",
    )
