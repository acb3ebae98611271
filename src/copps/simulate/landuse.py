"""Land use and facilities of the synthetic city.

Zones are rectangles in local metres: a regional mall at the central
arterial crossing, commercial corners at every arterial crossing and
commercial strips along arterials, apartment (multi-family) blocks near
arterials, parks and schools inside neighbourhoods, single-family homes
everywhere else. Facilities (stores, bars, motels, apartment complexes,
schools, parks, big-box stores, gas stations) occupy parcels of the fitting
zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from copps.simulate.names import FACILITY_WORDS
from copps.simulate.parcels import Parcels
from copps.simulate.projection import Frame
from copps.simulate.streets import ARTERIAL_SPACING_X, ARTERIAL_SPACING_Y, StreetNetwork

__all__ = [
    "FACILITY_COUNTS",
    "LAND_USES",
    "Facilities",
    "Zone",
    "build_zones",
    "classify",
    "place_facilities",
]

#: Land uses in order of precedence where zones overlap.
LAND_USES = ("mall", "commercial", "park", "school", "multifamily", "residential")

#: How many facilities of each type the default city has (the count does not scale).
FACILITY_COUNTS = {
    "convenience_store": 20,
    "bar": 14,
    "motel": 8,
    "gas_station": 10,
    "big_box_store": 6,
    "apartment_complex": 0,  # one per multi-family zone
    "school": 0,  # one per school zone
    "park": 0,  # one per park zone
}


@dataclass(frozen=True)
class Zone:
    """A land-use zone: ``kind`` is one of LAND_USES; ``polygon`` in local metres."""

    kind: str
    polygon: Polygon


@dataclass(frozen=True)
class Facilities:
    """Named places where events concentrate.

    Attributes
    ----------
    name, type : ndarray of str
        ``"ALDER TAVERN"``, ``"bar"``.
    parcel : ndarray of int
        The parcel the facility occupies (its address and location).
    x, y : ndarray of float
        Its location in local metres (the parcel's).
    """

    name: np.ndarray
    type: np.ndarray
    parcel: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.name)


def _arterial_crossings(frame: Frame) -> list[tuple[float, float]]:
    xs = frame.xmin + ARTERIAL_SPACING_X * np.arange(1, 4)
    ys = frame.ymin + ARTERIAL_SPACING_Y * np.arange(1, 4)
    return [(float(x), float(y)) for x in xs for y in ys]


def build_zones(frame: Frame, rng: np.random.Generator) -> list[Zone]:
    """Draw the land-use zones (all but residential, which is the remainder)."""
    zones: list[Zone] = []
    crossings = _arterial_crossings(frame)
    mall_at = crossings[4]  # the central crossing
    zones.append(
        Zone("mall", box(mall_at[0] + 20, mall_at[1] + 20, mall_at[0] + 480, mall_at[1] + 400))
    )
    for cx, cy in crossings:
        zones.append(Zone("commercial", box(cx - 230, cy - 210, cx + 230, cy + 210)))
    art_x = frame.xmin + ARTERIAL_SPACING_X * np.arange(1, 4)
    art_y = frame.ymin + ARTERIAL_SPACING_Y * np.arange(1, 4)
    for x in art_x:  # strips along north-south arterials
        for _ in range(3):
            y0 = rng.uniform(frame.ymin + 100, frame.ymax - 600)
            zones.append(Zone("commercial", box(x - 75, y0, x + 75, y0 + rng.uniform(250, 500))))
    for y in art_y:
        for _ in range(3):
            x0 = rng.uniform(frame.xmin + 100, frame.xmax - 600)
            zones.append(Zone("commercial", box(x0, y - 75, x0 + rng.uniform(250, 500), y + 75)))
    qx = frame.xmin + ARTERIAL_SPACING_X / 4 * np.arange(1, 16, 2)  # quarter-block centres
    qy = frame.ymin + ARTERIAL_SPACING_Y / 4 * np.arange(1, 16, 2)
    cells = [(float(x), float(y)) for x in qx for y in qy]
    order = rng.permutation(len(cells))
    for kind, picks, lo, hi in (("park", order[:7], 200, 360), ("school", order[7:17], 150, 230)):
        for i in picks:
            x, y = cells[i]
            w, h = rng.uniform(lo, hi, 2)
            x += rng.uniform(-120, 120)
            y += rng.uniform(-100, 100)
            zones.append(Zone(kind, box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)))
    for _ in range(24):  # apartment blocks back onto an arterial
        if rng.random() < 0.5:
            x = float(rng.choice(art_x)) + rng.choice([-1, 1]) * rng.uniform(60, 140)
            y = rng.uniform(frame.ymin + 150, frame.ymax - 150)
        else:
            y = float(rng.choice(art_y)) + rng.choice([-1, 1]) * rng.uniform(60, 140)
            x = rng.uniform(frame.xmin + 150, frame.xmax - 150)
        w, h = rng.uniform(110, 200, 2)
        zones.append(Zone("multifamily", box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)))
    bounds = box(frame.xmin, frame.ymin, frame.xmax, frame.ymax)
    return [Zone(z.kind, z.polygon.intersection(bounds)) for z in zones]


def classify(zones: list[Zone], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Land use of each point: the highest-precedence zone that contains it."""
    rank = np.full(len(x), len(LAND_USES) - 1)
    for z in zones:
        inside = shapely.contains_xy(z.polygon, x, y)
        rank = np.where(inside, np.minimum(rank, LAND_USES.index(z.kind)), rank)
    return np.array(LAND_USES)[rank]


def place_facilities(
    zones: list[Zone],
    parcels: Parcels,
    use: np.ndarray,
    streets: StreetNetwork,
    rng: np.random.Generator,
) -> Facilities:
    """Put each facility on a parcel of a fitting zone; no parcel holds two."""
    taken = np.zeros(len(parcels), bool)
    names: list[str] = []
    types: list[str] = []
    where: list[int] = []
    on_arterial = streets.street_class[parcels.street] == "arterial"

    def put(ftype: str, candidates: np.ndarray, n: int) -> None:
        cand = candidates[~taken[candidates]]
        for p in rng.choice(cand, size=min(n, len(cand)), replace=False):
            taken[p] = True
            word = rng.choice(FACILITY_WORDS[ftype])
            base = str(streets.street_name[parcels.street[p]]).rsplit(" ", 1)[0]
            names.append(f"{base} {word}")
            types.append(ftype)
            where.append(int(p))

    commercial = np.flatnonzero(use == "commercial")
    put("big_box_store", np.flatnonzero(use == "mall"), 3)
    put(
        "big_box_store",
        np.flatnonzero((use == "commercial") & on_arterial),
        FACILITY_COUNTS["big_box_store"] - 3,
    )
    put("motel", np.flatnonzero((use == "commercial") & on_arterial), FACILITY_COUNTS["motel"])
    put(
        "gas_station",
        np.flatnonzero((use == "commercial") & on_arterial),
        FACILITY_COUNTS["gas_station"],
    )
    put("convenience_store", commercial, FACILITY_COUNTS["convenience_store"])
    put("bar", commercial, FACILITY_COUNTS["bar"])
    for kind, ftype in (
        ("multifamily", "apartment_complex"),
        ("school", "school"),
        ("park", "park"),
    ):
        for z in zones:
            if z.kind != kind or z.polygon.is_empty:
                continue
            inside = shapely.contains_xy(z.polygon, parcels.x, parcels.y) & ~taken & (use == kind)
            cand = np.flatnonzero(inside)
            if len(cand) == 0:
                continue
            c = z.polygon.centroid
            p = cand[np.argmin(np.hypot(parcels.x[cand] - c.x, parcels.y[cand] - c.y))]
            taken[p] = True
            word = rng.choice(FACILITY_WORDS[ftype])
            base = str(streets.street_name[parcels.street[p]]).rsplit(" ", 1)[0]
            names.append(f"{base} {word}")
            types.append(ftype)
            where.append(int(p))
    where_arr = np.array(where, dtype=int)
    return Facilities(
        np.array(names), np.array(types), where_arr, parcels.x[where_arr], parcels.y[where_arr]
    )
