"""The streets of the base map: the loaded centrelines, merged by street, simplified for a band
of zoom levels, with points where their names are written.

copps draws its own base map so that a map works with no tile server (the default, and the
demo): the street layer is plain GeoJSON that the page's map library draws beneath the data.
A band of zooms gets one collection: at city zoom the arterials only, simplified to tens of
metres; at street zoom every street, simplified to a metre. Each street's segments are merged
into as few lines as they make (``shapely.ops.linemerge``) before simplifying, so a street is
one feature and is labelled once per stretch, not once per segment.

Only streets: no house number, address range or address point is in any feature (the address
points are staff data; the ranges would place houses).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import shapely
import shapely.geometry
from django.db.models import Max, Min
from shapely.geometry import LineString, MultiLineString
from shapely.ops import linemerge

from copps.geo.gazetteer.models import Park, ReferenceLayer, RoadClass, StreetSegment

__all__ = ["BANDS", "Band", "band_for", "park_features", "street_features", "streets_version", "LocalMetres"]

ALL_CLASSES = (RoadClass.ARTERIAL.value, RoadClass.COLLECTOR.value, RoadClass.LOCAL.value)


@dataclass(frozen=True)
class Band:
    """The base map for the zooms from ``zoom`` up to the next band's: which road classes it
    draws and labels, how much it simplifies (metres), and how far apart a street's labels are."""

    zoom: int
    classes: tuple[str, ...]
    tolerance_m: float
    labelled: tuple[str, ...]
    label_every_m: float
    decimals: int  # coordinates rounded to this many decimals of a degree (5: about a metre)


BANDS = (
    Band(0, ALL_CLASSES[:1], 25.0, ALL_CLASSES[:1], 2500.0, 5),
    Band(13, ALL_CLASSES[:2], 6.0, ALL_CLASSES[:2], 1200.0, 5),
    Band(15, ALL_CLASSES, 1.0, ALL_CLASSES, 450.0, 6),
)


def band_for(zoom: int) -> Band | None:
    """The band that starts at ``zoom`` (the URL names a band by its first zoom), else None."""
    return next((b for b in BANDS if b.zoom == zoom), None)


class LocalMetres:
    """An equirectangular projection in metres about a point: enough to simplify and measure a
    city's streets (the error over 30 km is a fraction of a percent)."""

    def __init__(self, lon0: float, lat0: float):
        self.lon0, self.lat0 = lon0, lat0
        self.kx = 111_320.0 * math.cos(math.radians(lat0))
        self.ky = 110_574.0

    def forward(self, coords: Iterable) -> list[tuple[float, float]]:
        return [((c[0] - self.lon0) * self.kx, (c[1] - self.lat0) * self.ky) for c in coords]

    def back(self, coords: Iterable, decimals: int = 7) -> list[list[float]]:
        return [[round(self.lon0 + x / self.kx, decimals), round(self.lat0 + y / self.ky, decimals)] for x, y in coords]


def streets_version() -> tuple:
    """What the base map's own layers depend on: the loaded centreline and park layers (a
    reload changes it)."""
    return tuple(
        ReferenceLayer.objects.filter(kind__in=[ReferenceLayer.Kind.STREETS, ReferenceLayer.Kind.PARKS])
        .order_by("id")
        .values_list("id", "sha256", "loaded_at", "features")
    )


