"""Polygons of problems, zones and areas: GeoJSON in WGS 84 on the outside, shapely in site metres
for counting and buffering. The site's projector is passed in (``Site.projector()`` in
``copps.incidents.models``): geo knows nothing of the database."""

from __future__ import annotations

import json

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from copps.geo.crs import Projector

__all__ = [
    "GeometryError",
    "parse_polygon",
    "to_metres",
    "to_wgs84",
    "union_of",
    "ring",
    "contains",
    "cells_polygon",
]


class GeometryError(ValueError):
    """A geometry that copps cannot use, said plainly."""


def parse_polygon(text_or_dict) -> dict:
    """A valid GeoJSON Polygon or MultiPolygon in lon/lat (a Feature is unwrapped)."""
    try:
        data = json.loads(text_or_dict) if isinstance(text_or_dict, str) else text_or_dict
    except json.JSONDecodeError as exc:
        raise GeometryError(f"not GeoJSON: {exc.msg}") from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        feats = data.get("features") or []
        if len(feats) != 1:
            raise GeometryError("a FeatureCollection must hold exactly one polygon")
        data = feats[0].get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise GeometryError("expected a GeoJSON Polygon or MultiPolygon")
    try:
        geom = shape(data)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise GeometryError(f"not a polygon: {exc}") from exc
    if geom.is_empty:
        raise GeometryError("the polygon is empty")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError("coordinates must be longitude, latitude (WGS 84)")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
        if not polys:
            raise GeometryError("the polygon crosses itself and has no area")
        geom = unary_union(polys)
    return json.loads(json.dumps(mapping(geom)))


def to_metres(geojson: dict, projector: Projector) -> BaseGeometry:
    return shapely.transform(shape(geojson), projector.forward, interleaved=False)


def to_wgs84(geom: BaseGeometry, projector: Projector) -> dict:
    out = mapping(shapely.transform(geom, projector.inverse, interleaved=False))
    return json.loads(json.dumps(out))  # tuples -> lists, plain floats


def union_of(areas, polygon: dict | None, projector: Projector) -> BaseGeometry | None:
    """The union, in metres, of some Areas and/or a polygon (None when both are empty)."""
    parts = [to_metres(a.geometry, projector) for a in areas]
    if polygon:
        parts.append(to_metres(polygon, projector))
    return unary_union(parts) if parts else None


def ring(target: BaseGeometry, width_m: float) -> BaseGeometry:
    """The band ``width_m`` wide around ``target`` (the buffer zone of an assessment)."""
    if not width_m > 0:
        raise GeometryError("the buffer width must be positive")
    return target.buffer(width_m).difference(target)


def contains(geom: BaseGeometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which points (metres) fall inside ``geom``; NaN coordinates are outside."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    out = np.zeros(x.shape, dtype=bool)
    if ok.any():
        shapely.prepare(geom)
        out[ok] = shapely.contains_xy(geom, x[ok], y[ok])
    return out


def cells_polygon(rows, cols, origin, size) -> BaseGeometry:
    """The union of grid cells (row, col) as one polygon in metres."""
    boxes = [
        shapely.box(origin[0] + c * size, origin[1] + r * size, origin[0] + (c + 1) * size, origin[1] + (r + 1) * size)
        for r, c in zip(rows, cols, strict=True)
    ]
    return unary_union(boxes)
