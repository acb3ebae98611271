"""Turn drawn events (type, place, time) into rows of the event table.

Fills in what follows from the place: WGS84 coordinates, beat, district,
neighbourhood, facility, planted hot spot.
"""

from __future__ import annotations

import numpy as np

from copps.simulate.events import EventTable
from copps.simulate.intensity import Setting
from copps.simulate.projection import to_lonlat

__all__ = ["facility_of_parcel", "make_table", "parcel_addresses"]


def facility_of_parcel(s: Setting) -> np.ndarray:
    """Facility index of every parcel (-1 for none)."""
    out = np.full(len(s.parcels), -1)
    out[s.facilities.parcel] = np.arange(len(s.facilities))
    return out


def parcel_addresses(s: Setting, parcel: np.ndarray) -> np.ndarray:
    """``"7512 MAPLE CT"`` for each parcel index."""
    names = s.streets.street_name[s.parcels.street[parcel]]
    nums = s.parcels.number[parcel].astype(str)
    return np.char.add(np.char.add(nums, " "), names.astype(str)).astype(object)


def _obj(v, n: int) -> np.ndarray:
    if np.ndim(v) == 0:
        return np.full(n, v, dtype=object)
    return np.asarray(v, dtype=object)


def make_table(
    s: Setting,
    *,
    kind: str,
    type_key,
    category,
    subcategory,
    offence,
    sensitive,
    occurred_from: np.ndarray,
    occurred_to: np.ndarray,
    reported_at: np.ndarray,
    true_time: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    parcel: np.ndarray,
    node: np.ndarray,
    street: np.ndarray,
    address: np.ndarray,
    channel,
    parent: np.ndarray | None = None,
    link: np.ndarray | None = None,
) -> EventTable:
    """Build an EventTable (ids zero until the caller numbers the rows)."""
    n = len(x)
    lon, lat = to_lonlat(x, y) if n else (np.empty(0), np.empty(0))
    beat_i = s.areas.beat_of(x, y)
    hood_i = s.areas.hood_of(x, y)
    fac_of = facility_of_parcel(s)
    facility = np.where(parcel >= 0, fac_of[np.maximum(parcel, 0)], -1) if n else np.empty(0, int)
    return EventTable(
        id=np.zeros(n, np.int64),
        kind=_obj(kind, n),
        type_key=_obj(type_key, n),
        category=_obj(category, n),
        subcategory=_obj(subcategory, n),
        offence=_obj(offence, n),
        sensitive=_obj(sensitive, n),
        occurred_from=np.asarray(occurred_from, "datetime64[s]"),
        occurred_to=np.asarray(occurred_to, "datetime64[s]"),
        reported_at=np.asarray(reported_at, "datetime64[s]"),
        true_time=np.asarray(true_time, "datetime64[s]"),
        x=np.asarray(x, float),
        y=np.asarray(y, float),
        lon=lon,
        lat=lat,
        parcel=np.asarray(parcel, int),
        node=np.asarray(node, int),
        address=_obj(address, n),
        facility=np.asarray(facility, int),
        beat=s.areas.beat_code[beat_i].astype(object) if n else np.empty(0, object),
        district=s.areas.beat_district[beat_i].astype(object) if n else np.empty(0, object),
        hood=s.areas.hood_code[hood_i].astype(object) if n else np.empty(0, object),
        hotspot=s.plan.hotspot_of(x, y),
        parent=np.full(n, -1) if parent is None else np.asarray(parent, int),
        link=np.full(n, -1) if link is None else np.asarray(link, int),
        geocoded=np.ones(n, bool),
        channel=_obj(channel, n),
        street=np.asarray(street, int),
    )
