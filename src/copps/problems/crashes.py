"""Crash analysis: the collisions of an area and period by severity, hour of the week, primary
collision factor and corridor, saved to a problem like the other analyses
(:mod:`copps.problems.analyses` registers it as the ``crashes`` kind).

Severity and the primary factor are read from the row as imported (``Event.raw``), in the words
of the source that gave it:

* SWITRS (California): ``COLLISION_SEVERITY`` 1 fatal, 2 severe injury, 3 other visible injury,
  4 complaint of pain, 0 property damage only; ``PCF_VIOL_CATEGORY`` the primary collision factor
  (SWITRS codebook, CHP/TIMS "SWITRS Codebook", collision table);
* Chicago traffic crashes: ``MOST_SEVERE_INJURY`` and ``PRIM_CONTRIBUTORY_CAUSE``;
* NYPD collisions: ``CONTRIBUTING FACTOR VEHICLE 1``; NYPD rows say killed or injured but not how
  badly, so their injuries count as "injury, seriousness not recorded";

any other source falls back on the collision category (fatal, injury, property damage only).
Only the days the collision data covers are counted (``workbench.basis``)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from copps.analysis import temporal
from copps.geo.shapes import contains, to_wgs84, union_of
from copps.incidents.scan_output import peak as peak_line
from copps.incidents.scanning import EventArrays, ScanFilter, load_events
from copps.problems import workbench

__all__ = ["SEVERITIES", "FACTORS_SWITRS", "NOT_STATED", "analyse", "events", "factor_of", "severity_of", "summary"]

#: the severity classes, worst first (KABCO-like: K fatal, A serious, B/C other injury, O none)
SEVERITIES = (
    ("fatal", _("Fatal")),
    ("serious", _("Serious (incapacitating) injury")),
    ("other_injury", _("Other injury")),
    ("injury", _("Injury, seriousness not recorded")),
    ("pdo", _("Property damage only")),
)
SEVERITY_CODES = tuple(code for code, _label in SEVERITIES)
NOT_STATED = "Not stated"

#: SWITRS PCF_VIOL_CATEGORY (primary collision factor violation category), SWITRS codebook
FACTORS_SWITRS = {
    1: "Driving or bicycling under the influence of alcohol or drug",
    2: "Impeding traffic",
    3: "Unsafe speed",
    4: "Following too closely",
    5: "Wrong side of road",
    6: "Improper passing",
    7: "Unsafe lane change",
    8: "Improper turning",
    9: "Automobile right of way",
    10: "Pedestrian right of way",
    11: "Pedestrian violation",
    12: "Traffic signals and signs",
    13: "Hazardous parking",
    14: "Lights",
    15: "Brakes",
    16: "Other equipment",
    17: "Other hazardous violation",
    18: "Other than driver (or pedestrian)",
    21: "Unsafe starting or backing",
    22: "Other improper driving",
    23: "Pedestrian or other under the influence of alcohol or drug",
    24: "Fell asleep",
}
_SWITRS_SEVERITY = {"1": "fatal", "2": "serious", "3": "other_injury", "4": "other_injury", "0": "pdo"}
_CHICAGO_SEVERITY = {
    "FATAL": "fatal",
    "INCAPACITATING INJURY": "serious",
    "NONINCAPACITATING INJURY": "other_injury",
    "REPORTED, NOT EVIDENT": "other_injury",
    "NO INDICATION OF INJURY": "pdo",
}
_BY_CATEGORY = {"collision-fatal": "fatal", "collision-injury": "injury", "collision-pdo": "pdo"}
_UNSTATED = {"", "-", "0", "00", "UNSPECIFIED", "UNABLE TO DETERMINE", "NOT APPLICABLE", "UNKNOWN"}


def severity_of(category: str, raw: dict) -> str:
    """The severity class of one collision ("" when neither the row nor its category says)."""
    value = str(raw.get("COLLISION_SEVERITY", "")).strip()
    if value in _SWITRS_SEVERITY:
        return _SWITRS_SEVERITY[value]
    value = str(raw.get("MOST_SEVERE_INJURY", "")).strip().upper()
    if value in _CHICAGO_SEVERITY:
        return _CHICAGO_SEVERITY[value]
    return _BY_CATEGORY.get(category or "", "")


def _sentence_case(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:].lower() if text.isupper() else text


def factor_of(raw: dict, offense: str = "") -> str:
    """The primary collision factor of one collision, in full words (:data:`NOT_STATED` when the
    row does not say)."""
    if "PCF_VIOL_CATEGORY" in raw:
        value = str(raw["PCF_VIOL_CATEGORY"]).strip()
        if value.isdigit() and int(value) in FACTORS_SWITRS:
            return FACTORS_SWITRS[int(value)]
        return NOT_STATED
    for column in ("PRIM_CONTRIBUTORY_CAUSE", "CONTRIBUTING FACTOR VEHICLE 1"):
        if column in raw:
            value = str(raw[column]).strip()
            return NOT_STATED if value.upper() in _UNSTATED else _sentence_case(value)
    return NOT_STATED if offense.strip().upper() in _UNSTATED else _sentence_case(offense)


def _scope(params: dict):
    """``(ScanFilter area, zone in metres)``: a district or beat named like the dashboard's area
    menu, else the union of the areas and polygon the parameters name (a problem's area), else the
    whole city."""
    from copps.incidents.models import Area, Site

    if params.get("area"):
        return params["area"], None
    areas = list(Area.objects.filter(pk__in=params.get("area_ids") or []))
    polygon = params.get("polygon")
    if not areas and not polygon:
        return None, None
    return None, union_of(areas, polygon, Site.projector())


def events(params: dict) -> EventArrays:
    """The collisions of the parameters' area and dates (with or without coordinates: only the
    corridors need them; inside a drawn zone only those with coordinates can be placed)."""
    area, zone = _scope(params)
    f = ScanFilter(
        kind="collision",
        categories=tuple(params.get("categories") or ()),
        area=area,
        date_from=date.fromisoformat(params["date_from"]),
        date_to=date.fromisoformat(params["date_to"]),
    )
    ev = load_events(f)
    if zone is None:
        return ev
    ev = ev.geocoded()
    keep = contains(zone, ev.x, ev.y)
    return EventArrays(**{k: getattr(ev, k)[keep] for k in ev.__dataclass_fields__})


def _raw_rows(ids: np.ndarray) -> dict[int, tuple[dict, str]]:
    from copps.incidents.models import Event

    out: dict[int, tuple[dict, str]] = {}
    ids = [int(i) for i in ids]
    for lo in range(0, len(ids), 900):
        for pk, raw, offense in Event.objects.filter(pk__in=ids[lo : lo + 900]).values_list("pk", "raw", "offense"):
            out[pk] = (raw if isinstance(raw, dict) else {}, offense or "")
    return out


def _percent(n: int, total: int) -> float:
    return round(100 * n / total, 1) if total else 0.0


def _corridors(ev: EventArrays) -> list[dict]:
    from copps.incidents.models import Site
    from copps.problems.scanning import ScanOptions
    from copps.problems.scanning.corridors import find

    options = ScanOptions()
    projector = Site.projector()
    found = find(ev, options)
    rows = [
        {
            "street": street,
            "collisions": int(c.events),
            "on_street": evidence["on_street"],
            "share_on_street": evidence["share_on_street"],
            "length_m": evidence["length_m"],
            "per_km": evidence["per_km"],
            "max_z": evidence["max_z"],
            "geometry": to_wgs84(c.polygon, projector),
        }
        for street, c, evidence in found
    ]
    return sorted(rows, key=lambda r: (-r["per_km"], r["street"]))


def analyse(ev: EventArrays, params: dict) -> dict:
    """Severity counts, the aoristic hour × weekday profile, the primary factors ranked and the
    corridors ranked by collisions per km, of the collisions on the days the data covers."""
    from copps.problems.analyses import WEEKDAYS

    covered = workbench._covered_days(params)
    on_covered = np.isin(ev.start.astype("datetime64[D]"), covered)
    uncovered = int((~on_covered).sum())
    rows = _raw_rows(ev.ids[on_covered])
    sev = np.array(
        [severity_of(c, rows.get(int(i), ({}, ""))[0]) for i, c in zip(ev.ids, ev.category, strict=True)], dtype=object
    )
    wanted = params.get("severity") or []
    keep = on_covered & (np.isin(sev, wanted) if wanted else True)
    ev = EventArrays(**{k: getattr(ev, k)[keep] for k in ev.__dataclass_fields__})
    sev = sev[keep]
    n = len(ev)
    counts = Counter(sev.tolist())
    with translation.override("en"):  # the stored result reads the same whoever ran it
        severity = [
            {
                "code": code,
                "label": str(label),
                "events": counts.get(code, 0),
                "percent": _percent(counts.get(code, 0), n),
            }
            for code, label in SEVERITIES
        ]
    factors = Counter(factor_of(*rows.get(int(i), ({}, ""))) for i in ev.ids)
    ranked = sorted(((f, k) for f, k in factors.items() if f != NOT_STATED), key=lambda fk: (-fk[1], fk[0]))
    profile = temporal.weekly_profile(ev.start, ev.end) if n else np.zeros((7, 24))
    mappable = ev.mappable()
    placed = EventArrays(**{k: getattr(ev, k)[mappable] for k in ev.__dataclass_fields__})
    corridors = _corridors(placed)
    return {
        "events": n,
        "events_uncovered": uncovered,
        "basis": workbench.basis(params),
        "severity": severity,
        "severity_unknown": int(counts.get("", 0)),
        "factors": [{"factor": f, "events": k, "percent": _percent(k, n)} for f, k in ranked],
        "factor_not_stated": factors.get(NOT_STATED, 0),
        "profile": np.round(profile, 3).tolist(),
        "by_hour": np.round(profile.sum(axis=0), 2).tolist(),
        "peak_text": peak_line("peak hour", profile.ravel(), [f"{d} {h:02d}:00" for d in WEEKDAYS for h in range(24)])
        if n
        else "",
        "time_zone": timezone.get_current_timezone_name(),
        "without_coordinates": int(n - int(mappable.sum())),
        "corridors": corridors,
        "corridor_note": ""
        if corridors
        else (
            "fewer than 30 placed collisions: no corridor test"
            if len(placed) < 30
            else "no cluster of hot cells (Gi*, 95%) along one street"
        ),
        "method": "severity and primary factor from the imported rows; copps.analysis.temporal.weekly_profile "
        "(aoristic); corridors as the candidate scan finds them (Gi* classes >= 95% along one street)",
    }


def summary(result: dict) -> str:
    """The finding in one sentence, for the problem's report."""
    n = result.get("events", 0)
    parts = [f"{s['events']} {str(s['label']).lower()}" for s in result.get("severity") or [] if s["events"]]
    text = f"{n} collisions" + (f" ({', '.join(parts)})" if parts else "")
    factors = result.get("factors") or []
    if factors:
        top = factors[0]
        text += f"; commonest primary factor: {top['factor'].lower()} ({top['percent']:.1f}%)"
    corridors = result.get("corridors") or []
    if corridors:
        c = corridors[0]
        text += f"; worst corridor: {c['street']} ({c['collisions']} collisions, {c['per_km']} per km)"
    if result.get("peak_text"):
        text += f"; {result['peak_text']}"
    return text + "."
