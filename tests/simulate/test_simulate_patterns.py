"""The planted patterns are in the data: what analysis must later recover is there to recover."""

from __future__ import annotations

import csv
from datetime import datetime

import numpy as np
import pytest
from pyproj import Transformer

WEEKDAY = slice(0, 5)


def _knox_ratio(x, y, t_days, rng, space=200.0, time=14.0, permutations=20):
    """Observed close pairs (space and time) over their mean when times are shuffled."""

    def close_pairs(tt):
        n = 0
        for i in range(0, len(x), 400):
            dx = x[i : i + 400, None] - x[None, :]
            dy = y[i : i + 400, None] - y[None, :]
            dt = np.abs(tt[i : i + 400, None] - tt[None, :])
            near = (dx * dx + dy * dy <= space * space) & (dt <= time) & (dt > 0)
            n += int(near.sum())
        return n / 2

    observed = close_pairs(t_days)
    expected = np.mean([close_pairs(rng.permutation(t_days)) for _ in range(permutations)])
    return observed / expected


def _days(t):
    return (t - t.min()).astype("timedelta64[s]").astype(float) / 86400


def test_burglary_has_near_repeats_and_other_crime_has_none(city):
    rng = np.random.default_rng(0)
    crimes = city.crimes
    burg = crimes.select(crimes.type_key == "burglary_residential")
    veh = crimes.select(crimes.type_key == "vehicle_theft")
    assert _knox_ratio(burg.x, burg.y, _days(burg.true_time), rng) > 1.5
    assert 0.75 < _knox_ratio(veh.x, veh.y, _days(veh.true_time), rng) < 1.3
    nr = city.truth["near_repeat"]
    assert nr["radius_m"] == 200 and nr["window_days"] == 14
    assert 0.2 < nr["realised"]["offspring"] / nr["realised"]["events"] < 0.4
    kids = np.flatnonzero(crimes.parent >= 0)
    par = crimes.parent[kids]
    assert np.all(
        np.hypot(crimes.x[kids] - crimes.x[par], crimes.y[kids] - crimes.y[par]) <= 200.0 + 1e-6
    )
    lag = (crimes.true_time[kids] - crimes.true_time[par]).astype("timedelta64[s]").astype(
        float
    ) / 86400
    assert np.all((lag > 0) & (lag <= 15))


