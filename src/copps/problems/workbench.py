"""The views analysts expect beside the hour × weekday profile, saved to a problem like the others
(:mod:`copps.problems.analyses` registers them): seasonality by month and week of year, repeat
victimisation at addresses, and the ranking of street segments by events per km.

Each takes the problem's events (``analyses.problem_events``) and the parameters, and returns plain
JSON that says what it rests on (:func:`basis`): the area, the event kind and categories, the period
asked for and the days of it the data covers; no count is set against days the data does not cover.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import shapely
from django.utils import timezone

from copps.analysis import coverage as cov
from copps.analysis import places, temporal
from copps.incidents import coverage
from copps.incidents.scanning import EventArrays
from copps.problems.presenting import EVENT_KINDS

__all__ = [
    "ALPHA",
    "REPEAT_WITHIN",
    "SEGMENT_MIN_M",
    "SNAP_MAX_M",
    "basis",
    "parameters_sentence",
    "repeat_victims",
    "seasonality",
    "segments",
    "summary",
]

#: the level at which the seasonality test calls the profile uneven
ALPHA = 0.05
#: the time-to-repeat shares reported (days)
REPEAT_WITHIN = (7, 30, 90)
#: an event farther than this from every street centreline is not snapped (geocodes at a
#: building's door lie within 30 m of the centre of the street in front of it; farther, the event
#: is in a park, a car park behind a mall or a bad geocode)
SNAP_MAX_M = 50.0
#: a segment shorter than this counts as this long in events per km, so a 10 m stub with one event
#: does not top the list at 100 per km
SEGMENT_MIN_M = 100.0



def _period(params: dict) -> tuple[date, date]:
    return date.fromisoformat(params["date_from"]), date.fromisoformat(params["date_to"])


def basis(params: dict) -> dict:
    """What a result rests on: the period asked for, the days of it the data of the kind covers
    (gaps and the export's partial last day left out), and the time zone days are read in."""
    first, last = _period(params)
    days = cov.days_covered(coverage.of(params["event_kind"]), first, last + timedelta(days=1))
    asked = (last - first).days + 1
    return {
        "date_from": params["date_from"],
        "date_to": params["date_to"],
        "days_asked": asked,
        "days_covered": int(days.size),
        "covered_from": str(days[0]) if days.size else None,
        "covered_to": str(days[-1]) if days.size else None,
        "time_zone": timezone.get_current_timezone_name(),
    }


def _covered_days(params: dict) -> np.ndarray:
    first, last = _period(params)
    return cov.days_covered(coverage.of(params["event_kind"]), first, last + timedelta(days=1))


def _profile(r: temporal.SeasonalityResult) -> dict:
    def num(v):
        return round(float(v), 4) if np.isfinite(v) else None

    return {
        "labels": list(r.labels),
        "counts": r.counts.astype(int).tolist(),
        "days": r.days.astype(int).tolist(),
        "index": [num(v) for v in r.index],
        "chi2": num(r.chi2),
        "df": r.df,
        "p": num(r.p),
        "min_expected": num(r.min_expected),
    }


def seasonality(ev: EventArrays, params: dict) -> dict:
    """Month-of-year and week-of-year profiles of the events on covered days, each with Pearson's
    chi-square test against an even rate per covered day (``copps.analysis.temporal.seasonality``)."""
    covered = _covered_days(params)
    days = ev.start.astype("datetime64[D]")
    on_covered = np.isin(days, covered)
    month = temporal.seasonality(days[on_covered], "month", covered=covered)
    week = temporal.seasonality(days[on_covered], "week", covered=covered)
    years = covered.size / 365.25
    return {
        "events": int(on_covered.sum()),
        "events_uncovered": int((~on_covered).sum()),
        "basis": basis(params),
        "years_covered": round(years, 2),
        "month": _profile(month),
        "week": _profile(week),
        "alpha": ALPHA,
        "method": "copps.analysis.temporal.seasonality (chi-square against covered days)",
    }


def _address_of(ids: np.ndarray) -> dict[int, tuple[str, bool]]:
    """``{event id: (address as the source gave it, sensitive)}``, read in chunks."""
    from copps.incidents.models import Event

    out: dict[int, tuple[str, bool]] = {}
    ids = [int(i) for i in ids]
    for lo in range(0, len(ids), 900):
        for pk, address, sensitive in Event.objects.filter(pk__in=ids[lo : lo + 900]).values_list(
            "pk", "address", "sensitive"
        ):
            out[pk] = (" ".join(address.upper().split()), sensitive)
    return out


def repeat_victims(ev: EventArrays, params: dict) -> dict:
    """Addresses hit more than once in the period (the address as the source gave it, else the
    hundred block), with the time between consecutive events at the same address. Staff only:
    ``sensitive_event_ids`` are the sensitive events at the addresses listed, which every read of
    the result audits."""
    covered = _covered_days(params)
    day = ev.start.astype("datetime64[D]")
    keep = np.isin(day, covered)
    ids, day = ev.ids[keep], day[keep]
    found = _address_of(ids)
    address = np.array([found.get(int(i), ("", False))[0] for i in ids], dtype=object)
    sensitive = np.array([found.get(int(i), ("", False))[1] for i in ids], dtype=bool)
    block = ev.place[keep]
    place = np.where(address != "", address, block)
    named = place != ""
    out = {
        "events": int(keep.sum()),
        "events_without_address": int((~named).sum()),
        "basis": basis(params),
        "method": "copps.analysis.places.repeats by address (Farrell & Pease)",
    }
    if not named.any():
        return out | {
            "addresses": 0,
            "repeat_addresses": 0,
            "repeats": 0,
            "rows": [],
            "within": {},
            "sensitive_event_ids": [],
        }
    t = (day[named] - day[named].min()).astype(int).astype(float)
    r = places.repeats(place[named], t)
    gaps = r.time_to_repeat
    within = {str(d): round(float((gaps <= d).mean()), 4) if gaps.size else None for d in REPEAT_WITHIN}
    counts = r.counts
    order = [i for i in np.argsort(-counts, kind="stable") if counts[i] > 1][: params["top"]]
    rows, listed = [], []
    inverse = np.searchsorted(r.places, place[named])
    for i in order:
        at = np.flatnonzero(inverse == i)
        tt = np.sort(t[at])
        rows.append(
            {
                "address": str(r.places[i]),
                "events": int(counts[i]),
                "first": str(day[named][at].min()),
                "last": str(day[named][at].max()),
                "median_days_between": round(float(np.median(np.diff(tt))), 1),
            }
        )
        listed += [int(v) for v in ids[named][at][sensitive[named][at]]]
    return out | {
        "addresses": int(r.places.size),
        "repeat_addresses": int((counts > 1).sum()),
        "repeats": int(r.is_repeat.sum()),
        "repeat_share": round(float(r.repeat_share), 4),
        "within": within,
        "median_days_to_repeat": round(float(np.median(gaps)), 1) if gaps.size else None,
        "rows": rows,
        "sensitive_event_ids": sorted(listed),
    }


def _street_segments(lon: np.ndarray, lat: np.ndarray, margin: float = 0.002):
    """The stored centreline segments around the points: ``(street, name, coords, lo, hi)``."""
    from copps.geo.gazetteer.models import StreetSegment

    if not lon.size:
        return []
    rows = StreetSegment.objects.filter(
        max_lon__gte=float(lon.min()) - margin,
        min_lon__lte=float(lon.max()) + margin,
        max_lat__gte=float(lat.min()) - margin,
        min_lat__lte=float(lat.max()) + margin,
    ).values_list("street", "name", "coords", "left_from", "left_to", "right_from", "right_to")
    out = []
    for street, name, coords, *numbers in rows.iterator(chunk_size=5000):
        if not coords or len(coords) < 2:
            continue  # not a line: nothing to snap to
        known = [n for n in numbers if n is not None]
        out.append((street, name or street, coords, min(known) if known else None, max(known) if known else None))
    return out


def segments(ev: EventArrays, params: dict) -> dict:
    """Events snapped to the nearest street centreline segment within :data:`SNAP_MAX_M`, and the
    segments ranked by events per km (length floored at :data:`SEGMENT_MIN_M`)."""
    from copps.incidents.models import Site

    covered = _covered_days(params)
    keep = np.isin(ev.start.astype("datetime64[D]"), covered)
    x, y, lon, lat = ev.x[keep], ev.y[keep], ev.lon[keep], ev.lat[keep]
    out = {
        "events": int(keep.sum()),
        "basis": basis(params),
        "snap_max_m": params.get("snap_max_m", SNAP_MAX_M),
        "segment_min_m": SEGMENT_MIN_M,
        "method": "nearest street centreline (shapely STRtree), events per km",
    }
    found = _street_segments(lon, lat)
    if not found:
        return out | {
            "note": "no street centrelines loaded near the area (copps geocode load-streets)",
            "segments": 0,
            "snapped": 0,
            "too_far": int(keep.sum()),
            "rows": [],
        }
    projector = Site.projector()
    lines = []
    for _, _, coords, _, _ in found:
        c = np.asarray(coords, float)
        sx, sy = projector.forward(c[:, 0], c[:, 1])
        lines.append(shapely.linestrings(np.column_stack([sx, sy])))
    tree = shapely.STRtree(lines)
    pts = shapely.points(x, y)
    (which, seg), _ = tree.query_nearest(pts, max_distance=out["snap_max_m"], return_distance=True, all_matches=False)
    # all_matches=False keeps one segment per event even at a crossing (ties go to the first found)
    counts = np.bincount(seg, minlength=len(lines))
    length = shapely.length(np.asarray(lines))
    per_km = counts / (np.maximum(length, SEGMENT_MIN_M) / 1000)
    order = [i for i in np.argsort(-per_km, kind="stable") if counts[i] > 0][: params["top"]]
    rows = []
    for i in order:
        street, name, _, lo, hi = found[i]
        rows.append(
            {
                "street": name,
                "block_range": f"{lo}–{hi}" if lo is not None else "",
                "events": int(counts[i]),
                "length_m": round(float(length[i])),
                "per_km": round(float(per_km[i]), 1),
            }
        )
    return out | {
        "segments": int((counts > 0).sum()),
        "snapped": int(np.unique(which).size),
        "too_far": int(keep.sum()) - int(np.unique(which).size),
        "rows": rows,
    }


def _verdict(profile: dict, alpha: float) -> str:
    p = profile.get("p")
    if p is None:
        return "not tested (fewer than two months or weeks with data)"
    if p <= alpha:
        return f"uneven (chi-square {profile['chi2']:.1f} on {profile['df']} df, p = {p:.3g})"
    return f"no evidence of a season (chi-square {profile['chi2']:.1f} on {profile['df']} df, p = {p:.3g})"


def summary(kind: str, result: dict) -> str:
    """The finding of one of these analyses in a sentence."""
    n = result.get("events", 0)
    if kind == "seasonality":
        month, alpha = result.get("month") or {}, result.get("alpha", ALPHA)
        years = result.get("years_covered", 0)
        text = f"{n} events over {years} years of covered days; by month: {_verdict(month, alpha)}"
        if month.get("p") is not None and month["p"] <= alpha and month.get("index"):
            top = max(range(12), key=lambda i: month["index"][i] or 0)
            text += f", highest in {month['labels'][top]} ({month['index'][top]:.2f} times the average daily rate)"
        return text + f"; by week of year: {_verdict(result.get('week') or {}, alpha)}."
    if kind == "repeat_victims":
        w = result.get("within") or {}
        shares = ", ".join(f"{round(100 * v)}% within {d} days" for d, v in w.items() if v is not None)
        return (
            f"{n} events at {result.get('addresses', 0)} addresses; {result.get('repeat_addresses', 0)} "
            f"addresses were hit more than once ({result.get('repeats', 0)} repeats)"
            + (f"; of the repeats, {shares}." if shares else ".")
        )
    if kind == "segments":
        if result.get("note"):
            return f"{n} events: {result['note']}."
        rows = result.get("rows") or []
        top = "; ".join(f"{r['street']} {r['block_range']} ({r['per_km']} per km)".replace("  ", " ") for r in rows[:3])
        return (
            f"{result.get('snapped', 0)} of {n} events on {result.get('segments', 0)} street segments "
            f"({result.get('too_far', 0)} farther than {result.get('snap_max_m', SNAP_MAX_M):g} m from any); "
            f"most per km: {top or 'none'}."
        )
    return f"{n} events."


def parameters_sentence(kind: str, params: dict, category_names: dict | None = None, area_names=()) -> str:
    """A saved analysis's parameters as people read them, e.g. "Crimes (Burglary) from 2024-01-01
    to 2024-12-31 in Beat 3A and a drawn polygon; the 15 busiest listed."."""
    names = category_names or {}
    what = EVENT_KINDS.get(params.get("event_kind", ""), "events").capitalize()
    cats = [names.get(c, c) for c in params.get("categories") or []]
    if kind == "crashes":
        from copps.problems.crashes import SEVERITIES

        labels = dict(SEVERITIES)
        cats += [str(labels.get(s, s)).lower() for s in params.get("severity") or []]
        text = what + (f" ({', '.join(cats)})" if cats else " of every severity")
    else:
        text = what + (f" ({', '.join(cats)})" if cats else " of every category")
    if params.get("date_from") and params.get("date_to"):
        text += f" from {params['date_from']} to {params['date_to']}"
    where = list(area_names) + (["a drawn polygon"] if params.get("polygon") else [])
    everywhere = " in the whole city" if kind in ("crashes", "emerging") else " in the problem's area"
    text += f" in {' and '.join(where)}" if where else everywhere
    extra = []
    if kind in ("places", "repeat_victims", "segments") and params.get("top"):
        extra.append(f"the {params['top']} busiest listed")
    if kind == "segments":
        extra.append(f"events snapped to a street within {params.get('snap_max_m', SNAP_MAX_M):g} m")
    if kind == "near_repeat" and params.get("distance_bands"):
        d, t = params["distance_bands"], params.get("time_bands") or []
        extra.append(
            f"distance bands of {d[1] - d[0]:g} m and time bands of {t[1] - t[0]:g} days"
            if len(t) > 1
            else f"distance bands of {d[1] - d[0]:g} m"
        )
        extra.append(f"{params.get('permutations')} permutations (seed {params.get('seed', 0)})")
    if kind == "trend" and params.get("step_days"):
        extra.append(f"steps of {params['step_days']} days")
    if kind == "crashes":
        extra.append("corridors as the candidate scan finds them (Gi* hot cells at 95% along one street)")
    if kind == "seasonality":
        extra.append(f"tested at {ALPHA:g} against the days the data covers")
    if kind == "emerging":
        if params.get("event_kind") == "collision" and params.get("severity", "all") != "all":
            extra.append(f"severity: {'fatal only' if params['severity'] == 'fatal' else 'injury or fatal'}")
        extra.append(f"{params.get('cell_m')} m cells and a {params.get('bandwidth_m')} m bandwidth")
        if params.get("permutations"):
            extra.append(f"Gi* by {params['permutations']} permutations (seed {params.get('seed', 0)})")
    return text + ("; " + ", ".join(extra) if extra else "") + "."
