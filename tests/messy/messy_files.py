"""Generated exports that plant, one at a time, the defects real city files carry.

Each case is a small city (an 8 km square near Denver unless told otherwise) with a planted hot
spot, written as a CSV with a TOML profile, plus the defect: null-island rows, rows geocoded to
another state or continent, another time zone, a partial year with no prior year, dates without
times, or a few hundred sparse events. ``write_case`` returns the paths and what was planted.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

__all__ = ["Case", "CASES", "write_case"]

# The city: a square of side 8 km around this centre (degrees per metre at 39.75 N).
CENTRE = (-104.95, 39.75)
HALF_SIDE_M = 4000.0
M_PER_DEG_LAT = 111_000.0


def _m_per_deg_lon(lat: float) -> float:
    return M_PER_DEG_LAT * float(np.cos(np.radians(lat)))


@dataclass(frozen=True)
class Case:
    name: str
    events: int = 600
    start: date = date(2023, 1, 1)
    end: date = date(2024, 12, 31)
    zone: str = "America/Denver"
    kind: str = "crime"
    date_only: bool = False
    strays: tuple[tuple[float, float], ...] = ()  # (lat, lon) rows far from the city
    centre: tuple[float, float] = CENTRE
    notes: str = ""
    expected: dict = field(default_factory=dict)


NULL_ISLAND = ((1e-06, -2e-06), (0.0, 0.0), (-3e-06, 4e-06))
OTHER_STATE = ((33.45, -112.07), (36.17, -115.14))  # Phoenix, Las Vegas
OTHER_CONTINENT = ((14.60, 120.98),)  # Manila

CASES = {
    c.name: c
    for c in [
        Case("null-island", strays=NULL_ISLAND, notes="three rows at or next to 0,0"),
        Case("other-state", strays=OTHER_STATE, notes="two rows geocoded to other states"),
        Case("other-continent", strays=OTHER_CONTINENT + NULL_ISLAND[:1], notes="a crash geocoded to Manila"),
        Case(
            "east-coast-partial-year",
            start=date(2024, 1, 1),
            end=date(2024, 8, 31),
            zone="America/New_York",
            centre=(-84.51, 39.10),
            notes="January to August of one year, New York time, no prior year",
        ),
        Case("date-only", date_only=True, notes="dates without a time of day"),
        Case("sparse-collisions", events=400, kind="collision", notes="a few hundred collisions over a city"),
    ]
}

PROFILE = """
[profile]
kind = "{kind}"
timezone = "{zone}"

[columns]
id = "ID"
occurred_from = "OCCURRED"
offense = "OFFENSE"
address = "ADDRESS"
lat = "LAT"
lon = "LON"

[formats]
datetime = "{fmt}"

[categories]
default = "{default}"
map = {{ "BURGLARY" = "burglary", "THEFT FROM VEHICLE" = "theft-from-vehicle", "VANDALISM" = "vandalism" }}
"""

OFFENSES = ("BURGLARY", "THEFT FROM VEHICLE", "VANDALISM")


def city_polygon(case: Case) -> dict:
    """The city limits of the case as a GeoJSON FeatureCollection (one feature)."""
    lon0, lat0 = case.centre
    dlat = HALF_SIDE_M / M_PER_DEG_LAT
    dlon = HALF_SIDE_M / _m_per_deg_lon(lat0)
    ring = [
        [lon0 - dlon, lat0 - dlat],
        [lon0 + dlon, lat0 - dlat],
        [lon0 + dlon, lat0 + dlat],
        [lon0 - dlon, lat0 + dlat],
        [lon0 - dlon, lat0 - dlat],
    ]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"NAME": "Testville", "CODE": "TV"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }


def write_case(case: Case, out: Path, seed: int = 11) -> dict:
    """Write ``case`` as ``<name>.csv``, ``<name>.toml`` and ``<name>-city.geojson`` under ``out``.

    Returns the paths and the planted truth: the hot spot's centre, the stray rows' ids, and the
    local (naive) times written for each id.
    """
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    lon0, lat0 = case.centre
    mlon = _m_per_deg_lon(lat0)
    n = case.events
    # a quarter of the events in a 200 m hot spot north-east of the centre, the rest spread evenly
    hot = rng.random(n) < 0.25
    dx = np.where(hot, 1500 + rng.normal(0, 80, n), rng.uniform(-HALF_SIDE_M * 0.95, HALF_SIDE_M * 0.95, n))
    dy = np.where(hot, 1500 + rng.normal(0, 80, n), rng.uniform(-HALF_SIDE_M * 0.95, HALF_SIDE_M * 0.95, n))
    lat = lat0 + dy / M_PER_DEG_LAT
    lon = lon0 + dx / mlon
    days = (case.end - case.start).days + 1
    day = rng.integers(0, days, n)
    minute = rng.integers(0, 24 * 60, n)
    local = [
        datetime.combine(case.start + timedelta(days=int(d)), datetime.min.time()) + timedelta(minutes=int(m))
        for d, m in zip(day, minute, strict=True)
    ]
    fmt = "%Y-%m-%d" if case.date_only else "%Y-%m-%d %H:%M"
    rows = []
    times = {}
    for i in range(n):
        sid = f"E{i:05d}"
        times[sid] = local[i]
        block = 100 * int(rng.integers(1, 60))
        rows.append(
            [sid, local[i].strftime(fmt), OFFENSES[i % 3], f"{block} MAIN ST", f"{lat[i]:.6f}", f"{lon[i]:.6f}"]
        )
    stray_ids = []
    for j, (la, lo) in enumerate(case.strays):
        sid = f"S{j:03d}"
        stray_ids.append(sid)
        when = datetime.combine(case.start + timedelta(days=3 + j), datetime.min.time()) + timedelta(hours=10)
        times[sid] = when
        rows.append([sid, when.strftime(fmt), "BURGLARY", "1 NOWHERE RD", f"{la:.6f}", f"{lo:.6f}"])
    csv_path = out / f"{case.name}.csv"
    with csv_path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ID", "OCCURRED", "OFFENSE", "ADDRESS", "LAT", "LON"])
        writer.writerows(rows)
    default = "collision-pdo" if case.kind == "collision" else "other-crime"
    profile = out / f"{case.name}.toml"
    profile.write_text(PROFILE.format(kind=case.kind, zone=case.zone, fmt=fmt, default=default))
    city = out / f"{case.name}-city.geojson"
    city.write_text(json.dumps(city_polygon(case)))
    hot_lon, hot_lat = lon0 + 1500 / mlon, lat0 + 1500 / M_PER_DEG_LAT
    return {
        "csv": csv_path,
        "profile": profile,
        "city": city,
        "hot_spot": (hot_lon, hot_lat),
        "strays": stray_ids,
        "times": times,
        "tz": ZoneInfo(case.zone),
    }