def _label_points(line: LineString, every: float) -> list[tuple[float, float, float]]:
    """(x, y, angle in degrees on screen) where a name is written along ``line``: its middle
    when shorter than ``every``, else every ``every`` metres starting half a step in."""
    length = line.length
    if length < 60.0:
        return []
    if length < every:
        spots = [length / 2]
    else:
        n = int(length // every)
        spots = [every / 2 + i * every for i in range(n)]
    out = []
    for d in spots:
        a = line.interpolate(max(0.0, d - 15.0))
        b = line.interpolate(min(length, d + 15.0))
        p = line.interpolate(d)
        # screen y grows downwards: the text turns the other way from the map's angle
        angle = -math.degrees(math.atan2(b.y - a.y, b.x - a.x))
        if angle > 90:
            angle -= 180
        elif angle <= -90:
            angle += 180
        out.append((p.x, p.y, round(angle, 1)))
    return out


def street_features(band: Band) -> tuple[list[dict], list[float] | None]:
    """The band's street lines and name points as GeoJSON features, and their extent
    ([west, south, east, north]; None with no streets loaded)."""
    layers = list(ReferenceLayer.objects.filter(kind=ReferenceLayer.Kind.STREETS).values_list("id", flat=True))
    rows = StreetSegment.objects.filter(layer_id__in=layers)
    extent = rows.aggregate(w=Min("min_lon"), s=Min("min_lat"), e=Max("max_lon"), n=Max("max_lat"))
    if extent["w"] is None:
        return [], None
    proj = LocalMetres((extent["w"] + extent["e"]) / 2, (extent["s"] + extent["n"]) / 2)
    grouped: dict[tuple[str, str], list[LineString]] = defaultdict(list)
    for name, cls, coords in (
        rows.filter(road_class__in=band.classes).values_list("name", "road_class", "coords").iterator(chunk_size=5000)
    ):
        if len(coords) >= 2:
            grouped[(name, cls)].append(LineString(proj.forward(coords)))
    rank = {c: i for i, c in enumerate(ALL_CLASSES)}
    features: list[dict] = []
    labels: list[dict] = []
    for (name, cls), lines in sorted(grouped.items(), key=lambda kv: (rank.get(kv[0][1], 9), kv[0][0])):
        merged = linemerge(MultiLineString(lines)) if len(lines) > 1 else lines[0]
        simple = shapely.simplify(merged, band.tolerance_m, preserve_topology=False)
        parts = [g for g in getattr(simple, "geoms", [simple]) if not g.is_empty and g.length > 0]
        if not parts:
            continue
        coords = [proj.back(g.coords, band.decimals) for g in parts]
        geometry = (
            {"type": "LineString", "coordinates": coords[0]}
            if len(coords) == 1
            else {"type": "MultiLineString", "coordinates": coords}
        )
        properties = {"layer": "street", "name": name, "class": cls}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
        if cls in band.labelled:
            for part in getattr(merged, "geoms", [merged]):
                for x, y, angle in _label_points(part, band.label_every_m):
                    ((lon, lat),) = proj.back([(x, y)], band.decimals)
                    labels.append({
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [lon, lat]},
                        "properties": {"layer": "label", "name": name, "class": cls, "angle": angle},
                    })  # fmt: skip
    bbox = [round(extent["w"], 6), round(extent["s"], 6), round(extent["e"], 6), round(extent["n"], 6)]
    return features + labels, bbox


def park_features(band: Band) -> list[dict]:
    """The parks as GeoJSON polygons (``layer: park``) simplified for the band, and, in a band
    that labels local streets, their names at a point inside each (``layer: label``)."""
    out, labels = [], []
    for name, geometry in Park.objects.order_by("id").values_list("name", "geometry").iterator(chunk_size=2000):
        geom = shapely.geometry.shape(geometry).buffer(0)
        simple = shapely.set_precision(shapely.simplify(geom, band.tolerance_m / 111_000.0), 10.0**-band.decimals)
        if simple.is_empty:
            continue
        out.append({"type": "Feature", "geometry": shapely.geometry.mapping(simple),
                    "properties": {"layer": "park", "name": name}})  # fmt: skip
        if name and RoadClass.LOCAL.value in band.labelled:
            spot = geom.representative_point()
            at = [round(spot.x, band.decimals), round(spot.y, band.decimals)]
            labels.append({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": at},
                "properties": {"layer": "label", "name": name, "class": "park", "angle": 0},
            })  # fmt: skip
    return out + labels
