"""The analysis workspace of the dashboard and of every problem: one set of parameters (kind,
categories or crash severity, dates, zone, cell, bandwidth, permutations, layers) turned into the
hot-spot layers (KDE, Gi* classes, emerging hot-spot classes) and the sentence that says what they
rest on. The GeoJSON endpoint, the PNG/PDF exports and the saved "Emerging hot spots" analysis all
read the same parameters through :func:`run`, so what is saved is what was seen.

The emerging classes are computed over steps of equal length counted back from the last day asked
for, only over the latest unbroken run of steps the data covers in full
(``copps.analysis.coverage.covered_steps_back``): a step without data would read as a hot spot
that faded, or a new one."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np

from copps.analysis import coverage as cov
from copps.analysis import hotspots
from copps.geo.cells import grid_cell_features
from copps.geo.shapes import contains, union_of
from copps.incidents import coverage
from copps.incidents.scanning import ScanFilter, load_events
from copps.problems.hotspot_layers import cell_grid, layers
from copps.problems.presenting import EVENT_KINDS

__all__ = [
    "BANDWIDTH",
    "CELL",
    "EMERGING_COLOURS",
    "EMERGING_DEFINITIONS",
    "GI_COLOURS",
    "KDE_RAMP",
    "palette",
    "LAYERS",
    "MIN_STEPS",
    "PERMUTATIONS",
    "SEVERITY",
    "SEVERITY_LABELS",
    "defaults",
    "emerging_layer",
    "parameters_sentence",
    "run",
    "problem_query",
    "step_plan",
    "study_zone",
    "saved_result",
    "summary",
]

#: bounds of the analyst's choices (metres, metres, permutations)
CELL = (50, 1000)
BANDWIDTH = (50, 3000)
PERMUTATIONS = (0, 999)
LAYERS = ("kde", "gistar", "emerging")
#: crash severity: the collision categories each choice keeps (the taxonomy's KABCO-like worst injury)
SEVERITY = {
    "all": (),
    "injury": ("collision-fatal", "collision-injury"),
    "fatal": ("collision-fatal",),
}
#: the fewest whole covered steps an emerging analysis runs on; the step lengths tried, longest first
MIN_STEPS = 6
STEP_CHOICES = (28, 14, 7)
#: steps wanted before a shorter step is tried (a 365-day range gives 13 steps of 28 days)
GOOD_STEPS = 10
TOP_CELLS = 10

#: the colours of the map, the legend (problems.css .swatch.em-N, .kde-N) and the PNG/PDF exports
GI_COLOURS = {3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", -1: "#d1e5f0", -2: "#67a9cf", -3: "#2166ac"}
KDE_RAMP = ("#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")  # ColorBrewer Purples, by fifths of the peak
EMERGING_COLOURS = {
    1: "#ffd92f",
    2: "#fdae61",
    3: "#d7191c",
    4: "#a50026",
    5: "#f46d43",
    6: "#e78ac3",
    7: "#8c510a",
    8: "#969696",
    -1: "#c6dbef",
    -2: "#9ecae1",
    -3: "#08306b",
    -4: "#2171b5",
    -5: "#6baed6",
    -6: "#b3cde3",
    -7: "#35978f",
    -8: "#d9d9d9",
}

#: every emerging class in plain words (Esri, "How Emerging Hot Spot Analysis works"; copps
#: compares the Gi* of each step alone, without time-lag neighbours)
EMERGING_DEFINITIONS = {
    1: "New: a hot spot in the last step only, never before.",
    2: "Consecutive: hot in an unbroken run of the last steps (at least two), never before that run, "
    "and in fewer than 90% of the steps.",
    3: "Intensifying: hot in at least 90% of the steps, the last included, and getting hotter (Mann–Kendall "
    "trend of its Gi* z rising).",
    4: "Persistent: hot in at least 90% of the steps, the last included, with no trend.",
    5: "Diminishing: hot in at least 90% of the steps, the last included, but cooling (trend falling).",
    6: "Sporadic: hot in the last step and on and off before, in fewer than 90% of the steps, never cold.",
    7: "Oscillating: hot in the last step, cold in some earlier step, hot in fewer than 90% of the steps.",
    8: "Historical: hot in at least 90% of the steps but not in the last one.",
}


def palette() -> dict:
    """The colours as the map's script reads them (keys as strings)."""
    return {
        "gistar": {str(k): v for k, v in GI_COLOURS.items()},
        "kde": list(KDE_RAMP),
        "emerging": {str(k): v for k, v in EMERGING_COLOURS.items()},
    }


