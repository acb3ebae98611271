"""collisions.txt in the raw SWITRS CollisionRecords layout (California Highway Patrol).

Tab-delimited, unquoted, the same 76 columns as the real San Diego file in
``../shared/data/collisions``: COLLISION_DATE ``YYYYMMDD``, COLLISION_TIME
``HHMM`` without leading zeros (``735`` is 07:35), DAY_OF_WEEK 1 = Monday,
codes as SWITRS codes them, and LONGITUDE unsigned (``121.28123``), the
SWITRS quirk; some rows carry no coordinates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from copps.simulate.collisions import FACTORS, SEVERITIES
from copps.simulate.timefmt import as_datetimes

__all__ = ["JURISDICTION", "SWITRS_COLUMNS", "write_collisions"]

SWITRS_COLUMNS = (
    "CASE_ID",
    "ACCIDENT_YEAR",
    "PROC_DATE",
    "JURIS",
    "COLLISION_DATE",
    "COLLISION_TIME",
    "OFFICER_ID",
    "REPORTING_DISTRICT",
    "DAY_OF_WEEK",
    "CHP_SHIFT",
    "POPULATION",
    "CNTY_CITY_LOC",
    "SPECIAL_COND",
    "BEAT_TYPE",
    "CHP_BEAT_TYPE",
    "CITY_DIVISION_LAPD",
    "CHP_BEAT_CLASS",
    "BEAT_NUMBER",
    "PRIMARY_RD",
    "SECONDARY_RD",
    "DISTANCE",
    "DIRECTION",
    "INTERSECTION",
    "WEATHER_1",
    "WEATHER_2",
    "STATE_HWY_IND",
    "CALTRANS_COUNTY",
    "CALTRANS_DISTRICT",
    "STATE_ROUTE",
    "ROUTE_SUFFIX",
    "POSTMILE_PREFIX",
    "POSTMILE",
    "LOCATION_TYPE",
    "RAMP_INTERSECTION",
    "SIDE_OF_HWY",
    "TOW_AWAY",
    "COLLISION_SEVERITY",
    "NUMBER_KILLED",
    "NUMBER_INJURED",
    "PARTY_COUNT",
    "PRIMARY_COLL_FACTOR",
    "PCF_CODE_OF_VIOL",
    "PCF_VIOL_CATEGORY",
    "PCF_VIOLATION",
    "PCF_VIOL_SUBSECTION",
    "HIT_AND_RUN",
    "TYPE_OF_COLLISION",
    "MVIW",
    "PED_ACTION",
    "ROAD_SURFACE",
    "ROAD_COND_1",
    "ROAD_COND_2",
    "LIGHTING",
    "CONTROL_DEVICE",
    "CHP_ROAD_TYPE",
    "PEDESTRIAN_ACCIDENT",
    "BICYCLE_ACCIDENT",
    "MOTORCYCLE_ACCIDENT",
    "TRUCK_ACCIDENT",
    "NOT_PRIVATE_PROPERTY",
    "ALCOHOL_INVOLVED",
    "STWD_VEHTYPE_AT_FAULT",
    "CHP_VEHTYPE_AT_FAULT",
    "COUNT_SEVERE_INJ",
    "COUNT_VISIBLE_INJ",
    "COUNT_COMPLAINT_PAIN",
    "COUNT_PED_KILLED",
    "COUNT_PED_INJURED",
    "COUNT_BICYCLIST_KILLED",
    "COUNT_BICYCLIST_INJURED",
    "COUNT_MC_KILLED",
    "COUNT_MC_INJURED",
    "PRIMARY_RAMP",
    "SECONDARY_RAMP",
    "LATITUDE",
    "LONGITUDE",
)
#: A made-up county/city location code (Sacramento County is 34; no city uses 99).
JURISDICTION = "3499"
_SEV_CODE = {label: code for code, label, _ in SEVERITIES}
_FACTOR = {label: (cat, viol) for cat, label, _, viol in FACTORS}


def _direction(dx: float, dy: float) -> str:
    if abs(dx) >= abs(dy):
        return "E" if dx > 0 else "W"
    return "N" if dy > 0 else "S"


def write_collisions(city, path: Path, rng: np.random.Generator) -> int:
    """Write ``city``'s collisions to ``path``; returns the number of rows."""
    col = city.collisions
    st = city.streets
    when = as_datetimes(col.true_time)
    with open(path, "w", newline="", encoding="ascii") as fh:
        fh.write("\t".join(SWITRS_COLUMNS) + "\n")
        for i in range(len(col)):
            d = when[i]
            node = int(col.node[i])
            primary = int(col.street[i])
            a, b = int(st.node_street_a[node]), int(st.node_street_b[node])
            secondary = b if a == primary else a
            dx, dy = col.x[i] - st.node_x[node], col.y[i] - st.node_y[node]
            dist_ft = round(float(np.hypot(dx, dy)) * 3.28084)
            at_node = col.parcel[i] < 0 and dist_ft < 30 and " / " in col.address[i]
            sev = _SEV_CODE[col.subcategory[i]]
            cat, viol = _FACTOR[col.offence[i]]
            killed = 1 if sev == "1" else 0
            severe = int(sev == "2")
            visible = int(sev == "3") * int(rng.integers(1, 3))
            pain = int(sev == "4") * int(rng.integers(1, 3))
            injured = severe + visible + pain
            ped = cat == "10"
            night = d.hour < 6 or d.hour >= 19
            proc = d.date() + np.timedelta64(int(rng.integers(30, 400)), "D").astype(object)
            geo = bool(col.geocoded[i])
            row = [
                int(col.id[i]),
                d.year,
                proc.strftime("%Y%m%d"),
                JURISDICTION,
                d.strftime("%Y%m%d"),
                str(d.hour * 100 + d.minute),
                int(rng.integers(1000, 9999)),
                col.beat[i],
                d.isoweekday(),
                "5",
                "5",
                JURISDICTION,
                "0",
                "0",
                "0",
                "",
                "0",
                col.beat[i],
                st.street_name[primary],
                st.street_name[secondary] if secondary >= 0 else "",
                0 if at_node else dist_ft,
                "" if at_node else _direction(dx, dy),
                "Y" if at_node else "N",
                "A" if rng.random() < 0.85 else "B",
                "-",
                "N",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "Y" if sev in ("1", "2", "3") or rng.random() < 0.4 else "N",
                sev,
                killed,
                injured,
                int(rng.choice([1, 2, 2, 2, 3])),
                "A",
                "-",
                cat,
                viol,
                "A" if rng.random() < 0.4 else "",
                "M" if rng.random() < 0.08 else "N",
                "G" if ped else str(rng.choice(list("ABCDE"))),
                "B" if ped else "C",
                "D" if ped else "A",
                "A",
                "H",
                "-",
                "C" if night else "A",
                "A" if at_node else "D",
                "0",
                "Y" if ped else "",
                "",
                "",
                "",
                "Y",
                "Y" if cat == "1" else "",
                "B" if ped else "A",
                "1",
                severe,
                visible,
                pain,
                0,
                int(ped and killed == 0),
                0,
                0,
                0,
                0,
                "-",
                "-",
                f"{col.lat[i]:.5f}" if geo else "",
                f"{abs(col.lon[i]):.5f}" if geo else "",
            ]
            fh.write("\t".join(str(v) for v in row) + "\n")
    return len(col)
