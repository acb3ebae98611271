"""Calls for service of the synthetic city.

Three sources: calls raised by a recorded crime (at its place, when it was
discovered), calls raised by a collision, and the many calls that never
become a crime report (suspicious persons, disturbances, noise, alarms,
traffic stops...), each with its own rhythm, land use and facilities;
disorder calls run hotter in every planted hot spot.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from copps.simulate.assemble import make_table, parcel_addresses
from copps.simulate.calltypes import CALL_TYPES, COLLISION_CALLS, CRIME_CALLS
from copps.simulate.events import EventTable
from copps.simulate.intensity import Setting, draw, parcel_weights
from copps.simulate.offences import CRIME_TYPES

__all__ = ["P_COLLISION_CALL", "P_CRIME_CALL", "generate_calls"]

P_CRIME_CALL = 0.85
P_COLLISION_CALL = 0.9


def _table(
    s,
    keys,
    types,
    parcel,
    t,
    channel,
    link=None,
    x=None,
    y=None,
    node=None,
    street=None,
    address=None,
):
    n = len(t)
    if x is None:
        x, y = s.parcels.x[parcel], s.parcels.y[parcel]
        node, street = s.parcels.node[parcel], s.parcels.street[parcel]
        address = parcel_addresses(s, parcel)
    return make_table(
        s,
        kind="call",
        type_key=np.asarray(keys, dtype=object),
        category=np.array([c.initial[2] for c in types], dtype=object),
        subcategory=np.array([c.initial[1] for c in types], dtype=object),
        offence=np.array([c.initial[0] for c in types], dtype=object),
        sensitive="",
        occurred_from=t,
        occurred_to=t,
        reported_at=t,
        true_time=t,
        x=x,
        y=y,
        parcel=parcel if parcel is not None else np.full(n, -1),
        node=node,
        street=street,
        address=address,
        channel=channel,
        link=link,
    )


def generate_calls(
    s: Setting,
    crimes: EventTable,
    call_time: np.ndarray,
    collisions: EventTable,
    collision_offset: int,
    rng: np.random.Generator,
) -> EventTable:
    """Draw every call of the period (sorted by time; ``id`` is the CAD CDW ID).

    ``link`` holds the row of the crime (``crimes`` rows come first in the
    city's table) or of the collision (``collision_offset`` + its row).
    """
    tables = []
    by_key = {ct.key: ct for ct in CRIME_TYPES}
    call_key = np.array([by_key[k].call for k in crimes.type_key], dtype=object)
    has = (crimes.channel == "phone") & (call_key != "") & (rng.random(len(crimes)) < P_CRIME_CALL)
    rows = np.flatnonzero(has)
    if len(rows):
        keys = call_key[rows]
        tables.append(
            _table(
                s,
                ["crime:" + k for k in keys],
                [CRIME_CALLS[k] for k in keys],
                crimes.parcel[rows],
                call_time[rows],
                "911",
                link=rows,
            )
        )
    rows = np.flatnonzero(rng.random(len(collisions)) < P_COLLISION_CALL)
    if len(rows):
        injury = collisions.subcategory[rows] != "Property Damage Only"
        types = [COLLISION_CALLS[int(i)] for i in injury]
        t = collisions.true_time[rows] + rng.integers(60, 600, len(rows)) * np.timedelta64(1, "s")
        tables.append(
            _table(
                s,
                [f"collision:{int(i)}" for i in injury],
                types,
                np.full(len(rows), -1),
                t,
                "911",
                link=collision_offset + rows,
                x=collisions.x[rows],
                y=collisions.y[rows],
                node=collisions.node[rows],
                street=collisions.street[rows],
                address=collisions.address[rows],
            )
        )
    for key, ct in CALL_TYPES.items():
        w = parcel_weights(
            s,
            ct.land_use,
            ct.facilities,
            hotspot=True if ct.hotspot else None,
            arterial=ct.arterial,
        )
        parcel, t = draw(s, w, ct.per_year, ct.rhythm, rng)
        channel = "onview" if "ONVIEW" in ct.initial[0] else "911"
        tables.append(_table(s, [key] * len(t), [ct] * len(t), parcel, t, channel))
    table = EventTable.concat(tables)
    end = s.start.astype("datetime64[s]") + np.timedelta64(s.days, "D")
    table = table.select(table.true_time < end)  # a crime found after the period ends calls later
    order = np.argsort(table.true_time, kind="stable")
    table = table.select(order)
    return dataclasses.replace(table, id=1500000 + np.arange(len(table), dtype=np.int64))
