"""Analyses an analyst runs on a problem's area and categories — the hour × weekday profile,
risky places, near repeats (Knox) and the trend with alerts — each computed with
``copps.analysis`` and kept as a :class:`SavedAnalysis` with every parameter it needs, so that a
re-run reads the same events and gives the same result (dates are fixed, randomness is seeded)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from copps.analysis import alerts, near_repeat, places, temporal, trend
from copps.analysis import coverage as cov
from copps.geo.shapes import GeometryError, contains, union_of
from copps.incidents import coverage
from copps.incidents.scan_output import peak as peak_line
from copps.incidents.scan_output import without_time_of_day
from copps.incidents.scanning import EventArrays, ScanFilter, load_events
from copps.problems import crashes, hotspot_workspace, presenting, workbench
from copps.problems.models import Problem, SavedAnalysis
from copps.problems.scanning.base import latest_day

__all__ = [
    "KINDS", "WEEKDAYS", "BANDS", "DEFAULTS", "DEFAULT_DAYS", "default_parameters", "with_choices", "unrunnable",
    "problem_events", "run", "save", "summary",
]

#: how many distance and time bands the near-repeat table has (the Near Repeat Calculator's layout)
BANDS = 4
#: the settings an analyst may change, at their defaults (the run form shows them as placeholders)
DEFAULTS = {"top": 15, "band_m": 100, "band_days": 7, "permutations": 99, "step_days": 7}

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
K = SavedAnalysis.Kind


#: days read by default where a year is too short (a season needs several years to recur in)
DEFAULT_DAYS = {K.SEASONALITY: 3 * 365}


def default_parameters(problem: Problem, kind: str, event_kind: str = "crime", days: int | None = None) -> dict:
    """Everything a run needs, resolved now: dates are fixed so a re-run reads the same events."""
    if kind == K.CRASHES:  # collisions of every severity, whatever the problem's offence categories
        event_kind = "collision"
    days = days or DEFAULT_DAYS.get(kind, 365)
    today = latest_day(event_kind) or date.today()
    params = {
        "event_kind": event_kind,
        "categories": sorted(problem.categories.values_list("code", flat=True)),
        "area_ids": sorted(problem.areas.values_list("pk", flat=True)),
        "polygon": problem.polygon,
        "date_from": (today - timedelta(days=days - 1)).isoformat(),
        "date_to": today.isoformat(),
    }
    return with_choices(params | _fixed(kind), kind, DEFAULTS)


def _fixed(kind: str) -> dict:
    """The settings of ``kind`` the analyst does not choose."""
    if kind == K.NEAR_REPEAT:
        return {"seed": 0, "metric": "manhattan"}
    if kind == K.TREND:
        return {"alert_baseline": alerts.DEFAULT_BASELINE, "false_alarm": 0.01}
    if kind == K.CRASHES:
        return {"event_kind": "collision", "categories": [], "severity": []}
    if kind == K.EMERGING:  # the workspace's settings at their defaults (the dashboard chooses others)
        chosen = hotspot_workspace.defaults()
        return {k: chosen[k] for k in ("severity", "cell_m", "bandwidth_m", "permutations", "seed", "layers")}
    if kind in (K.REPEAT_VICTIMS, K.SEGMENTS):
        return {"top": DEFAULTS["top"]} | ({"snap_max_m": workbench.SNAP_MAX_M} if kind == K.SEGMENTS else {})
    return {}


def with_choices(params: dict, kind: str, chosen: dict) -> dict:
    """``params`` with what the analyst chose on the form (``AnalysisRunForm.cleaned_data``):
    the period for every analysis, and each analysis's own settings; blanks keep the defaults."""
    params = dict(params)
    if chosen.get("date_from"):
        params["date_from"] = chosen["date_from"].isoformat()
    if chosen.get("date_to"):
        params["date_to"] = chosen["date_to"].isoformat()
    if kind in (K.PLACES, K.REPEAT_VICTIMS, K.SEGMENTS) and chosen.get("top"):
        params["top"] = chosen["top"]
    elif kind == K.NEAR_REPEAT:
        if chosen.get("band_m"):
            params["distance_bands"] = [i * chosen["band_m"] for i in range(BANDS + 1)]
        if chosen.get("band_days"):
            params["time_bands"] = [i * chosen["band_days"] for i in range(BANDS + 1)]
        if chosen.get("permutations"):
            params["permutations"] = chosen["permutations"]
    elif kind == K.TREND and chosen.get("step_days"):
        params["step_days"] = chosen["step_days"]
    return params


