"""Where a place subscription stands: an address or a map point made public-grade before it is kept.

A resident subscribes near home by typing an address or clicking the map. Neither is stored:
:func:`public_place` moves the point to the public snap point whose catchment holds it (the set
``publish/`` offers through ``community.hooks``, the one every public incident and request point
stands at) and names it by a nearby hundred block. The digest then compares public points with
a public point, so what a subscriber receives follows from published positions alone (no
distance oracle on anyone's true location: ``copps.community.nearby`` explains why). With no snap
set built, the point is rounded to ``FALLBACK_DEGREES`` (about 100 m) instead.

An address is found in the gazetteer of hundred blocks (``gazetteer.geocode``), else in the
department's reference layers (``copps.geo.gazetteer``: address points and street centrelines)
when some are loaded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from copps.community import hooks
from copps.community.engagement import gazetteer
from copps.community.engagement.models import GazetteerBlock
from copps.geo.crs import Projector

__all__ = ["PublicPlace", "locate", "public_place", "covered", "metres", "FALLBACK_DEGREES", "BLOCK_LABEL_M"]

FALLBACK_DEGREES = 0.001
# a place is named by the nearest gazetteer block this close to its public point, else not named
BLOCK_LABEL_M = 250.0


@dataclass(frozen=True)
class PublicPlace:
    lon: float
    lat: float
    block: str  # "" when no block is near


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance in metres between two nearby points (equirectangular: exact enough below 10 km)."""
    mid = math.radians((lat1 + lat2) / 2)
    return math.hypot((lon2 - lon1) * 111_320 * math.cos(mid), (lat2 - lat1) * 110_574)


def locate(address: str) -> tuple[float, float, str] | None:
    """``(lon, lat, hundred block)`` of an address, or None when it cannot be found."""
    found = gazetteer.geocode(address)
    if found is not None:
        return found.lon, found.lat, found.block
    from copps.geo.gazetteer.loading import gazetteer as reference
    from copps.geo.gazetteer.models import ReferenceLayer

    if not ReferenceLayer.objects.exists():
        return None
    match = reference().match(address)
    if not match.matched:
        return None
    return match.lon, match.lat, ""


def covered(lon: float, lat: float) -> bool:
    """The point lies in one of the department's areas (a beat, district, neighbourhood or the
    city), or no area is loaded yet: a point elsewhere on the map would get nothing."""
    from shapely.geometry import Point, shape

    from copps.incidents.models import Area

    if not Area.objects.exists():
        return True
    boxes = Area.objects.filter(min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat)
    point = Point(lon, lat)
    return any(shape(a.geometry).intersects(point) for a in boxes)


def _block_near(lon: float, lat: float) -> str:
    """The hundred block naming a public point: the nearest block of the events' gazetteer, else
    the block of the nearest street centreline (``geo.gazetteer.places.block_at``: a range's
    hundred, never a house number), else "" (the place is then named by its radius alone)."""
    d = 0.004  # about 400 m of latitude: a box holding every block within BLOCK_LABEL_M
    rows = GazetteerBlock.objects.filter(lon__range=(lon - d, lon + d), lat__range=(lat - d, lat + d))
    best = min(rows, key=lambda b: metres(lon, lat, b.lon, b.lat), default=None)
    if best is not None and metres(lon, lat, best.lon, best.lat) <= BLOCK_LABEL_M:
        return str(best)
    from copps.geo.gazetteer.places import block_at

    place = block_at(lon, lat, within_m=BLOCK_LABEL_M)
    return place.label if place is not None and place.kind == "block" else ""


def public_place(lon: float, lat: float) -> PublicPlace:
    """The public point standing for ``(lon, lat)`` and the hundred block that names it."""
    stored = hooks.public_points()
    if stored is not None and len(stored.snaps):
        x, y = Projector(stored.crs).forward(np.array([lon], float), np.array([lat], float))
        i = int(stored.snaps.nearest(x, y)[0])
        plon, plat = round(float(stored.lon[i]), 6), round(float(stored.lat[i]), 6)
    else:
        step = FALLBACK_DEGREES
        plon, plat = round(round(lon / step) * step, 6), round(round(lat / step) * step, 6)
    return PublicPlace(plon, plat, _block_near(plon, plat))
