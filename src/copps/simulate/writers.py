"""Write a synthetic city to disk: the export files, the area GeoJSON, truth.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from copps.simulate.geojson import lonlat_geometry
from copps.simulate.write_addresses import write_address_crimes, write_address_points, write_centrelines
from copps.simulate.write_calls import write_calls
from copps.simulate.write_collisions import write_collisions
from copps.simulate.write_crimes import write_crimes
from copps.simulate.write_open311 import write_requests, write_services

__all__ = ["FILES", "write_areas", "write_city", "write_parks"]

#: Name -> file name of everything ``write_city`` writes.
FILES = {
    "crimes": "crimes.csv",
    "calls": "calls.csv",
    "collisions": "collisions.txt",
    "requests": "requests.json",
    "services": "services.json",
    "beats": "beats.geojson",
    "districts": "districts.geojson",
    "neighbourhoods": "neighbourhoods.geojson",
    "address_points": "address_points.csv",
    "streets": "streets.geojson",
    "parks": "parks.geojson",
    "crimes_addresses": "crimes_addresses.csv",
    "truth": "truth.json",
}


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def write_areas(city, out: Path) -> dict[str, int]:
    """Write beats, districts and neighbourhoods as GeoJSON (EPSG:4326)."""
    a = city.areas
    dist_name = dict(zip(a.district_code, a.district_name, strict=False))
    layers = {
        "beats": [
            {"BEAT": str(b), "DISTRICT": str(d)} for b, d in zip(a.beat_code, a.beat_district, strict=False)
        ],
        "districts": [{"DISTRICT": str(c), "NAME": str(dist_name[c])} for c in a.district_code],
        "neighbourhoods": [
            {"NAME": str(n), "CODE": str(c)} for c, n in zip(a.hood_code, a.hood_name, strict=False)
        ],
    }
    polys = {
        "beats": a.beat_polygon,
        "districts": a.district_polygon,
        "neighbourhoods": a.hood_polygon,
    }
    counts = {}
    for name, props in layers.items():
        feats = [
            {"type": "Feature", "properties": p, "geometry": lonlat_geometry(g)}
            for p, g in zip(props, polys[name], strict=False)
        ]
        (out / FILES[name]).write_text(json.dumps(_collection(feats)) + "\n", encoding="utf-8")
        counts[name] = len(feats)
    return counts


def write_parks(city, path: Path) -> int:
    """Write the city's parks as GeoJSON polygons (``NAME``: the park facility inside, else
    "PARK"), for the public base map."""
    import shapely

    fac = city.facilities
    at = [(str(n), float(x), float(y)) for n, t, x, y in zip(fac.name, fac.type, fac.x, fac.y, strict=True)
          if t == "park"]  # fmt: skip
    feats = []
    for zone in city.zones:
        if zone.kind != "park" or zone.polygon.is_empty:
            continue
        inside = [n for n, x, y in at if shapely.contains_xy(zone.polygon, x, y)]
        feats.append(
            {
                "type": "Feature",
                "properties": {"NAME": inside[0] if inside else "PARK"},
                "geometry": lonlat_geometry(zone.polygon),
            }
        )
    path.write_text(json.dumps(_collection(feats)) + "\n", encoding="utf-8")
    return len(feats)


def write_city(city, out_dir: str | Path) -> dict[str, Path]:
    """Write every file of ``city`` into ``out_dir`` (created if needed).

    Export details that are not part of the city (resolutions, CAD numbers,
    officer ids...) come from a generator seeded by the city's seed, so the
    files are identical for a seed.

    Returns
    -------
    dict
        Name (``crimes``, ``calls``, ``collisions``, ``requests``, ``services``,
        ``beats``, ``districts``, ``neighbourhoods``, ``address_points``, ``streets``, ``parks``,
        ``crimes_addresses``, ``truth``) -> path.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([city.seed, 311])
    paths = {k: out / v for k, v in FILES.items()}
    rows = {
        "crimes": write_crimes(city, paths["crimes"], rng),
        "calls": write_calls(city, paths["calls"], rng),
        "collisions": write_collisions(city, paths["collisions"], rng),
        "requests": write_requests(city, paths["requests"], rng),
        "services": write_services(paths["services"]),
    }
    rows.update(write_areas(city, out))
    rows["parks"] = write_parks(city, paths["parks"])
    # the geocoding files draw from their own generator: adding them changed no other file
    geo_rng = np.random.default_rng([city.seed, 15])
    rows["address_points"] = write_address_points(city, paths["address_points"], geo_rng)
    rows["streets"] = write_centrelines(city, paths["streets"])
    geocoding = write_address_crimes(city, paths["crimes_addresses"], geo_rng)
    rows["crimes_addresses"] = geocoding["rows"]
    truth = dict(city.truth)
    truth["geocoding"] = {"file": FILES["crimes_addresses"], **geocoding}
    truth["files"] = {k: {"path": FILES[k], "rows": n} for k, n in rows.items()}
    paths["truth"].write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return paths