def unrunnable(kind: str, params: dict) -> str:
    """Why ``kind`` cannot run with ``params``, for the analyst; "" when it can."""
    if kind != K.TREND:
        return ""
    span = (date.fromisoformat(params["date_to"]) - date.fromisoformat(params["date_from"])).days + 1
    steps, need = span // params["step_days"], params["alert_baseline"] + 2
    if steps >= need:
        return ""
    return (f"Trend: {span} days make {steps} steps of {params['step_days']} days; the alerts need at least "
            f"{need}. Choose a longer period or shorter steps.")


def problem_events(params: dict) -> EventArrays:
    """Geocoded events of the parameters' kind, categories and dates inside the problem's area."""
    from copps.incidents.models import Area, Site

    areas = list(Area.objects.filter(pk__in=params["area_ids"]))
    polygon = params.get("polygon")
    zone = union_of(areas, polygon, Site.projector()) if areas or polygon else None
    if zone is None:
        raise GeometryError("the problem has no area: choose areas or draw a polygon first")
    f = ScanFilter(
        kind=params["event_kind"],
        categories=tuple(params["categories"]),
        date_from=date.fromisoformat(params["date_from"]),
        date_to=date.fromisoformat(params["date_to"]),
    )
    ev = load_events(f).geocoded()
    keep = contains(zone, ev.x, ev.y)
    return EventArrays(**{k: getattr(ev, k)[keep] for k in ev.__dataclass_fields__})


def _num(v) -> float | None:
    v = float(v)
    return round(v, 4) if np.isfinite(v) else None


def _temporal(ev: EventArrays, params: dict) -> dict:
    profile = temporal.weekly_profile(ev.start, ev.end)
    peak = np.unravel_index(int(np.argmax(profile)), profile.shape) if len(ev) else (0, 0)
    dateless = without_time_of_day(ev.start, ev.end)
    if len(ev) and dateless.all():
        peak_text = "no peak hour: these events carry no time of day; " + peak_line(
            "busiest weekday", profile.sum(axis=1), WEEKDAYS
        )
    else:  # a tie is said as a tie, never one cell of it called "the peak"
        peak_text = peak_line("peak hour", profile.ravel(), [f"{d} {h:02d}:00" for d in WEEKDAYS for h in range(24)])
    return {
        "peak_text": peak_text,
        "time_zone": timezone.get_current_timezone_name(),
        "events": len(ev),
        "profile": np.round(profile, 3).tolist(),
        "by_hour": np.round(profile.sum(axis=0), 2).tolist(),
        "by_weekday": np.round(profile.sum(axis=1), 2).tolist(),
        "peak": {"weekday": WEEKDAYS[int(peak[0])], "hour": int(peak[1])},
        "method": "copps.analysis.temporal.weekly_profile (aoristic)",
    }


def _places(ev: EventArrays, params: dict) -> dict:
    named = ev.place != ""
    ids, counts = np.unique(ev.place[named], return_counts=True)
    rep = (
        places.repeats(ev.place[named], ev.start[named].astype("datetime64[D]").astype(np.int64))
        if named.any()
        else None
    )
    conc = places.concentration(counts) if counts.size else None
    order = np.argsort(-counts, kind="stable")[: params["top"]]
    return {
        "events": len(ev),
        "places": int(counts.size),
        "rows": [{"place": str(ids[i]), "events": int(counts[i])} for i in order],
        "gini": _num(conc.gini) if conc else None,
        "top_20pct_share": _num(conc.top_shares.get(0.2, np.nan)) if conc else None,
        "repeat_share": _num(rep.repeat_share) if rep else None,
        "method": "copps.analysis.places.concentration and repeats, by hundred block or intersection",
    }


