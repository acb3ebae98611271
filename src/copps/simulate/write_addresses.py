"""The synthetic city's geocoding files: its address points, its street centrelines with
TIGER/Line-style address ranges, and an address-only export of its crimes.

* ``address_points.csv`` (``ADDRESS, LON, LAT``): the city's address-point file, missing about
  one parcel in ten (new buildings the file does not have yet), so those addresses must be found
  by interpolation along the centreline;
* ``streets.geojson``: one LineString per street segment, digitised from its south/west end, with
  ``FULLNAME`` and ``LFROMHN``/``LTOHN``/``RFROMHN``/``RTOHN`` (odd numbers west/south);
* ``crimes_addresses.csv``: the crimes with an address and no coordinates, written the ways
  records really are: as filed, with the street type spelled out in mixed case, with a unit, as
  the nearest intersection (``/``, ``&``, ``AND``, ``\\``), and a few an analyst cannot place
  (a misspelt street, "UNKNOWN").

Where each row truly is goes to truth.json (``geocoding``), so tests can measure the geocoder.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from copps.simulate.projection import to_lonlat

__all__ = ["write_address_points", "write_centrelines", "write_address_crimes"]

MISSING_POINT_SHARE = 0.10
_LONG_TYPES = {
    "WAY": "Way", "DR": "Drive", "LN": "Lane", "CT": "Court", "ST": "Street", "AVE": "Avenue",
    "CIR": "Circle", "PL": "Place", "TER": "Terrace", "BLVD": "Boulevard", "RD": "Road",
}  # fmt: skip
_SEPARATORS = (" / ", " & ", " AND ", " \\ ")


def _lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = to_lonlat(np.asarray(x, float), np.asarray(y, float))
    return np.round(lon, 7), np.round(lat, 7)


def write_address_points(city, path: Path, rng: np.random.Generator) -> int:
    """Write the address-point file (every parcel but about one in ten); returns its rows."""
    p, names = city.parcels, city.streets.street_name
    keep = rng.random(len(p)) >= MISSING_POINT_SHARE
    lon, lat = _lonlat(p.x, p.y)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("ADDRESS", "LON", "LAT"))
        for i in np.flatnonzero(keep):
            w.writerow((f"{p.number[i]} {names[p.street[i]]}", repr(float(lon[i])), repr(float(lat[i]))))
    return int(keep.sum())


def write_centrelines(city, path: Path) -> int:
    """Write one GeoJSON LineString per street segment, with its address ranges."""
    st = city.streets
    lon, lat = _lonlat(st.node_x, st.node_y)
    features = []
    for k in range(len(st.seg_a)):
        a, b = int(st.seg_a[k]), int(st.seg_b[k])
        odd = (int(st.seg_odd_from[k]), int(st.seg_odd_to[k]))
        even = (int(st.seg_even_from[k]), int(st.seg_even_to[k]))
        # walking from the south/west end: west is on the left of a north-south street, south
        # on the right of an east-west one
        ns = st.street_axis[st.seg_street[k]] == "NS"
        left, right = (odd, even) if ns else (even, odd)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "FULLNAME": str(st.street_name[st.seg_street[k]]),
                    "LFROMHN": left[0] if left[0] <= left[1] else None,
                    "LTOHN": left[1] if left[0] <= left[1] else None,
                    "RFROMHN": right[0] if right[0] <= right[1] else None,
                    "RTOHN": right[1] if right[0] <= right[1] else None,
                    "CLASS": str(st.street_class[st.seg_street[k]]),
                },
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[float(lon[a]), float(lat[a])], [float(lon[b]), float(lat[b])]],
                },
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}) + "\n", encoding="utf-8")
    return len(features)


def _spelled(street: str, rng: np.random.Generator) -> str:
    words = street.split()
    if words[-1] in _LONG_TYPES:
        words[-1] = _LONG_TYPES[words[-1]]
    text = " ".join(w if w in _LONG_TYPES.values() else w.title() for w in words)
    return text + ("." if rng.random() < 0.3 and words[-1] not in _LONG_TYPES.values() else "")


def _misspelt(street: str) -> str:
    """``MAPLE CT`` -> ``MAPEL CT``: the last two letters of the first word swapped (or doubled)."""
    word, rest = street.split(" ", 1)
    typo = word[:-2] + word[-1] + word[-2] if word[-1] != word[-2] else word + word[-1]
    return f"{typo} {rest}"


def write_address_crimes(city, path: Path, rng: np.random.Generator) -> dict:
    """Write the address-only crimes; returns their truth (``points``: [id, lon, lat, form])."""
    crimes, st, parcels = city.crimes, city.streets, city.parcels
    names = st.street_name
    lon_p, lat_p = _lonlat(crimes.x, crimes.y)
    lon_n, lat_n = _lonlat(st.node_x, st.node_y)
    occurred = crimes.occurred_from.astype("datetime64[s]").astype(object)
    points, forms = [], {}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("Incident Number", "Occurred", "Offense Description", "Address"))
        for i in range(len(crimes)):
            parcel = int(crimes.parcel[i])
            number, street = int(parcels.number[parcel]), str(names[parcels.street[parcel]])
            u = rng.random()
            lon, lat = float(lon_p[i]), float(lat_p[i])
            if u < 0.70:
                form, address = "as filed", f"{number} {street}"
            elif u < 0.80:
                form, address = "spelled out", f"{number} {_spelled(street, rng)}"
            elif u < 0.85:
                unit = int(rng.integers(1, 40))
                form, address = "with unit", f"{number} {street} {'APT ' if rng.random() < 0.5 else '#'}{unit}"
            elif u < 0.99:
                node = int(crimes.node[i])
                sep = _SEPARATORS[int(rng.integers(0, len(_SEPARATORS)))]
                form, address = "intersection", st.intersection_name(node, sep)
                lon, lat = float(lon_n[node]), float(lat_n[node])
            else:
                form = "unplaceable"
                address = "UNKNOWN" if rng.random() < 0.5 else f"{number} {_misspelt(street)}"
            forms[form] = forms.get(form, 0) + 1
            w.writerow((int(crimes.id[i]), f"{occurred[i]:%Y-%m-%d %H:%M:%S}", crimes.offence[i], address))
            points.append([int(crimes.id[i]), round(lon, 7), round(lat, 7), form])
    return {"rows": len(points), "forms": forms, "points": points}
