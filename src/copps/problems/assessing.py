"""Running an outcome assessment: count events in the target, buffer and control areas before
and after, run ``copps.analysis.assessment`` on the counts, and keep everything as JSON."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date, timedelta

import numpy as np
from django.core.cache import cache
from django.db import transaction

from copps.analysis import assessment as stats
from copps.community.engagement.conf import survey_min_n
from copps.community.engagement.pulse import answered_areas, survey_pulse
from copps.geo.shapes import contains, ring, to_metres, to_wgs84, union_of
from copps.incidents import coverage
from copps.incidents.models import Area, OffenseCategory, Site
from copps.incidents.scanning import ScanFilter, load_events
from copps.problems.models import Assessment, Problem, Task
from copps.problems.presenting import EVENT_KINDS, change_statement, p_text

__all__ = [
    "ZERO_CORRECTION", "count_zones", "process_evaluation", "run_assessment", "effect_statement",
    "buffer_statement", "net_statement", "wdq_reading", "pulse_of_zones",
    "pulse_statement", "pulse_areas", "pulse_summary", "similar_controls", "scored_controls",
    "parameters_sentence", "monthly_counts",
]

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


def pulse_of_zones(zones: dict, periods: dict[str, tuple[date, date]], projector) -> dict:
    """The survey pulse (perceived safety, trust) of each zone before and after.

    Survey answers are kept per area (the beat or neighbourhood a respondent picks), so a zone's
    answers are those of every area that overlaps it; each area is listed with the share of it
    that lies in the zone, so a reader sees when a beat's answers stand for a corner of it."""
    areas = [(a, to_metres(a.geometry, projector)) for a in answered_areas(periods)]
    out = {"min_n": survey_min_n(), "zones": {}}
    for zone, geom in zones.items():
        if geom is None:
            continue
        listed = []
        for area, shape in areas:
            overlap = shape.intersection(geom).area if shape.intersects(geom) else 0.0
            if overlap > 1.0:  # square metres: a shared edge is no overlap
                share = overlap / shape.area if shape.area else 0.0
                listed.append({"id": area.pk, "type": area.type, "code": area.code, "name": area.name,
                               "share": round(share, 3)})
        rows = survey_pulse([a["id"] for a in listed], periods) if listed else []
        out["zones"][zone] = {"areas": listed, "rows": rows}
    return out


def monthly_counts(ev, inside: np.ndarray, months: np.ndarray) -> np.ndarray:
    """How many of the events ``ev`` where ``inside`` fall in each of ``months`` (consecutive
    ``datetime64[M]``, local time); events in other months are left out."""
    index = (ev.start.astype("datetime64[M]") - months[0]).astype(int)
    keep = inside & (index >= 0) & (index < len(months))
    return np.bincount(index[keep], minlength=len(months))


#: an area with fewer events than this in the before period is too noisy to judge a trend by
SIMILAR_MIN_EVENTS = 24


#: how long a control suggestion is kept; the key also changes with the data and the beats
SIMILAR_CACHE_SECONDS = 15 * 60


