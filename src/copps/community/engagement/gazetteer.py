"""Find an address: the gazetteer of hundred blocks, and the beat that holds a point.

copps holds no street address file, so the gazetteer is built from the police events it has
imported: each event's hundred block ("75XX MAPLE CT") and geocoded point. A block's point is
the mean of its events' points; an address is matched on its block, else on the nearest block
of the same street within ``NEAREST_HUNDREDS`` hundreds. The result chooses a beat, or the place
of an alert subscription, which ``places.py`` moves to a public snap point before it is kept: no
point from here is shown or stored as it is. An address on a street with no recorded events is not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Avg, Count
from shapely.geometry import Point, shape

from copps.community.engagement.models import GazetteerBlock
from copps.geo.blocks import hundred_block
from copps.incidents.models import Area, Event

__all__ = ["normalise_street", "split_block", "rebuild", "geocode", "beat_at", "Located"]

NEAREST_HUNDREDS = 3
_BLOCK = re.compile(r"^(?P<hundred>\d*)XX (?P<street>.+)$")
# Long street types to the short forms police exports use.
_TYPES = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "DRIVE": "DR",
    "ROAD": "RD",
    "BOULEVARD": "BLVD",
    "COURT": "CT",
    "LANE": "LN",
    "PLACE": "PL",
    "TERRACE": "TER",
    "CIRCLE": "CIR",
    "PARKWAY": "PKWY",
    "HIGHWAY": "HWY",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
}
_PUNCT = re.compile(r"[.,#]")


def normalise_street(street: str) -> str:
    words = _PUNCT.sub(" ", street.upper()).split()
    return " ".join(_TYPES.get(w, w) for w in words)


def split_block(text: str) -> tuple[int, str] | None:
    """(hundred, normalised street) of an address or block, or None (no house number,
    an intersection, free text)."""
    block = hundred_block(_PUNCT.sub(" ", text or ""))
    m = _BLOCK.match(block)
    if not m:
        return None
    return int(m["hundred"] or 0), normalise_street(m["street"])


def rebuild() -> int:
    """Replace the gazetteer with one built from the geocoded events; returns its size."""
    grouped = (
        Event.objects.exclude(block_address="")
        .filter(lat__isnull=False, lon__isnull=False)
        .values("block_address")
        .annotate(lat=Avg("lat"), lon=Avg("lon"), n=Count("id"))
    )
    merged: dict[tuple[int, str], list[float]] = {}
    for row in grouped.iterator():
        key = split_block(row["block_address"])
        if key is None:
            continue
        acc = merged.setdefault(key, [0.0, 0.0, 0])
        acc[0] += row["lon"] * row["n"]
        acc[1] += row["lat"] * row["n"]
        acc[2] += row["n"]
    blocks = [
        GazetteerBlock(street=street, hundred=hundred, lon=sx / n, lat=sy / n, events=n)
        for (hundred, street), (sx, sy, n) in merged.items()
    ]
    with transaction.atomic():
        GazetteerBlock.objects.all().delete()
        GazetteerBlock.objects.bulk_create(blocks, batch_size=2000)
    return len(blocks)


@dataclass(frozen=True)
class Located:
    """Where an address was found: the matched block (never the house number) and its point."""

    block: str
    lon: float
    lat: float
    exact: bool


def geocode(address: str) -> Located | None:
    """The block point for ``address``, or None when the gazetteer does not know it."""
    key = split_block(address)
    if key is None:
        return None
    hundred, street = key
    candidates = list(
        GazetteerBlock.objects.filter(
            street=street, hundred__gte=max(0, hundred - NEAREST_HUNDREDS), hundred__lte=hundred + NEAREST_HUNDREDS
        )
    )
    if not candidates:
        return None
    best = min(candidates, key=lambda b: (abs(b.hundred - hundred), b.hundred))
    return Located(str(best), best.lon, best.lat, best.hundred == hundred)


def beat_at(lon: float, lat: float) -> Area | None:
    """The beat whose polygon holds the point (bounding boxes first, then the polygon)."""
    boxes = Area.objects.filter(
        type=Area.Type.BEAT, min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
    ).order_by("pk")
    point = Point(lon, lat)
    for area in boxes:
        if shape(area.geometry).intersects(point):
            return area
    return None
