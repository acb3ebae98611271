"""The public maps' own base map and place finder (no sign-in, same origin, no tile server).

* ``/public/basemap/<zoom>.geojson``: the streets (``geo.gazetteer.basemap``, by zoom band),
  where their names go, the parks and the city limits; built once per band and per version of the
  loaded streets and areas, kept in the shared cache, and sent with an ETag so a browser asks
  again with ``If-None-Match`` and gets 304.
* ``/public/places/?q=``: what a resident types into a map's search box: hundred blocks,
  intersections and streets (``geo.gazetteer.places``) and areas.
* ``/public/places/block?lat=&lon=``: the hundred block of a point the resident clicked.
  The point is not stored and its query is kept out of the access log
  (``copps.community.logscrub``).

Nothing here returns a house number or an address point.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math

import shapely
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.http import require_GET, require_safe
from shapely.geometry import mapping, shape

from copps.accounts.ratelimit import rate_limited
from copps.geo.gazetteer import basemap as streets
from copps.geo.gazetteer.places import Place, block_at, find
from copps.incidents.models import Area
from copps.publish.cache import remember

__all__ = ["basemap", "places", "block", "layers", "version", "warm"]

SEARCH_PER_MINUTE = 60
MAX_AGE_S = 3600


def version() -> str:
    """A short hash of everything the base map is drawn from: the street layers and the areas."""
    areas = tuple(Area.objects.order_by("id").values_list("id", "type", "min_lon", "min_lat", "max_lon", "max_lat"))
    return hashlib.sha256(repr((streets.streets_version(), areas)).encode()).hexdigest()[:20]


def _city_limits(band: streets.Band) -> list[dict]:
    """The city limits as loaded (``copps areas import --type city``), else the outline of the
    districts (beats, neighbourhoods) taken together, simplified for the band."""
    for kind in (Area.Type.CITY, Area.Type.DISTRICT, Area.Type.BEAT, Area.Type.NEIGHBOURHOOD):
        geoms = [shape(g) for g in Area.objects.filter(type=kind).values_list("geometry", flat=True)]
        if geoms:
            break
    else:
        return []
    outline = shapely.union_all([g.buffer(0) for g in geoms])
    tolerance = band.tolerance_m / 111_000.0
    outline = shapely.set_precision(shapely.simplify(outline, tolerance), 10.0**-band.decimals)
    if outline.is_empty:
        return []
    return [{"type": "Feature", "geometry": mapping(outline), "properties": {"layer": "city"}}]


def layers(band: streets.Band) -> dict:
    """The band's base map as one GeoJSON FeatureCollection, drawn in this order: the city
    limits, the parks, the streets, the names (``bbox``: the streets' extent)."""
    features, bbox = streets.street_features(band)
    parks = streets.park_features(band)
    city = _city_limits(band)
    if bbox is None and city:
        bbox = [round(v, 6) for v in shape(city[0]["geometry"]).bounds]
    return {"type": "FeatureCollection", "bbox": bbox, "zoom": band.zoom, "features": city + parks + features}


def _encoded(band: streets.Band) -> tuple[bytes, bytes]:
    """The band's GeoJSON, and the same gzipped once (a street-zoom city is a few hundred KB)."""
    body = json.dumps(layers(band), separators=(",", ":")).encode()
    return body, gzip.compress(body, compresslevel=6, mtime=0)


def _tag(band: streets.Band) -> str:
    return f'"{version()}-{band.zoom}"'


def _entry(band: streets.Band, tag: str) -> tuple[bytes, bytes]:
    return remember("basemap", (tag,), lambda: _encoded(band), versioned=False)


def warm() -> list[int]:
    """Build every band now (after loading streets or areas), so no visitor waits for one;
    returns each band's size in bytes."""
    return [len(_entry(band, _tag(band))[0]) for band in streets.BANDS]


@require_safe
def basemap(request: HttpRequest, zoom: int) -> HttpResponse:
    band = streets.band_for(zoom)
    if band is None:
        return JsonResponse({"detail": f"no base map band starts at zoom {zoom}"}, status=404)
    tag = _tag(band)
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        body, packed = _entry(band, tag)
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(packed, content_type="application/geo+json")
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(body, content_type="application/geo+json")
        response["Vary"] = "Accept-Encoding"
    response["ETag"] = tag
    response["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
    return response


def _area_places(text: str, limit: int) -> list[Place]:
    found = Area.objects.filter(name__icontains=text).exclude(type=Area.Type.CITY).order_by("type", "name")[:limit]
    return [
        Place("area", a.name, (a.min_lon + a.max_lon) / 2, (a.min_lat + a.max_lat) / 2,
              (a.min_lon, a.min_lat, a.max_lon, a.max_lat))
        for a in found
    ]  # fmt: skip


@require_GET
@rate_limited("places", per_minute=SEARCH_PER_MINUTE)
def places(request: HttpRequest) -> JsonResponse:
    text = " ".join(request.GET.get("q", "").split())[:120]
    if len(text) < 2:
        return JsonResponse({"detail": "q: type at least two letters"}, status=400)
    # Only the centrelines and the areas answer: the events' own blocks (the engagement
    # gazetteer) are means of true locations, and a block of one event is that event's point.
    found = find(text)
    found += _area_places(text, 8 - len(found)) if len(found) < 8 else []
    return JsonResponse({"results": [p.as_json() for p in found]})


def _coordinate(value: str | None, bound: float) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) and -bound <= number <= bound else None


@require_GET
@rate_limited("places", per_minute=SEARCH_PER_MINUTE)
def block(request: HttpRequest) -> JsonResponse:
    lat, lon = _coordinate(request.GET.get("lat"), 90), _coordinate(request.GET.get("lon"), 180)
    if lat is None or lon is None:
        return JsonResponse({"detail": "lat and lon: a latitude and a longitude in degrees"}, status=400)
    place = block_at(lon, lat)
    return JsonResponse({"block": place.label if place else "", "kind": place.kind if place else ""})
