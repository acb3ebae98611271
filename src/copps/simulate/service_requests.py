"""Community service requests (Open311) of the synthetic city.

Residents report graffiti, dark streetlights, abandoned vehicles, potholes,
dumping, noise and overgrown lots mostly in office hours. Planted clusters
raise some services near two crime hot spots, and one cluster (potholes and
abandoned vehicles) lies far from any hot spot, as a contrast.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from copps.simulate.assemble import make_table, parcel_addresses
from copps.simulate.events import EventTable
from copps.simulate.intensity import Setting, draw, parcel_weights

__all__ = ["REQUESTS_PER_YEAR", "SERVICES", "Service", "generate_requests"]

REQUESTS_PER_YEAR = 3000


@dataclass(frozen=True)
class Service:
    """An Open311 service: code, name, description, group, agency, share, rhythm, land use."""

    code: str
    name: str
    description: str
    group: str
    agency: str
    share: float
    rhythm: str
    land_use: dict
    arterial: float = 1.0


_RES = {
    "residential": 1,
    "multifamily": 1.5,
    "commercial": 1.5,
    "mall": 0.5,
    "park": 1.5,
    "school": 1,
}

SERVICES: dict[str, Service] = {
    "graffiti": Service(
        "GRAF",
        "Graffiti",
        "Report graffiti on public or private property",
        "Neighbourhood",
        "Public Works",
        0.20,
        "business",
        {"residential": 0.6, "multifamily": 1.5, "commercial": 2, "park": 2, "school": 1.5},
    ),
    "pothole": Service(
        "POTH",
        "Pothole",
        "Report a pothole or damaged pavement",
        "Streets",
        "Public Works",
        0.15,
        "business",
        {u: 1 for u in _RES},
        arterial=3,
    ),
    "streetlight_out": Service(
        "SLGT",
        "Streetlight Out",
        "Report a streetlight that is out or flickering",
        "Streets",
        "Public Works",
        0.15,
        "business",
        dict(_RES),
    ),
    "abandoned_vehicle": Service(
        "ABVH",
        "Abandoned Vehicle",
        "Report a vehicle parked over 72 hours",
        "Neighbourhood",
        "Police Department",
        0.15,
        "business",
        {"residential": 1, "multifamily": 2, "commercial": 1},
    ),
    "illegal_dumping": Service(
        "DUMP",
        "Illegal Dumping",
        "Report trash or bulky items dumped on public property",
        "Neighbourhood",
        "Code Enforcement",
        0.12,
        "business",
        {"residential": 0.7, "multifamily": 2, "commercial": 1.5, "park": 2},
    ),
    "noise": Service(
        "NOIS",
        "Noise Complaint",
        "Report ongoing noise from a property",
        "Neighbourhood",
        "Police Department",
        0.08,
        "weekend_night",
        {"residential": 1, "multifamily": 3, "commercial": 1},
    ),
    "weeds": Service(
        "WEED",
        "Overgrown Lot",
        "Report tall weeds or an overgrown vacant lot",
        "Neighbourhood",
        "Code Enforcement",
        0.08,
        "business",
        {"residential": 1, "multifamily": 1, "commercial": 0.5},
    ),
    "sidewalk": Service(
        "SDWK",
        "Sidewalk Repair",
        "Report a broken or lifted sidewalk",
        "Streets",
        "Public Works",
        0.04,
        "business",
        dict(_RES),
    ),
    "traffic_signal": Service(
        "SIGN",
        "Traffic Signal",
        "Report a traffic signal that is out or stuck",
        "Streets",
        "Public Works",
        0.03,
        "business",
        {"commercial": 1, "residential": 0.1},
        arterial=20,
    ),
}


def generate_requests(s: Setting, rng: np.random.Generator) -> EventTable:
    """Draw every service request of the period (sorted by time; ``id`` is the request number)."""
    tables = []
    for key, sv in SERVICES.items():
        w = parcel_weights(s, sv.land_use, arterial=sv.arterial)
        for c in s.plan.clusters:
            if key in c.services:
                inside = np.hypot(s.parcels.x - c.x, s.parcels.y - c.y) <= c.radius
                w = np.where(inside, w * c.multiplier, w)
        parcel, t = draw(s, w, REQUESTS_PER_YEAR * sv.share, sv.rhythm, rng)
        tables.append(
            make_table(
                s,
                kind="request",
                type_key=key,
                category=sv.name,
                subcategory=sv.code,
                offence=sv.description,
                sensitive="",
                occurred_from=t,
                occurred_to=t,
                reported_at=t,
                true_time=t,
                x=s.parcels.x[parcel],
                y=s.parcels.y[parcel],
                parcel=parcel,
                node=s.parcels.node[parcel],
                street=s.parcels.street[parcel],
                address=parcel_addresses(s, parcel),
                channel="app",
            )
        )
    table = EventTable.concat(tables)
    table = table.select(np.argsort(table.true_time, kind="stable"))
    geocoded = rng.random(len(table)) >= 0.01
    return dataclasses.replace(
        table, id=20000 + np.arange(len(table), dtype=np.int64), geocoded=geocoded
    )