def _near_repeat(ev: EventArrays, params: dict) -> dict:
    if len(ev) < 3:
        return {"events": len(ev), "note": "fewer than three events: no Knox test"}
    t = (ev.start - ev.start.min()) / np.timedelta64(1, "D")
    r = near_repeat.knox(
        ev.x,
        ev.y,
        t.astype(float),
        params["distance_bands"],
        params["time_bands"],
        permutations=params["permutations"],
        seed=params["seed"],
        metric=params["metric"],
    )
    return {
        "events": len(ev),
        "pairs": int(r.pairs),
        "distance_labels": list(r.distance_labels),
        "time_labels": list(r.time_labels),
        "observed": r.observed.astype(int).tolist(),
        "ratio": [[_num(v) for v in row] for row in r.ratio],
        "p": [[_num(v) for v in row] for row in r.p],
        "permutations": int(r.permutations),
        "method": "copps.analysis.near_repeat.knox (Near Repeat Calculator table)",
    }


def _trend(ev: EventArrays, params: dict) -> dict:
    first, last = date.fromisoformat(params["date_from"]), date.fromisoformat(params["date_to"])
    step = params["step_days"]
    steps = ((last - first).days + 1) // step
    start = np.datetime64(last) + np.timedelta64(1, "D") - np.timedelta64(steps * step, "D")
    # only the latest run of steps the data covers in full: a step without data would read as a
    # fall (and the steps after it as a rise)
    covered = cov.clip(coverage.of(params["event_kind"]), first, last + timedelta(days=1))
    stop = start + np.timedelta64(steps * step, "D")  # the day after ``last``
    whole = steps - cov.covered_steps_back(covered, stop, step_days=step, limit=steps)
    uncovered, start, steps = whole, start + np.timedelta64(whole * step, "D"), steps - whole
    idx = ((ev.start.astype("datetime64[D]") - start) / np.timedelta64(1, "D")).astype(np.int64) // step
    idx = idx[(idx >= 0) & (idx < steps)]
    series = np.bincount(idx, minlength=steps).astype(float)
    if steps < 2:
        return {
            "events": int(series.sum()),
            "step_ends": [],
            "counts": [],
            "uncovered_steps": uncovered,
            "mann_kendall": {"tau": None, "z": None, "p": None, "s": None},
            "direction": "not tested: the data covers fewer than two whole steps of the period",
            "alerts": [],
            "method": "copps.analysis.trend.mann_kendall and copps.analysis.alerts.detect (Poisson)",
        }
    mk = trend.mann_kendall(series)
    al = alerts.detect(
        series[None, :], method="poisson", false_alarm=params["false_alarm"], baseline=params["alert_baseline"]
    )
    ends = [(start + np.timedelta64((i + 1) * step - 1, "D")).astype(str) for i in range(steps)]
    return {
        "events": int(series.sum()),
        "step_ends": ends,
        "counts": series.astype(int).tolist(),
        "uncovered_steps": uncovered,  # earliest steps left out: the data does not cover them in full
        "mann_kendall": {"tau": _num(mk.tau), "z": _num(mk.z), "p": _num(mk.p), "s": _num(mk.s)},
        "direction": "rising" if mk.p <= 0.05 and mk.s > 0 else "falling" if mk.p <= 0.05 and mk.s < 0 else "no trend",
        "alerts": [
            {"step_end": ends[i], "count": int(series[i]), "limit": int(al.limit[0, i])}
            for i in np.nonzero(al.alert[0])[0]
        ],
        "method": "copps.analysis.trend.mann_kendall and copps.analysis.alerts.detect (Poisson)",
    }


