"""Places a resident can ask for, from the loaded street centrelines: the hundred block at a
point (the place a resident clicked), and the streets, hundred blocks and intersections that
typed text names (a map's search box).

Every answer is public: a hundred block (``75XX MAPLE CT``), a street or an intersection, never
a house number, and a block's point is on the centreline, half-way along the numbers of the
block, not a house. The address points (staff data) are never read here: on a street without
ranges a block is not found (its points' middle could be a single house).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Max, Min

from copps.geo.blocks import INTERSECTION_JOIN, hundred_block
from copps.geo.gazetteer.basemap import LocalMetres
from copps.geo.gazetteer.models import Park, StreetSegment
from copps.geo.geocode import Gazetteer, Segment, parse_address, street_key

__all__ = ["Place", "BLOCK_NEAR_M", "block_at", "find"]

# A click farther than this from every centreline names no street (a park, a field).
BLOCK_NEAR_M = 120.0


@dataclass(frozen=True)
class Place:
    """One answer: what it is (``block``, ``street``, ``intersection``, ``park`` or ``area``), its public
    label, a point to centre on, and the extent to fit ([west, south, east, north]) if it has one."""

    kind: str
    label: str
    lon: float
    lat: float
    bounds: tuple[float, float, float, float] | None = None

    def as_json(self) -> dict:
        """A street or an area is its extent; a block or an intersection a point on the centreline."""
        if self.bounds:
            return {"kind": self.kind, "label": self.label, "bounds": [round(v, 6) for v in self.bounds]}
        return {"kind": self.kind, "label": self.label, "lat": round(self.lat, 6), "lon": round(self.lon, 6),
                "bounds": None}  # fmt: skip


def _nearest_on(coords: list[tuple[float, float]], p: tuple[float, float]) -> tuple[float, float, float]:
    """(distance, fraction along by length, side: >0 left, <0 right) of ``p`` to a polyline."""
    lengths = [math.dist(a, b) for a, b in zip(coords, coords[1:], strict=False)]
    total = sum(lengths) or 1.0
    best = (math.inf, 0.0, 0.0)
    walked = 0.0
    for (a, b), length in zip(zip(coords, coords[1:], strict=False), lengths, strict=True):
        dx, dy = b[0] - a[0], b[1] - a[1]
        t = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length**2))
        q = (a[0] + t * dx, a[1] + t * dy)
        d = math.dist(p, q)
        if d < best[0]:
            side = dx * (p[1] - a[1]) - dy * (p[0] - a[0])
            best = (d, (walked + t * length) / total, side)
        walked += length
    return best


def block_at(lon: float, lat: float, *, within_m: float = BLOCK_NEAR_M) -> Place | None:
    """The hundred block of the street nearest (``lon``, ``lat``), from that segment's address
    range on the side the point lies (the other side's when that one has none), or the street
    alone when the segment has no range; None when no centreline is within ``within_m``."""
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    proj = LocalMetres(lon, lat)
    dlat = within_m / proj.ky
    dlon = within_m / max(proj.kx, 1.0)
    candidates = StreetSegment.objects.filter(
        min_lon__lte=lon + dlon, max_lon__gte=lon - dlon, min_lat__lte=lat + dlat, max_lat__gte=lat - dlat
    ).values_list("street", "coords", "left_from", "left_to", "right_from", "right_to")
    best = None
    for street, coords, lf, lt, rf, rt in candidates:
        d, t, side = _nearest_on(proj.forward(coords), (0.0, 0.0))
        if d <= within_m and (best is None or d < best[0]):
            best = (d, street, t, side, (lf, lt), (rf, rt))
    if best is None:
        return None
    _, street, t, side, left, right = best
    ranges = [left, right] if side > 0 else [right, left]
    for lo, hi in ranges:
        if lo is not None and hi is not None:
            number = round(lo + t * (hi - lo))
            return Place("block", hundred_block(f"{max(number, 0)} {street}"), lon, lat)
    return Place("street", street, lon, lat)


def _segments(streets: set[str]) -> list[Segment]:
    return [
        Segment(
            street,
            tuple((float(c[0]), float(c[1])) for c in coords),
            (lf, lt) if lf is not None and lt is not None else None,
            (rf, rt) if rf is not None and rt is not None else None,
        )
        for street, coords, lf, lt, rf, rt in StreetSegment.objects.filter(street__in=streets).values_list(
            "street", "coords", "left_from", "left_to", "right_from", "right_to"
        )
    ]


def _resolve(key: str) -> tuple[str | None, str]:
    """The loaded street ``key`` names (exact, else the one street with those name words)."""
    if StreetSegment.objects.filter(street=key).exists():
        return key, ""
    words = [w for w in key.split() if len(w) > 2] or key.split()
    if not words:
        return None, "empty"
    known = set(StreetSegment.objects.filter(street__contains=max(words, key=len)).values_list("street", flat=True))
    return Gazetteer.build((), (Segment(s, ((0.0, 0.0), (0.0, 0.0))) for s in known)).street(key)


def _block_place(street: str, hundred: int) -> Place | None:
    # the centreline's ranges only: a mean of the hundred's address points could be one house
    match = Gazetteer.build((), _segments({street}))._block(street, hundred)
    if not match.matched:
        return None
    return Place("block", f"{hundred}XX {street}", match.lon, match.lat)


def find(text: str, *, limit: int = 8) -> list[Place]:
    """What ``text`` names among the loaded streets and parks: its hundred block (a house
    number is read as its block, and only the block comes back), an intersection, or the
    streets and parks whose name holds the text (each with its extent)."""
    text = " ".join((text or "").split())[:120]
    if len(text) < 2:
        return []
    out: list[Place] = []
    parts = parse_address(text)
    if parts is not None and parts.kind in ("address", "block"):
        street, _ = _resolve(parts.street)
        hundred = (parts.number // 100) if parts.kind == "address" else (parts.block or 0)
        if street is not None:
            place = _block_place(street, hundred)
            if place is not None:
                out.append(place)
    elif parts is not None and parts.kind == "intersection":
        keys = [_resolve(k)[0] for k in parts.streets]
        if all(keys):
            match = Gazetteer.build((), _segments(set(keys)))._intersection(tuple(keys))
            if match.matched:
                out.append(Place("intersection", INTERSECTION_JOIN.join(keys), match.lon, match.lat))
    if parts is None or parts.kind not in ("address", "block", "intersection"):
        key = street_key(text)
        streets = (
            StreetSegment.objects.filter(street__contains=key)
            .values("street")
            .annotate(w=Min("min_lon"), s=Min("min_lat"), e=Max("max_lon"), n=Max("max_lat"))
            .order_by("street")[:limit]
        )
        starts = [r for r in streets if r["street"].startswith(key)]
        for r in starts + [r for r in streets if r not in starts]:
            box = (r["w"], r["s"], r["e"], r["n"])
            out.append(Place("street", r["street"], (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, box))
        for park in Park.objects.filter(name__icontains=text).exclude(name="").order_by("name")[:limit]:
            box = (park.min_lon, park.min_lat, park.max_lon, park.max_lat)
            out.append(Place("park", park.name, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, box))
    return out[:limit]