@pytest.mark.parametrize("cell", [50.0, 100.0, 250.0])
def test_hot_spots_are_denser_at_any_grid_size(city, cell):
    crimes = city.crimes
    f = city.frame
    nx, ny = int(np.ceil(f.width / cell)), int(np.ceil(f.height / cell))
    for h in city.truth["hotspots"]:
        sel = np.isin(crimes.type_key, h["crime_types"])
        ix = np.clip(((crimes.x[sel] - f.xmin) // cell).astype(int), 0, nx - 1)
        iy = np.clip(((crimes.y[sel] - f.ymin) // cell).astype(int), 0, ny - 1)
        grid = np.bincount(iy * nx + ix, minlength=nx * ny).reshape(ny, nx)
        cx = f.xmin + (np.arange(nx) + 0.5) * cell
        cy = f.ymin + (np.arange(ny) + 0.5) * cell
        inside = np.hypot(cx[None, :] - h["x"], cy[:, None] - h["y"]) <= max(
            h["radius_m"], cell / 2
        )
        assert grid[inside].mean() >= 3 * grid.mean(), h["label"]


def test_risky_facilities_hold_most_events_80_20(city):
    ev, fac = city.events, city.facilities
    n = np.bincount(ev.facility[ev.facility >= 0], minlength=len(fac))
    top_total = all_total = 0
    for t in (
        "convenience_store",
        "bar",
        "motel",
        "apartment_complex",
        "big_box_store",
        "gas_station",
    ):
        idx = np.flatnonzero(fac.type == t)
        k = int(np.ceil(0.2 * len(idx)))
        counts = np.sort(n[idx])[::-1]
        assert counts[:k].sum() / counts.sum() >= 0.65, t
        top = set(idx[np.argsort(n[idx])[::-1][:k]])
        assert len(top & set(np.flatnonzero(city.plan.facility_risky))) >= k - 1, t
        top_total += counts[:k].sum()
        all_total += counts.sum()
    assert top_total / all_total >= 0.78


def _read_crimes(path):
    to_xy = Transformer.from_crs("EPSG:4326", "EPSG:32610", always_xy=True)
    lon, lat, when = [], [], []
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh):
            if r["Latitude"]:
                lon.append(float(r["Longitude"]))
                lat.append(float(r["Latitude"]))
                when.append(datetime.strptime(r["Incident Datetime"], "%Y/%m/%d %I:%M:%S %p"))
    x, y = to_xy.transform(np.array(lon), np.array(lat))
    return x, y, np.array(when, dtype="datetime64[s]")


def test_intervention_effect_is_visible_in_raw_counts_of_the_export(city, city_files):
    iv = city.truth["intervention"]
    x, y, when = _read_crimes(city_files["crimes"])
    start = np.datetime64(iv["start_date"], "s")
    after = when >= start
    ratio = {}
    for zone, (cx, cy) in (
        ("target", (iv["target"]["x"], iv["target"]["y"])),
        ("control", (iv["control"]["x"], iv["control"]["y"])),
    ):
        inside = np.hypot(x - cx, y - cy) <= iv[zone]["radius_m"]
        ratio[zone] = (np.sum(inside & after) / iv["days_after"]) / (
            np.sum(inside & ~after) / iv["days_before"]
        )
    d = np.hypot(x - iv["target"]["x"], y - iv["target"]["y"])
    ring = (d > iv["buffer"]["inner_radius_m"]) & (d <= iv["buffer"]["outer_radius_m"])
    ratio["buffer"] = (np.sum(ring & after) / iv["days_after"]) / (
        np.sum(ring & ~after) / iv["days_before"]
    )
    assert iv["effect"] == {"target": -0.4, "buffer": 0.12, "control": 0.0}
    assert ratio["target"] < 0.8
    assert 0.8 < ratio["control"] < 1.25
    assert ratio["buffer"] > 1.0
    assert ratio["control"] - ratio["target"] > 0.2


def test_rhythms_by_hour_and_weekday(city):
    def hour_dow(t):
        t = t.astype("datetime64[s]")
        hour = (t - t.astype("datetime64[D]")).astype(int) // 3600
        dow = (t.astype("datetime64[D]").astype("int64") - 4) % 7
        return hour, dow

    crimes = city.crimes
    b = crimes.select(crimes.type_key == "burglary_residential")
    h, d = hour_dow(b.true_time)
    day = np.sum((h >= 8) & (h < 18) & (d < 5))
    night = np.sum(((h >= 22) | (h < 6)) & (d < 5))
    assert day > 3 * night
    a = crimes.select(np.isin(crimes.type_key, ["simple_assault", "aggravated_assault"]))
    h, d = hour_dow(a.true_time)
    late = (h >= 21) | (h < 3)
    weekend_night = late & (((d == 4) & (h >= 21)) | (d == 5) | ((d == 6) & (h < 3)))
    assert late.mean() > 0.4
    assert weekend_night.sum() / late.sum() > 2 / 7 * 1.5
    c = city.collisions
    h, d = hour_dow(c.true_time)
    wk = d < 5
    per_hour = np.bincount(h[wk], minlength=24)
    assert per_hour[[7, 8, 16, 17]].mean() > 1.5 * per_hour[10:15].mean() * 0.8
    assert per_hour[[7, 8, 16, 17]].mean() > 5 * per_hour[[1, 2, 3, 4]].mean()


def test_collision_corridors_run_hotter_than_other_arterials(city):
    col = city.collisions
    st = city.streets
    for c in city.truth["collision_corridors"]:
        per_km = c["realised_collisions"] / (c["length_m"] / 1000)
        s = int(np.flatnonzero(st.street_name == c["street"])[0])
        on_street = col.street == s
        other = on_street.sum() - c["realised_collisions"]
        length = st.seg_length[st.seg_street == s].sum() / 1000 - c["length_m"] / 1000
        assert per_km > 2.0 * other / length, c["street"]


def test_request_clusters_and_colocation_with_hot_spots(city):
    req = city.requests
    spots = {h["id"]: h for h in city.truth["hotspots"]}
    for c in city.truth["request_clusters"]:
        sel = np.isin(req.type_key, c["services"])
        inside = np.hypot(req.x - c["x"], req.y - c["y"]) <= c["radius_m"]
        density_in = (sel & inside).sum() / (np.pi * (c["radius_m"] / 1000) ** 2)
        density_all = sel.sum() / city.frame.area_km2
        assert density_in > 4 * density_all
        if c["colocated_hotspot"] is not None:
            h = spots[c["colocated_hotspot"]]
            assert np.hypot(h["x"] - c["x"], h["y"] - c["y"]) < h["radius_m"]
        else:
            assert all(np.hypot(h["x"] - c["x"], h["y"] - c["y"]) > 1000 for h in spots.values())


def test_aoristic_windows_hold_the_true_time(city):
    crimes = city.crimes
    assert np.all(crimes.occurred_from <= crimes.true_time)
    assert np.all(crimes.true_time <= crimes.occurred_to)
    assert np.all(crimes.reported_at >= crimes.occurred_to)
    burg = crimes.type_key == "burglary_residential"
    width = (crimes.occurred_to - crimes.occurred_from)[burg].astype(float) / 3600
    assert np.median(width) > 2
    assert np.all(
        crimes.occurred_from[crimes.type_key == "shoplifting"]
        == crimes.true_time[crimes.type_key == "shoplifting"]
    )


def test_sensitive_crimes_are_present_and_flagged(city):
    s = city.truth["counts"]["sensitive_crimes"]
    assert s["sexual"] > 0 and s["domestic"] > 0 and s["juvenile"] > 0
    crimes = city.crimes
    assert set(crimes.sensitive[crimes.category == "Rape"]) == {"sexual"}