KINDS = {
    K.TEMPORAL: _temporal,
    K.PLACES: _places,
    K.NEAR_REPEAT: _near_repeat,
    K.TREND: _trend,
    K.SEASONALITY: workbench.seasonality,
    K.REPEAT_VICTIMS: workbench.repeat_victims,
    K.SEGMENTS: workbench.segments,
    K.CRASHES: crashes.analyse,
    K.EMERGING: None,  # runs on the workspace's own zone and grid: see run()
}
#: where a kind reads its events other than the problem's area (``problem_events``)
LOADERS = {K.CRASHES: crashes.events}
TITLES = {
    K.TEMPORAL: "Hour × weekday profile",
    K.PLACES: "Risky places",
    K.NEAR_REPEAT: "Near repeats (Knox)",
    K.TREND: "Trend and alerts",
    K.SEASONALITY: "Seasonality by month and week of year",
    K.REPEAT_VICTIMS: "Repeat victimisation at addresses",
    K.SEGMENTS: "Street segments by events per km",
    K.CRASHES: "Crash analysis",
    K.EMERGING: "Emerging hot spots",
}


def run(kind: str, params: dict) -> dict:
    """The result of analysis ``kind`` with ``params`` (plain JSON)."""
    if kind == K.EMERGING:
        return hotspot_workspace.saved_result(params)
    return KINDS[kind](LOADERS.get(kind, problem_events)(params), params)


def save(problem: Problem, kind: str, params: dict, user, rerun_of: SavedAnalysis | None = None) -> SavedAnalysis:
    result = run(kind, params)
    title = TITLES[kind] + (f" (re-run of #{rerun_of.pk})" if rerun_of else "")
    with transaction.atomic():
        return SavedAnalysis.objects.create(
            problem=problem, kind=kind, title=title, parameters=params, result=result, created_by=user
        )


def summary(kind: str, result: dict) -> str:
    """The finding of a saved analysis in one sentence, for the problem's report."""
    n = result.get("events", 0)
    if kind in (K.SEASONALITY, K.REPEAT_VICTIMS, K.SEGMENTS):
        return workbench.summary(kind, result)
    if kind == K.CRASHES:
        return crashes.summary(result)
    if kind == K.EMERGING:
        return hotspot_workspace.summary(result)
    if result.get("note"):
        return f"{n} events: {result['note']}."
    if kind == K.TEMPORAL:
        if result.get("peak_text"):
            return f"{n} events; {result['peak_text']} ({result.get('time_zone', 'local time')})."
        peak = result.get("peak") or {}
        return f"{n} events; the busiest hour of the week is {peak.get('weekday')} {peak.get('hour', 0):02d}:00."
    if kind == K.PLACES:
        rows = result.get("rows") or []
        top = ", ".join(f"{r['place']} ({r['events']})" for r in rows[:3])
        share = result.get("top_20pct_share")
        share_text = f"; the busiest 20% of places had {round(100 * share)}% of the events" if share is not None else ""
        return f"{n} events at {result.get('places', 0)} places{share_text}. Most: {top or 'none named'}."
    if kind == K.NEAR_REPEAT:
        hits = [
            (result["distance_labels"][i], result["time_labels"][j], ratio)
            for i, row in enumerate(result.get("ratio") or [])
            for j, ratio in enumerate(row)
            if ratio is not None and ratio > 1 and result["p"][i][j] is not None and result["p"][i][j] <= 0.05
        ]
        if not hits:
            return f"{n} events, {result.get('pairs', 0)} pairs: no near-repeat band above chance (p ≤ 0.05)."
        d, t, ratio = max(hits, key=lambda h: h[2])
        d, t = presenting.band_label(d), presenting.band_label(t)
        return (f"{n} events: {len(hits)} near-repeat band{'s' if len(hits) != 1 else ''} above chance (p ≤ 0.05); "
                f"the strongest, {d} and {t}, has {ratio:.1f} times the expected pairs.")
    if kind == K.TREND:
        mk = result.get("mann_kendall") or {}
        alerts_n = len(result.get("alerts") or [])
        p = mk.get("p")
        p_part = f" (Mann-Kendall tau {mk.get('tau', 0):.2f}, p = {p:.3f})" if p is not None else ""
        plural = "s" if alerts_n != 1 else ""
        return f"{n} events: {result.get('direction', 'no trend')}{p_part}; {alerts_n} alert{plural}."
    return f"{n} events."