def similar_controls(target_polygon: dict, kind: str, categories: tuple[str, ...], before: tuple[date, date],
                     *, limit: int = 3) -> list[dict]:
    """:func:`scored_controls`, kept in the shared cache: the assessment form suggests controls
    every time it is opened, and scoring every beat reads a year of the city's events. The key
    holds the events' stamp (imports and rollbacks change it), the beats' outlines and the
    question; a geocoding run, which moves events without a new batch, is seen within
    ``SIMILAR_CACHE_SECONDS``."""
    beats = list(Area.objects.filter(type=Area.Type.BEAT).order_by("id").values_list("id", "code", "geometry"))
    question = [coverage.data_stamp(), beats, target_polygon, kind, sorted(categories),
                before[0].isoformat(), before[1].isoformat(), limit]
    key = "copps:controls:" + hashlib.sha256(json.dumps(question, sort_keys=True, default=str).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = [row | {"area": row["area"].pk}
                 for row in scored_controls(target_polygon, kind, categories, before, limit=limit)]
        cache.set(key, found, SIMILAR_CACHE_SECONDS)
    areas = Area.objects.in_bulk([row["area"] for row in found])
    return [row | {"area": areas[row["area"]]} for row in found if row["area"] in areas]


def scored_controls(target_polygon: dict, kind: str, categories: tuple[str, ...], before: tuple[date, date],
                    *, limit: int = 3) -> list[dict]:
    """Beats whose monthly counts moved most like the target's over the before period: candidate
    control areas (a control should share the target's trend before the response, the parallel
    trends a difference in differences rests on).

    Each beat that does not overlap the target and holds at least ``SIMILAR_MIN_EVENTS`` events is
    scored by the Pearson correlation of its monthly counts with the target's (whole local months
    of the period only); the best ``limit`` are returned as ``{"area", "r", "events",
    "target_events", "months"}``, best first. ``[]`` when the period holds fewer than three whole
    months or the target's counts do not vary."""
    # the whole months of the period: from the first month that starts in it to the last that ends in it
    months = np.arange(np.datetime64(before[0] - timedelta(days=1), "M") + 1,
                       np.datetime64(before[1] + timedelta(days=1), "M"))
    if len(months) < 3:
        return []
    first, last = months[0].astype("datetime64[D]").item(), (months[-1] + 1).astype("datetime64[D]").item()
    projector = Site.projector()
    target = to_metres(target_polygon, projector)
    ev = load_events(ScanFilter(kind=kind, categories=categories, date_from=first, date_to=last - timedelta(days=1)))
    ev = ev.geocoded()

    def series(inside: np.ndarray) -> np.ndarray:
        return monthly_counts(ev, inside, months)

    t = series(contains(target, ev.x, ev.y))
    if t.std() == 0:
        return []
    scored = []
    for area in Area.objects.filter(type=Area.Type.BEAT).order_by("code"):
        shape = to_metres(area.geometry, projector)
        if shape.intersection(target).area > 1.0:
            continue
        c = series(contains(shape, ev.x, ev.y))
        if c.sum() < SIMILAR_MIN_EVENTS or c.std() == 0:
            continue
        r = float(np.corrcoef(t, c)[0, 1])
        scored.append({"area": area, "r": round(r, 3), "events": int(c.sum()), "target_events": int(t.sum()),
                       "months": len(months)})
    scored.sort(key=lambda row: (-row["r"], -row["events"], row["area"].code))
    return scored[:limit]


_ZONE_FROM = {"polygon": "the problem's polygon", "areas": "chosen areas", "geojson": "a drawn or pasted polygon"}


def parameters_sentence(assessment: Assessment) -> str:
    """What an assessment counted and how, as one sentence (its stored parameters, in words)."""
    p = assessment.parameters or {}
    kind = EVENT_KINDS.get(p.get("kind", assessment.kind), p.get("kind", assessment.kind))
    codes = p.get("categories") or []
    names = dict(OffenseCategory.objects.filter(code__in=codes).values_list("code", "name"))
    what = f"{kind} of {', '.join(names.get(c, c) for c in codes)}" if codes else f"all {kind}"
    periods = p.get("periods") or {}
    # before, then after (PostgreSQL's jsonb keeps a dict's keys in its own order, not the stored one)
    span = "; ".join(f"{name} {periods[name][0]} to {periods[name][1]}" for name in ("before", "after")
                     if name in periods)
    buffer_m = p.get("buffer_m") or 0
    ring_text = f", a {buffer_m:g} m buffer ring around it" if buffer_m else " (no buffer ring)"
    dispersion = p.get("dispersion", 1.0)
    spread = "Poisson counts" if dispersion == 1 else f"counts {dispersion:g} times as variable as Poisson"
    return (
        f"Counted {what} (geocoded events only) in the target ({_ZONE_FROM.get(p.get('target_from'), 'as stored')})"
        f"{ring_text} and the control ({_ZONE_FROM.get(p.get('control_from'), 'as stored')}); {span}, both ends "
        f"included, in the site's time zone; significance level {p.get('alpha', 0.05):g}, {spread}."
    )


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
    projector = Site.projector()
    target = union_of(zones_in["target"].get("areas", []), zones_in["target"].get("polygon"), projector)
    control = union_of(zones_in["control"].get("areas", []), zones_in["control"].get("polygon"), projector)
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
        # The WDQ is a ratio with no sampling distribution; its significance is read from two
        # tests: did the buffer change relative to the control (the same rate-ratio test as the
        # target), and is the effect net of displacement larger than chance (Wheeler & Ratcliffe's
        # weighted displacement difference, on the raw counts).
        result["buffer_change"] = _json(
            stats.before_after(pairs["buffer"], pairs["control"], alpha=data["alpha"], dispersion=data["dispersion"])
        )
        raw = {z: (c["before"], c["after"]) for z, c in counts.items()}
        if sum(raw["target"]) + sum(raw["control"]) + sum(raw["buffer"]) > 0:
            result["wdd"] = _json(stats.wdd(raw["target"], raw["control"], buffer=raw["buffer"], alpha=data["alpha"]))
    result["survey_pulse"] = pulse_of_zones({"target": target, "control": control}, periods, projector)
    parameters = {
        "kind": data["kind"],
        "categories": list(categories),
        "alpha": data["alpha"],
        "dispersion": data["dispersion"],
        "buffer_m": data.get("buffer_m") or 0,
        "periods": {k: [a.isoformat(), b.isoformat()] for k, (a, b) in periods.items()},
        "target_from": data["target_from"],
        "control_from": data["control_from"],
        "methods": {
            "before_after": "copps.analysis.assessment.before_after",
            "wdq": "copps.analysis.assessment.wdq",
            "buffer_change": "copps.analysis.assessment.before_after",
            "wdd": "copps.analysis.assessment.wdd",
        },
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
            target=to_wgs84(target, projector),
            buffer=to_wgs84(buffer, projector) if buffer is not None else None,
            control=to_wgs84(control, projector),
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


def buffer_statement(result: dict, alpha: float = 0.05) -> str:
    """The buffer's change relative to the control, with its interval and p: whether the
    displacement (or diffusion) the WDQ suggests is larger than chance. "" when not computed."""
    bc = result.get("buffer_change")
    return effect_statement(bc, alpha) if bc else ""


def _events(n: float) -> str:
    k = round(abs(n))
    if k == 0:
        return "no difference"
    return f"{k} {'event' if k == 1 else 'events'} {'fewer' if n < 0 else 'more'}"


def net_statement(result: dict, alpha: float = 0.05) -> str:
    """The weighted displacement difference in words (Wheeler & Ratcliffe 2018): events
    prevented in the target and buffer together against the control's trend, with interval and p,
    e.g. "15 events fewer than the control's trend predicts, counting the buffer (95% CI: 42
    events fewer to 12 events more; p = 0.28)".
    """
    w = result.get("wdd")
    if not w:
        return ""
    level = round(100 * (1 - alpha))
    return (
        f"{_events(w['estimate'])} than the control's trend predicts, counting the buffer "
        f"({level}% CI: {_events(w['lower'])} to {_events(w['upper'])}; {p_text(w['p'])})"
    )


def _pulse_value(row: dict, fig: dict) -> str:
    if fig["suppressed"]:
        return f"fewer than the minimum answers (n = {fig['n']}): not shown"
    if row["kind"] == "scale":
        interval = f"{fig['low']:.1f} to {fig['high']:.1f}" if fig["low"] is not None else "no interval"
        return f"{fig['value']:.1f} of 5 (95% CI {interval}; n = {fig['n']})"
    return f"{100 * fig['value']:.0f}% yes (95% CI {100 * fig['low']:.0f}% to {100 * fig['high']:.0f}%; n = {fig['n']})"


def pulse_statement(row: dict, alpha: float = 0.05) -> str:
    """One survey-pulse measure in words: before, after and the tested change, e.g. "Perceived
    safety (mean on the 1–5 scale): 2.9 of 5 (95% CI 2.6 to 3.2; n = 41) before, 3.4 of 5
    (95% CI 3.1 to 3.7; n = 38) after: up 0.5 points (Welch's t-test, p = 0.021)".
    """
    text = (
        f"{row['label']} ({row['measure']}): {_pulse_value(row, row['before'])} before, "
        f"{_pulse_value(row, row['after'])} after"
    )
    if row["test"] is None:
        return text + "; no test (a period has too few answers)"
    change = row["change"]
    if row["kind"] == "scale":
        size = f"{abs(change):.1f} points"
    else:
        size = f"{abs(100 * change):.0f} percentage points"
    moved = "no change" if round(abs(change), 3) == 0 else f"{'up' if change > 0 else 'down'} {size}"
    verdict = "" if row["test"]["p"] < alpha else ", within chance"
    return f"{text}: {moved} ({row['test']['name']}, {p_text(row['test']['p'])}{verdict})"


def pulse_areas(zone: dict) -> str:
    """Which survey areas a zone's pulse rests on, with the share of each inside the zone."""
    return "; ".join(f"{a['type']} {a['code']} ({round(100 * a['share'])}% of it in the zone)" for a in zone["areas"])


def pulse_summary(result: dict, alpha: float = 0.05) -> list[dict]:
    """An assessment's survey pulse for a page or report: per zone, the areas it rests on and one
    statement per measure (``[]`` when the assessment predates the pulse). A zone whose areas hold
    no outcome answers says so instead."""
    pulse = (result or {}).get("survey_pulse")
    if not pulse:
        return []
    out = []
    for zone, z in pulse["zones"].items():
        out.append(
            {
                "zone": zone,
                "areas": pulse_areas(z),
                "lines": [pulse_statement(row, alpha) for row in z["rows"]],
            }
        )
    return out


def wdq_reading(w: dict) -> str:
    """The weighted displacement quotient in words (Bowers & Johnson 2003)."""
    q = w.get("wdq")
    if q is None:
        return "undefined (no success in the target)"
    if (w.get("success_measure") or 0) >= 0:
        return "the target did not improve relative to the control, so the WDQ does not apply"
    if q > 0:
        return "diffusion of benefits to the buffer"
    if q < -1:
        return "displacement larger than the gain"
    if q < 0:
        return "some displacement to the buffer"
    return "no change in the buffer"
