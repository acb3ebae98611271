"""truth.json: every planted fact of a synthetic city, as plain JSON.

Each planted pattern is recorded geometrically (centres and radii in local
metres, plus lon/lat and GeoJSON polygons) with its parameters and the counts
actually realised, so tests and later analysis can check what they recover.
docs/simulate.md documents every key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
from shapely.geometry import Point

from copps.simulate.calltypes import CALL_TYPES
from copps.simulate.geojson import lonlat_geometry, point_record
from copps.simulate.offences import CRIME_TYPES
from copps.simulate.projection import to_lonlat
from copps.simulate.rhythms import RHYTHMS, SEASONAL_AMPLITUDE
from copps.simulate.service_requests import SERVICES

if TYPE_CHECKING:
    from copps.simulate.city import City

__all__ = ["SCHEMA_VERSION", "build_truth"]

SCHEMA_VERSION = 1
_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _hotspots(city: City) -> list[dict]:
    crimes = city.crimes
    by_key = {ct.key: ct for ct in CRIME_TYPES}
    area_city = city.frame.area_km2
    out = []
    for h in city.plan.hotspots:
        sel = np.isin(crimes.type_key, list(h.crimes))
        inside = np.hypot(crimes.x - h.x, crimes.y - h.y) <= h.radius
        area = np.pi * (h.radius / 1000) ** 2
        dens_in = float(np.sum(sel & inside)) / area
        dens_all = float(np.sum(sel)) / area_city
        out.append(
            {
                "id": h.id,
                "label": h.label,
                **point_record(h.x, h.y),
                "radius_m": h.radius,
                "multiplier": h.multiplier,
                "crime_types": list(h.crimes),
                "crime_categories": sorted(
                    {f"{by_key[k].category} / {by_key[k].subcategory}" for k in h.crimes}
                ),
                "call_types": sorted({c.initial[0] for c in CALL_TYPES.values() if c.hotspot}),
                "facility": h.facility if h.facility >= 0 else None,
                "polygon": lonlat_geometry(Point(h.x, h.y).buffer(h.radius, 32)),
                "realised": {
                    "crimes_of_listed_types_inside": int(np.sum(sel & inside)),
                    "density_ratio_vs_city": round(dens_in / dens_all, 3) if dens_all else None,
                },
            }
        )
    return out


def _facilities(city: City) -> dict:
    fac, ev = city.facilities, city.events
    crimes = ev.kind == "crime"
    calls = ev.kind == "call"
    n_crime = np.bincount(ev.facility[crimes & (ev.facility >= 0)], minlength=len(fac))
    n_call = np.bincount(ev.facility[calls & (ev.facility >= 0)], minlength=len(fac))
    rows, types = [], {}
    name_of = city.streets.street_name
    for t in sorted(set(fac.type)):
        idx = np.flatnonzero(fac.type == t)
        total = n_crime[idx] + n_call[idx]
        k = max(1, int(np.ceil(0.2 * len(idx))))
        top = np.sort(total)[::-1][:k].sum()
        risky = city.plan.facility_risky[idx]
        types[t] = {
            "facilities": len(idx),
            "risky": int(risky.sum()),
            "planted_share_of_risky": round(
                float(
                    city.plan.facility_risk[idx][risky].sum() / city.plan.facility_risk[idx].sum()
                ),
                3,
            )
            if risky.any()
            else None,
            "events": int(total.sum()),
            "realised_share_of_top_20pct": round(float(top / total.sum()), 3)
            if total.sum()
            else None,
            "realised_share_of_risky": round(float(total[risky].sum() / total.sum()), 3)
            if total.sum() and risky.any()
            else None,
        }
    for i in range(len(fac)):
        p = fac.parcel[i]
        idx = np.flatnonzero(fac.type == fac.type[i])
        rows.append(
            {
                "id": i,
                "name": str(fac.name[i]),
                "type": str(fac.type[i]),
                "address": f"{city.parcels.number[p]} {name_of[city.parcels.street[p]]}",
                **point_record(city.parcels.x[p], city.parcels.y[p]),
                "beat": str(
                    city.areas.beat_code[
                        city.areas.beat_of(city.parcels.x[p : p + 1], city.parcels.y[p : p + 1])[0]
                    ]
                ),
                "risky": bool(city.plan.facility_risky[i]),
                "planted_weight_share": round(
                    float(city.plan.facility_risk[i] / city.plan.facility_risk[idx].sum()), 4
                ),
                "crimes": int(n_crime[i]),
                "calls": int(n_call[i]),
            }
        )
    return {
        "rule": (
            "within each type (except schools and parks) a fifth of the facilities are "
            "risky and carry about 80% of the type's facility events"
        ),
        "types": types,
        "facilities": rows,
    }


def _near_repeat(city: City) -> dict:
    nr = city.plan.near_repeat
    crimes = city.crimes
    sel = crimes.type_key == nr.type_key
    parent = crimes.parent
    waves = []
    for p in np.unique(parent[parent >= 0]):
        kids = np.flatnonzero(parent == p)
        waves.append(
            {
                "seed_id": int(crimes.id[p]),
                **point_record(crimes.x[p], crimes.y[p]),
                "date": str(crimes.true_time[p].astype("datetime64[D]")),
                "offspring_ids": [int(v) for v in crimes.id[kids]],
            }
        )
    ct = next(c for c in CRIME_TYPES if c.key == nr.type_key)
    return {
        "type": nr.type_key,
        "category": ct.category,
        "subcategory": ct.subcategory,
        "radius_m": nr.radius_m,
        "window_days": nr.window_days,
        "branching_ratio": nr.branching,
        "same_address_share": nr.same_address_share,
        "mean_delay_days": nr.mean_delay_days,
        "expected_offspring_share": nr.branching,
        "realised": {
            "events": int(sel.sum()),
            "background": int(np.sum(sel & (parent < 0))),
            "offspring": int(np.sum(parent >= 0)),
        },
        "waves": waves,
        "no_contagion": [c.key for c in CRIME_TYPES if c.key != nr.type_key],
    }


def _intervention(city: City) -> dict:
    iv, plan = city.plan.intervention, city.plan
    t, c = plan.hotspots[iv.target], plan.hotspots[iv.control]
    when = city.start + timedelta(days=iv.day)
    crimes = city.crimes
    zone = plan.intervention_zone(crimes.x, crimes.y)
    after = crimes.true_time >= np.datetime64(when, "s")
    d_before, d_after = iv.day, city.days - iv.day
    realised = {}
    for z in ("target", "buffer", "control"):
        b, a = int(np.sum((zone == z) & ~after)), int(np.sum((zone == z) & after))
        rate = (a / d_after) / (b / d_before) if b and d_after and d_before else None
        realised[z] = {"before": b, "after": a, "rate_ratio": round(rate, 3) if rate else None}
    ring = (
        Point(t.x, t.y)
        .buffer(t.radius + iv.buffer_m, 64)
        .difference(Point(t.x, t.y).buffer(t.radius, 64))
    )
    return {
        "start_date": when.isoformat(),
        "days_before": d_before,
        "days_after": d_after,
        "applies_to": "every crime type; of the calls, only those raised by a crime follow it",
        "target": {
            "hotspot": t.id,
            **point_record(t.x, t.y),
            "radius_m": t.radius,
            "polygon": lonlat_geometry(Point(t.x, t.y).buffer(t.radius, 32)),
        },
        "buffer": {
            "inner_radius_m": t.radius,
            "outer_radius_m": t.radius + iv.buffer_m,
            "polygon": lonlat_geometry(ring),
        },
        "control": {
            "hotspot": c.id,
            **point_record(c.x, c.y),
            "radius_m": c.radius,
            "polygon": lonlat_geometry(Point(c.x, c.y).buffer(c.radius, 32)),
        },
        "effect": {
            "target": iv.effect_target,
            "buffer": iv.effect_buffer,
            "control": iv.effect_control,
        },
        "realised": realised,
    }


def _corridors(city: City) -> list[dict]:
    st, col = city.streets, city.collisions
    out = []

    def cross(node: int, street: int) -> str | None:
        a, b = st.node_street_a[node], st.node_street_b[node]
        other = b if a == street else a
        return str(st.street_name[other]) if other >= 0 else None

    for c in city.plan.corridors:
        x0, y0 = st.node_x[c.from_node], st.node_y[c.from_node]
        x1, y1 = st.node_x[c.to_node], st.node_y[c.to_node]
        ns = st.street_axis[c.street] == "NS"
        lo, hi = (min(y0, y1), max(y0, y1)) if ns else (min(x0, x1), max(x0, x1))
        pos = col.y if ns else col.x
        off = np.abs((col.x - x0) if ns else (col.y - y0))
        n = int(np.sum((off <= 40) & (pos >= lo) & (pos <= hi)))
        out.append(
            {
                "street": str(st.street_name[c.street]),
                "from": cross(c.from_node, c.street),
                "to": cross(c.to_node, c.street),
                "start": point_record(x0, y0),
                "end": point_record(x1, y1),
                "length_m": round(float(hi - lo), 1),
                "multiplier": c.multiplier,
                "buffer_m": 40.0,
                "realised_collisions": n,
            }
        )
    return out


def _clusters(city: City) -> list[dict]:
    req = city.requests
    out = []
    for c in city.plan.clusters:
        inside = (np.hypot(req.x - c.x, req.y - c.y) <= c.radius) & np.isin(
            req.type_key, list(c.services)
        )
        out.append(
            {
                "id": c.id,
                **point_record(c.x, c.y),
                "radius_m": c.radius,
                "services": list(c.services),
                "service_names": [SERVICES[k].name for k in c.services],
                "multiplier": c.multiplier,
                "colocated_hotspot": c.hotspot if c.hotspot >= 0 else None,
                "realised_requests": int(inside.sum()),
            }
        )
    return out


def _counts(city: City) -> dict:
    ev = city.events
    years = ev.true_time.astype("datetime64[Y]").astype(int) + 1970
    out = {"total": ev.counts(), "by_year": {}, "ungeocoded": {}}
    for y in np.unique(years):
        out["by_year"][str(y)] = ev.select(years == y).counts()
    for k in ("crime", "call", "collision", "request"):
        out["ungeocoded"][k] = int(np.sum((ev.kind == k) & ~ev.geocoded))
    crimes = city.crimes
    out["sensitive_crimes"] = {
        k: int(np.sum(crimes.sensitive == k)) for k in ("sexual", "domestic", "juvenile")
    }
    return out


def build_truth(city: City) -> dict:
    """The truth record of ``city`` (a JSON-serialisable dict)."""
    f = city.frame
    lon, lat = to_lonlat(np.array([f.xmin, f.xmax]), np.array([f.ymin, f.ymax]))
    rhythm_of = {ct.key: ct.rhythm for ct in CRIME_TYPES}
    rhythm_of.update({f"call:{k}": c.rhythm for k, c in CALL_TYPES.items()})
    rhythm_of.update({f"request:{k}": s.rhythm for k, s in SERVICES.items()})
    rhythm_of["collision"] = "commute"
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": "copps.simulate",
        "seed": city.seed,
        "years": city.years,
        "scale": city.scale,
        "start": city.start.isoformat(),
        "end": (city.start + timedelta(days=city.days)).isoformat(),
        "days": city.days,
        "timezone": city.timezone,
        "crs": city.crs,
        "bounds": {
            "xmin": f.xmin,
            "ymin": f.ymin,
            "xmax": f.xmax,
            "ymax": f.ymax,
            "lon_min": round(float(lon[0]), 6),
            "lat_min": round(float(lat[0]), 6),
            "lon_max": round(float(lon[1]), 6),
            "lat_max": round(float(lat[1]), 6),
        },
        "city": {
            "area_km2": round(f.area_km2, 2),
            "population": 87000,
            "streets": len(city.streets.street_name),
            "segments": len(city.streets.seg_a),
            "street_km": round(float(city.streets.seg_length.sum() / 1000), 1),
            "parcels": len(city.parcels),
            "arterials": [
                str(n)
                for n, c in zip(city.streets.street_name, city.streets.street_class, strict=False)
                if c == "arterial"
            ],
            "boundary": lonlat_geometry(city.areas.boundary),
        },
        "areas": {
            "beats": {
                str(b): str(d) for b, d in zip(city.areas.beat_code, city.areas.beat_district, strict=False)
            },
            "districts": {
                str(c): str(n) for c, n in zip(city.areas.district_code, city.areas.district_name, strict=False)
            },
            "neighbourhoods": {
                str(c): str(n) for c, n in zip(city.areas.hood_code, city.areas.hood_name, strict=False)
            },
        },
        "land_use": {
            "parcels": {
                str(u): int(n) for u, n in zip(*np.unique(city.land_use, return_counts=True), strict=False)
            },
            "zones": [
                {"kind": z.kind, "polygon": lonlat_geometry(z.polygon)}
                for z in city.zones
                if not z.polygon.is_empty
            ],
        },
        "counts": _counts(city),
        "hotspots": _hotspots(city),
        "risky_facilities": _facilities(city),
        "near_repeat": _near_repeat(city),
        "rhythms": {
            "weekdays": _WEEKDAYS,
            "seasonal_amplitude": SEASONAL_AMPLITUDE,
            "matrices": {k: np.round(m, 6).tolist() for k, m in RHYTHMS.items()},
            "by_type": rhythm_of,
        },
        "collision_corridors": _corridors(city),
        "request_clusters": _clusters(city),
        "intervention": _intervention(city),
    }
