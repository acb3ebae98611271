"""Generated exports that plant misplaced geocodes, for the location and scan tests.

A square "city" (about 12.8 x 16.7 km near Denver) with its limits as GeoJSON, events spread over
it with a few planted clusters, and the strays real exports carry: null island, another state,
another continent, a point just across the boundary, a point whose latitude is 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

WEST, EAST, SOUTH, NORTH = -105.05, -104.90, 39.65, 39.80
LIMITS = {
    "type": "Polygon",
    "coordinates": [[[WEST, SOUTH], [EAST, SOUTH], [EAST, NORTH], [WEST, NORTH], [WEST, SOUTH]]],
}
PROFILE = """
[profile]
kind = "{kind}"
timezone = "America/Denver"
[columns]
id = "ID"
occurred_from = "WHEN"
offense = "WHAT"
address = "ADDRESS"
lat = "LAT"
lon = "LON"
[formats]
datetime = "%Y-%m-%d %H:%M"
"""
#: id -> (lat, lon, expected status): the planted strays
STRAYS = {
    "null-island": (1e-06, -2e-06, "invalid"),
    "lat-zero": (0.0, -104.95, "invalid"),
    "new-york": (40.7128, -74.0060, "outside"),
    "philippines": (14.5995, 120.9842, "outside"),
    "across-the-street": (39.7000, EAST + 0.002, "buffer"),  # about 170 m east of the limit
}
#: centres (lat, lon) of planted clusters
CLUSTERS = [(39.700, -105.000), (39.760, -104.940), (39.680, -104.930), (39.770, -105.030)]


def write_limits(tmp_path: Path) -> Path:
    path = tmp_path / "limits.geojson"
    feature = {"type": "Feature", "properties": {"NAME": "Testville"}, "geometry": LIMITS}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def write_profile(tmp_path: Path, kind: str = "crime") -> Path:
    path = tmp_path / f"messy-{kind}.toml"
    path.write_text(PROFILE.format(kind=kind))
    return path


def city_points(n_scatter: int, per_cluster: int, seed: int = 1, radius_deg: float = 0.0008):
    """(lat, lon) arrays: ``n_scatter`` points uniform over the city and ``per_cluster`` points
    around each planted centre (within ``radius_deg``, about 70-90 m)."""
    rng = np.random.default_rng(seed)
    lat = list(rng.uniform(SOUTH + 0.001, NORTH - 0.001, n_scatter))
    lon = list(rng.uniform(WEST + 0.001, EAST - 0.001, n_scatter))
    for clat, clon in CLUSTERS:
        lat += list(clat + rng.uniform(-radius_deg, radius_deg, per_cluster))
        lon += list(clon + rng.uniform(-radius_deg, radius_deg, per_cluster))
    return np.array(lat), np.array(lon)


def write_events(
    tmp_path: Path,
    lat,
    lon,
    *,
    strays: dict | None = None,
    name: str = "events.csv",
    first_rows: list[tuple[str, float, float]] = (),
) -> Path:
    """A CSV of the points (ids 1..n), the strays (ids as named) and ``first_rows`` on top."""
    lines = ["ID,WHEN,WHAT,ADDRESS,LAT,LON"]
    rows = list(first_rows)
    rows += [(str(i + 1), la, lo) for i, (la, lo) in enumerate(zip(lat, lon, strict=True))]
    rows += [(sid, la, lo) for sid, (la, lo, _) in (STRAYS if strays is None else strays).items()]
    regular = len(first_rows) + len(lat)
    for k, (sid, la, lo) in enumerate(rows):
        # strays fall mid-month: the last day of data counts as partial, and windows that end on
        # the last complete day (the dashboard's) must still hold every stray
        day = 1 + k % 28 if k < regular else 10
        lines.append(f"{sid},2024-03-{day:02d} {k % 24:02d}:15,theft-other,{100 + k} MAIN ST,{la},{lo}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path
