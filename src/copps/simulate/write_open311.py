"""requests.json and services.json in Open311 GeoReport v2 form.

Keys, key order and value types follow the real Bloomington, IN responses in
``../shared/data/open311``: ids and codes are strings, datetimes ISO 8601
with the local UTC offset, ``lat``/``long`` numbers (``null`` when the
resident gave no location), ``address_id`` null, ``media_url`` a string.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from copps.simulate.service_requests import SERVICES
from copps.simulate.timefmt import as_datetimes, iso_with_offset

__all__ = ["REQUEST_KEYS", "SERVICE_KEYS", "write_requests", "write_services"]

REQUEST_KEYS = (
    "service_request_id",
    "status",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
SERVICE_KEYS = (
    "service_code",
    "service_name",
    "type",
    "description",
    "metadata",
    "keywords",
    "group",
)
_ZIPCODES = ("95610", "95621")
_NOTES = {
    "graffiti": (
        "Tagging on the fence",
        "Graffiti on the wall facing the street",
        "Spray paint on a utility box",
    ),
    "pothole": (
        "Large pothole in the lane",
        "Pothole near the curb",
        "Several potholes after the rain",
    ),
    "streetlight_out": (
        "Light out in front of the house",
        "Streetlight flickering all night",
        "Two lights out",
    ),
    "abandoned_vehicle": (
        "Car has not moved in weeks",
        "Vehicle with flat tyres parked for a month",
        "Expired tags, not moved since last month",
    ),
    "illegal_dumping": (
        "Mattress and furniture dumped",
        "Bags of trash left on the sidewalk",
        "Old tyres dumped",
    ),
    "noise": ("Loud music every night", "Barking dog all day", "Parties late at night"),
    "weeds": ("Weeds knee high", "Vacant lot overgrown", "Overgrown yard blocking the sidewalk"),
    "sidewalk": (
        "Sidewalk lifted by tree roots",
        "Cracked sidewalk, trip hazard",
        "Broken curb ramp",
    ),
    "traffic_signal": (
        "Signal stuck on red",
        "Signal out at the intersection",
        "Pedestrian button broken",
    ),
}


def write_services(path: Path) -> int:
    """Write the service list; returns the number of services."""
    out = [
        dict(zip(SERVICE_KEYS, (s.code, s.name, "realtime", s.description, False, "", s.group), strict=False))
        for s in SERVICES.values()
    ]
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return len(out)


def write_requests(city, path: Path, rng: np.random.Generator) -> int:
    """Write ``city``'s service requests; returns the number of requests."""
    req = city.requests
    end = np.datetime64(city.start, "s") + np.timedelta64(city.days, "D")
    n = len(req)
    fix_days = rng.exponential(9.0, n)
    updated = req.true_time + (fix_days * 86400).astype(int) * np.timedelta64(1, "s")
    closed = updated < end
    updated = np.where(closed, updated, req.true_time + np.timedelta64(120, "s"))
    t_req, t_upd = as_datetimes(req.true_time), as_datetimes(updated)
    zeros = rng.random(n) < 0.003  # a few apps send 0,0 for "no location"
    out = []
    for i in range(n):
        key = req.type_key[i]
        sv = SERVICES[key]
        geo = bool(req.geocoded[i])
        lat = round(float(req.lat[i]), 12) if geo else None
        lon = round(float(req.lon[i]), 12) if geo else None
        if geo and zeros[i]:
            lat = lon = 0
        out.append(
            dict(
                zip(
                    REQUEST_KEYS,
                    (
                        f"{req.id[i]:08d}",
                        "closed" if closed[i] else "open",
                        sv.name,
                        sv.code,
                        str(rng.choice(_NOTES[key])),
                        sv.agency,
                        iso_with_offset(t_req[i], city.timezone),
                        iso_with_offset(t_upd[i], city.timezone),
                        req.address[i].title() if geo else None,
                        None,
                        str(rng.choice(_ZIPCODES)) if geo else None,
                        lat,
                        lon,
                        "",
                    ), strict=False,
                )
            )
        )
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return n