def defaults(kind: str = "crime") -> dict:
    """The workspace before the analyst changes anything: the last 365 days ending at the data's
    last complete day of ``kind``, the whole city, 150 m cells, 300 m bandwidth, every layer."""
    last = coverage.complete_to(kind) or date.today()
    return {
        "event_kind": kind,
        "categories": [],
        "severity": "all",
        "area_ids": [],
        "polygon": None,
        "date_from": (last - timedelta(days=364)).isoformat(),
        "date_to": last.isoformat(),
        "cell_m": 150,
        "bandwidth_m": 300,
        "permutations": 0,
        "seed": 0,
        "layers": list(LAYERS),
    }


def _categories(params: dict) -> tuple[str, ...]:
    """The categories read: those chosen, narrowed (for collisions) to the chosen severity."""
    chosen = tuple(params.get("categories") or ())
    keep = SEVERITY.get(params.get("severity") or "all", ())
    if params.get("event_kind") != "collision" or not keep:
        return chosen
    return tuple(c for c in chosen if c in keep) if chosen else keep


def study_zone(params: dict):
    """The study area in metres (None: the jurisdiction) and the areas it is made of."""
    from copps.incidents.models import Area, Site

    areas = list(Area.objects.filter(pk__in=params.get("area_ids") or []).order_by("name"))
    areas = [a for a in areas if a.type != Area.Type.CITY]
    polygon = params.get("polygon")
    if not areas and not polygon:
        return None, []
    zone = union_of(areas, polygon, Site.projector())
    if zone is not None and not zone.is_valid:
        zone = zone.buffer(0)  # a self-touching beat outline still bounds its cells
    return zone, areas


