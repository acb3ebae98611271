"""calls.csv in the schema of Seattle Police "911 Incident Response" (data.seattle.gov).

The same 19 columns, order and formats as the real export in
``../shared/data/calls-for-service``: ``MM/DD/YYYY hh:mm:ss AM`` times, a
hundred-block location (``75XX BLOCK OF MAPLE CT``) or an intersection
(``A ST / B AVE``), sector and beat, ``(lat, lon)`` in Incident Location, an
At Scene Time that is often blank, rows newest first.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from copps.simulate.calltypes import CALL_TYPES, COLLISION_CALLS, CRIME_CALLS, CallType
from copps.simulate.parcels import hundred_block
from copps.simulate.timefmt import as_datetimes, us_12h

__all__ = ["SEATTLE_COLUMNS", "call_type", "write_calls"]

SEATTLE_COLUMNS = (
    "CAD CDW ID",
    "CAD Event Number",
    "General Offense Number",
    "Event Clearance Code",
    "Event Clearance Description",
    "Event Clearance SubGroup",
    "Event Clearance Group",
    "Event Clearance Date",
    "Hundred Block Location",
    "District/Sector",
    "Zone/Beat",
    "Census Tract",
    "Longitude",
    "Latitude",
    "Incident Location",
    "Initial Type Description",
    "Initial Type Subgroup",
    "Initial Type Group",
    "At Scene Time",
)
P_AT_SCENE = 0.4


def call_type(key: str) -> CallType:
    """The call type of a ``type_key``: ``disturbance``, ``crime:car_prowl``, ``collision:1``."""
    if key.startswith("crime:"):
        return CRIME_CALLS[key[6:]]
    if key.startswith("collision:"):
        return COLLISION_CALLS[int(key[10:])]
    return CALL_TYPES[key]


def write_calls(city, path: Path, rng: np.random.Generator) -> int:
    """Write ``city``'s calls to ``path``; returns the number of rows."""
    calls = city.calls
    st = city.streets
    n = len(calls)
    received = calls.true_time
    cleared = received + rng.integers(15 * 60, 150 * 60, n) * np.timedelta64(1, "s")
    at_scene = received + rng.integers(4 * 60, 25 * 60, n) * np.timedelta64(1, "s")
    scene_ok = rng.random(n) < P_AT_SCENE
    recv_dt, clear_dt, scene_dt = (
        as_datetimes(received),
        as_datetimes(cleared),
        as_datetimes(at_scene),
    )
    beat_index = {b: i for i, b in enumerate(city.areas.beat_code)}
    # Sequence numbers restart each year, in order of receipt.
    seq = np.zeros(n, int)
    years = np.array([d.year for d in recv_dt])
    for y in np.unique(years):
        sel = np.flatnonzero(years == y)
        seq[sel] = np.arange(1, len(sel) + 1)
    rows = []
    for i in range(n):
        ct = call_type(calls.type_key[i])
        p = calls.parcel[i]
        if p >= 0:
            where = hundred_block(city.parcels.number[p], st.street_name[city.parcels.street[p]])
        else:
            where = st.intersection_name(int(calls.node[i]))
        lat, lon = str(round(float(calls.lat[i]), 6)), str(round(float(calls.lon[i]), 6))
        tract = f"{8100 + 100 * beat_index[calls.beat[i]]}.{1001 + int(calls.node[i]) % 60:04d}"
        y = recv_dt[i].year
        rows.append(
            (
                cleared[i],
                (
                    int(calls.id[i]),
                    f"{y % 100:02d}{seq[i]:09d}",
                    f"{y}{seq[i]:06d}",
                    *ct.clearance,
                    us_12h(clear_dt[i]),
                    where,
                    calls.district[i],
                    calls.beat[i],
                    tract,
                    lon,
                    lat,
                    f"({lat}, {lon})",
                    *ct.initial,
                    us_12h(scene_dt[i]) if scene_ok[i] else "",
                ),
            )
        )
    rows.sort(key=lambda r: r[0], reverse=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SEATTLE_COLUMNS)
        w.writerows(r[1] for r in rows)
    return n
