"""crimes.csv in the schema of SFPD "Police Department Incident Reports: 2018 to Present".

Columns and formats follow DataSF's CSV export (dataset wg3w-h783): dates
``YYYY/MM/DD hh:mm:ss AM``, Incident Date ``YYYY/MM/DD``, Incident Time
``HH:MM``, intersections joined by a backslash, ``POINT (lon lat)``, and the
Socrata computed-region columns at the end (blank here: they index San
Francisco's own boundary files).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from copps.simulate.events import EventTable
from copps.simulate.offences import CRIME_TYPES
from copps.simulate.timefmt import as_datetimes, sfpd_12h

__all__ = ["SFPD_COLUMNS", "write_crimes"]

SFPD_COLUMNS = (
    "Incident Datetime",
    "Incident Date",
    "Incident Time",
    "Incident Year",
    "Incident Day of Week",
    "Report Datetime",
    "Row ID",
    "Incident ID",
    "Incident Number",
    "CAD Number",
    "Report Type Code",
    "Report Type Description",
    "Filed Online",
    "Incident Code",
    "Incident Category",
    "Incident Subcategory",
    "Incident Description",
    "Resolution",
    "Intersection",
    "CNN",
    "Police District",
    "Analysis Neighborhood",
    "Supervisor District",
    "Supervisor District 2012",
    "Latitude",
    "Longitude",
    "Point",
    "Neighborhoods",
    "ESNCAG - Boundary File",
    "Central Market/Tenderloin Boundary Polygon - Updated",
    "Civic Center Harm Reduction Project Boundary",
    "HSOC Zones as of 2018-06-05",
    "Invest In Neighborhoods (IIN) Areas",
    "Current Supervisor Districts",
    "Current Police Districts",
)
_COMPUTED_REGIONS = 8


def write_crimes(city, path: Path, rng: np.random.Generator) -> int:
    """Write ``city``'s crimes to ``path``; returns the number of rows."""
    crimes: EventTable = city.crimes
    st, areas = city.streets, city.areas
    by_key = {ct.key: ct for ct in CRIME_TYPES}
    occurred = as_datetimes(crimes.occurred_from)
    reported = as_datetimes(crimes.reported_at)
    dist_name = dict(zip(areas.district_code, areas.district_name, strict=False))
    dist_num = {c: i + 1 for i, c in enumerate(areas.district_code)}
    hood_name = dict(zip(areas.hood_code, areas.hood_name, strict=False))
    seq = {}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SFPD_COLUMNS)
        for i in range(len(crimes)):
            ct = by_key[crimes.type_key[i]]
            occ, rep = occurred[i], reported[i]
            online = crimes.channel[i] == "online"
            yy = rep.year % 100
            seq[yy] = seq.get(yy, 0) + 1
            number = f"{yy:02d}6{seq[yy]:06d}" if online else f"{yy:02d}{seq[yy]:07d}"
            cad = (
                ""
                if online
                else f"{yy:02d}{rep.timetuple().tm_yday:03d}{int(rng.integers(0, 10000)):04d}"
            )
            if online:
                rtype = ("II", "Coplogic Initial")
            elif ct.category == "Motor Vehicle Theft":
                rtype = ("VI", "Vehicle Initial")
            else:
                rtype = ("II", "Initial")
            u = rng.random()
            resolution = (
                "Cite or Arrest Adult"
                if u < ct.p_arrest
                else "Unfounded"
                if u > 0.99
                else "Open or Active"
            )
            geo = bool(crimes.geocoded[i])
            lat, lon = repr(float(crimes.lat[i])), repr(float(crimes.lon[i]))
            node = int(crimes.node[i])
            d = crimes.district[i]
            w.writerow(
                (
                    sfpd_12h(occ),
                    occ.strftime("%Y/%m/%d"),
                    occ.strftime("%H:%M"),
                    occ.year,
                    occ.strftime("%A"),
                    sfpd_12h(rep),
                    int(crimes.id[i]) * 100000 + int(ct.code),
                    int(crimes.id[i]),
                    number,
                    cad,
                    rtype[0],
                    rtype[1],
                    "true" if online else "",
                    ct.code,
                    ct.category,
                    ct.subcategory,
                    ct.description,
                    resolution,
                    st.intersection_name(node, " \\ ") if geo else "",
                    20000000 + node * 1000 if geo else "",
                    dist_name[d],
                    hood_name[crimes.hood[i]] if geo else "",
                    dist_num[d] if geo else "",
                    dist_num[d] if geo else "",
                    lat if geo else "",
                    lon if geo else "",
                    f"POINT ({lon} {lat})" if geo else "",
                    *([""] * _COMPUTED_REGIONS),
                )
            )
    return len(crimes)