def step_plan(kind: str, first: date, last: date) -> dict:
    """The emerging analysis's steps over ``first``..``last``: the longest step length (28, 14 or 7
    days) giving :data:`GOOD_STEPS` whole covered steps (else at least :data:`MIN_STEPS`), counted
    back from ``last``; only the latest unbroken run the data covers in full. ``step_days`` is 0
    when no length gives six."""
    covered = cov.clip(coverage.of(kind), first, last + timedelta(days=1))
    span = (last - first).days + 1
    stop = np.datetime64(last) + np.timedelta64(1, "D")
    found = {s: cov.covered_steps_back(covered, stop, step_days=s, limit=span // s) for s in STEP_CHOICES}
    pick = next((s for s in STEP_CHOICES if found[s] >= GOOD_STEPS), None)
    pick = pick or next((s for s in STEP_CHOICES if found[s] >= MIN_STEPS), 0)
    if not pick:
        return {"step_days": 0, "steps": 0, "uncovered_steps": 0, "starts": [], "ends": []}
    n = found[pick]
    start = stop - np.timedelta64(n * pick, "D")
    starts = [str(start + np.timedelta64(i * pick, "D")) for i in range(n)]
    ends = [str(start + np.timedelta64((i + 1) * pick - 1, "D")) for i in range(n)]
    return {"step_days": pick, "steps": n, "uncovered_steps": span // pick - n, "starts": starts, "ends": ends}


def emerging_layer(x, y, day, plan: dict, projector, outline=None, cell: float = 150.0) -> tuple[list, dict]:
    """The emerging hot-spot class of each cell (``copps.analysis.hotspots.emerging``) as GeoJSON
    features with ``layer`` = ``emerging``, and the summary: counts per class and the top cells."""
    out = {
        "step_days": plan["step_days"],
        "steps": plan["steps"],
        "step_ends": plan["ends"],
        "uncovered_steps": plan["uncovered_steps"],
        "counts": {},
        "top_cells": [],
        "events": 0,
    }
    if plan["steps"] < MIN_STEPS:
        out["note"] = (
            f"the data covers fewer than {MIN_STEPS} whole steps of 7, 14 or 28 days of the range: "
            "no emerging classes (choose a longer range)"
        )
        return [], out
    start = np.datetime64(plan["starts"][0])
    idx = ((np.asarray(day, "datetime64[D]") - start) / np.timedelta64(1, "D")).astype(np.int64) // plan["step_days"]
    keep = (idx >= 0) & (idx < plan["steps"])
    x, y, idx = np.asarray(x, float)[keep], np.asarray(y, float)[keep], idx[keep]
    grids = cell_grid(
        [x[idx == s] for s in range(plan["steps"])], [y[idx == s] for s in range(plan["steps"])], cell, outline
    )
    mask = np.logical_or.reduce([g.mask for g in grids])
    cube = np.stack([g.counts for g in grids])
    em = hotspots.emerging(cube, mask=mask)
    category = np.where(mask, em.category, 0)
    total = cube.sum(axis=0)
    rows, cols = np.nonzero(category != 0)
    props = [
        {
            "layer": "emerging",
            "class": int(category[r, c]),
            "label": hotspots.EMERGING_LABELS[int(category[r, c])],
            "hot_steps": int(em.hot_steps[r, c]),
            "cold_steps": int(em.cold_steps[r, c]),
            "trend_p": float(f"{em.trend_p[r, c]:.3g}") if np.isfinite(em.trend_p[r, c]) else None,
            "events": int(total[r, c]),
        }
        for r, c in zip(rows, cols, strict=True)
    ]
    features = grid_cell_features(grids[0], rows, cols, props, projector)
    counts = Counter(p["label"] for p in props)
    order = sorted(range(len(props)), key=lambda i: (props[i]["class"] <= 0, -props[i]["events"]))
    top = []
    for i in order[:TOP_CELLS]:
        ring = features[i]["geometry"]["coordinates"][0][:4]
        lon, lat = np.mean([p[0] for p in ring]), np.mean([p[1] for p in ring])
        top.append(
            {
                "label": props[i]["label"],
                "events": props[i]["events"],
                "hot_steps": props[i]["hot_steps"],
                "lon": round(float(lon), 4),
                "lat": round(float(lat), 4),
            }
        )
    out |= {"events": int(keep.sum()), "counts": dict(sorted(counts.items())), "top_cells": top}
    return features, out


def run(params: dict) -> dict:
    """The chosen layers of the parameters as one FeatureCollection, with ``parameters``, a
    ``summary`` (events, left out, coverage, each layer's figures) and ``sentence``. Raises
    ``ValueError`` (``GridTooLarge``) when the grid does not fit."""
    from copps.incidents.models import Site

    kind = params["event_kind"]
    first, last = date.fromisoformat(params["date_from"]), date.fromisoformat(params["date_to"])
    zone, areas = study_zone(params)
    single = len(areas) == 1 and not params.get("polygon")
    f = ScanFilter(
        kind=kind,
        categories=_categories(params),
        date_from=first,
        date_to=last,
        area=f"{areas[0].type}:{areas[0].code}" if single else None,
    )
    loaded = load_events(f)
    ev = loaded.geocoded()
    if zone is not None and not single:
        inside = contains(zone, ev.x, ev.y)
        ev = type(ev)(**{k: getattr(ev, k)[inside] for k in ev.__dataclass_fields__})
    projector = Site.projector()
    chosen = params.get("layers") or list(LAYERS)
    out = layers(
        ev.x,
        ev.y,
        projector,
        zone,
        cell=float(params["cell_m"]),
        bandwidth=float(params["bandwidth_m"]),
        permutations=int(params.get("permutations") or 0),
        seed=int(params.get("seed") or 0),
    )
    out["features"] = [feat for feat in out["features"] if feat["properties"]["layer"] in chosen]
    if "emerging" in chosen:
        plan = step_plan(kind, first, last)
        feats, em = emerging_layer(ev.x, ev.y, ev.start, plan, projector, zone, float(params["cell_m"]))
        out["features"] += feats
        out["summary"]["emerging"] = em
    days = cov.days_covered(coverage.of(kind), first, last + timedelta(days=1))
    out["summary"] |= {
        "left_out": loaded.left_out(),
        "left_out_text": loaded.left_out_text(),
        "days_asked": (last - first).days + 1,
        "days_covered": int(days.size),
    }
    out["parameters"] |= {k: v for k, v in params.items() if k != "polygon"} | {"layers": list(chosen)}
    out["parameters"]["area"] = (
        " and ".join(str(a) for a in areas)
        + ((" and " if areas else "") + "a drawn polygon" if params.get("polygon") else "")
        or "the whole city"
    )
    out["sentence"] = parameters_sentence(params, out["summary"], [str(a) for a in areas])
    return out


def _category_names(codes) -> dict:
    from copps.incidents.models import OffenseCategory

    return dict(OffenseCategory.objects.filter(code__in=list(codes)).values_list("code", "name"))


def parameters_sentence(params: dict, summ: dict | None = None, area_names=(), names: dict | None = None) -> str:
    """What the map rests on, e.g. "Collisions (Fatal collision) in Beat 3A from 2025-01-01 to
    2025-12-31 (365 of 365 days covered, America/Los_Angeles); 150 m cells, 300 m bandwidth; 812
    events mapped, 3 left out."."""
    from django.utils import timezone

    kind = params.get("event_kind", "crime")
    cats = _categories(params)
    names = names if names is not None else _category_names(cats)
    what = EVENT_KINDS.get(kind, "events").capitalize()
    text = what + (f" ({', '.join(names.get(c, c) for c in cats)})" if cats else " of every category")
    if kind == "collision" and params.get("severity", "all") != "all":
        text += f", severity: {SEVERITY_LABELS[params['severity']]}"
    where = list(area_names) + (["a drawn polygon"] if params.get("polygon") else [])
    text += f" in {' and '.join(where)}" if where else " in the whole city"
    text += f" from {params['date_from']} to {params['date_to']}"
    if summ and "days_covered" in summ:
        text += f" ({summ['days_covered']} of {summ['days_asked']} days covered by the data"
        text += f", {timezone.get_current_timezone_name()})"
    text += f"; {params.get('cell_m')} m cells, {params.get('bandwidth_m')} m bandwidth"
    if params.get("permutations"):
        text += f", Gi* by {params['permutations']} permutations (seed {params.get('seed', 0)})"
    em = (summ or {}).get("emerging") or {}
    if em.get("steps"):
        text += f", emerging classes over {em['steps']} steps of {em['step_days']} days"
    if summ:
        text += f"; {summ.get('events', 0):,} events mapped"
        left = sum((summ.get("left_out") or {}).values())
        text += f", {left:,} left out" + (f" ({summ['left_out_text']})" if left else "")
    return text + "."


SEVERITY_LABELS = {"all": "all collisions", "injury": "injury or fatal", "fatal": "fatal only"}


def summary(result: dict) -> str:
    """The finding of a saved emerging hot-spot analysis in one sentence."""
    em = (result.get("summary") or {}).get("emerging") or result.get("emerging") or {}
    n = em.get("events", 0)
    if em.get("note"):
        return f"{n} events: {em['note']}."
    counts = em.get("counts") or {}
    if not counts:
        return f"{n} events over {em.get('steps', 0)} steps of {em.get('step_days', 0)} days: no emerging pattern."
    parts = ", ".join(f"{v} {k}{'s' if v != 1 else ''}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{n} events over {em.get('steps', 0)} steps of {em.get('step_days', 0)} days: {parts}."


def saved_result(params: dict) -> dict:
    """What an "Emerging hot spots" analysis keeps: the summary of every layer (counts per
    emerging class, the top cells, Gi* hot and cold cells), the sentence and the method; not the
    cells themselves (the workspace redraws them from the same parameters)."""
    out = run(params)
    s = out["summary"]
    em = s.get("emerging") or {}
    return {
        "events": s.get("events", 0),
        "events_in_study_area": s.get("events_in_study_area", 0),
        "left_out": s.get("left_out") or {},
        "days_asked": s.get("days_asked"),
        "days_covered": s.get("days_covered"),
        "hot_cells": s.get("hot_cells", 0),
        "cold_cells": s.get("cold_cells", 0),
        "hot_99": s.get("hot_99", 0),
        "gistar_note": s.get("gistar_note", ""),  # why no cell is classed, when none is
        "emerging": em,
        "sentence": out["sentence"],
        "method": "copps.analysis.hotspots.emerging (Gi* per step, Mann-Kendall trend) and gistar, kde",
    }


def problem_query(problem) -> str:
    """The dashboard workspace's query string for a problem: bounded by its areas and polygon, its
    categories of the kind most of them are (crime when it has none), the last 365 days of data."""
    from urllib.parse import urlencode

    cats = [(c.code, c.kind) for c in problem.categories.all()]
    kinds = Counter(kind for _, kind in cats if kind in EVENT_KINDS)
    kind = kinds.most_common(1)[0][0] if kinds else "crime"
    pairs = [("kind", kind), ("zone_of", problem.pk)] + [("category", code) for code, k in sorted(cats) if k == kind]
    return "?" + urlencode(pairs)
