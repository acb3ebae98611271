"""GeoJSON geometry in WGS84 from the city's shapes in local metres."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import mapping

from copps.simulate.projection import to_lonlat

__all__ = ["lonlat_geometry", "point_record"]


def lonlat_geometry(geom, step_m: float = 25.0) -> dict:
    """A shapely geometry in local metres as a GeoJSON geometry in lon/lat (6 decimals).

    Edges are first cut every ``step_m`` metres: a straight line in metres is
    not straight in lon/lat, and cutting every layer on the same 25 m lattice
    keeps shared edges identical, so the layers still tile without slivers.
    """
    g = shapely.transform(
        shapely.segmentize(geom, step_m), lambda xy: np.column_stack(to_lonlat(xy[:, 0], xy[:, 1]))
    )
    out = mapping(g)
    return _round(out)


def _round(obj):
    if isinstance(obj, float):
        return round(obj, 6)
    if isinstance(obj, (list, tuple)):
        return [_round(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def point_record(x: float, y: float) -> dict:
    """``{"x", "y", "lon", "lat"}`` of a point in local metres (0.1 m, 6 decimals)."""
    lon, lat = to_lonlat(np.array([x]), np.array([y]))
    return {
        "x": round(float(x), 1),
        "y": round(float(y), 1),
        "lon": round(float(lon[0]), 6),
        "lat": round(float(lat[0]), 6),
    }
