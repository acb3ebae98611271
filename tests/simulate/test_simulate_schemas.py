"""The files are real export formats: the real files' headers, delimiters and date formats."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from tests.conftest import shared_data

from copps.simulate.write_crimes import SFPD_COLUMNS


def _rows(path: Path, delimiter: str = ",") -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader)
        return header, list(reader)


def test_calls_have_the_seattle_header_and_formats(city_files):
    real_header, _ = _rows(
        shared_data("calls-for-service/seattle_spd_911_incident_response_2016_sample.csv")
    )
    header, rows = _rows(city_files["calls"])
    assert header == real_header
    assert all(len(r) == 19 for r in rows)
    for r in rows[:500]:
        datetime.strptime(r[7], "%m/%d/%Y %I:%M:%S %p")
        if r[18]:
            datetime.strptime(r[18], "%m/%d/%Y %I:%M:%S %p")
        assert "XX BLOCK OF " in r[8] or " / " in r[8]
        assert r[14] == f"({r[13]}, {r[12]})"
    stamps = [datetime.strptime(r[7], "%m/%d/%Y %I:%M:%S %p") for r in rows]
    assert stamps == sorted(stamps, reverse=True), "newest first, as the real export"


def test_collisions_have_the_switrs_layout(city_files):
    real = shared_data("collisions/switrs_san_diego_CollisionRecords_2015.txt")
    real_header, _ = _rows(real, "\t")
    header, rows = _rows(city_files["collisions"], "\t")
    assert header == real_header and len(header) == 76
    assert all(len(r) == 76 for r in rows)
    col = {name: i for i, name in enumerate(header)}
    missing = 0
    for r in rows:
        datetime.strptime(r[col["COLLISION_DATE"]], "%Y%m%d")
        hhmm = int(r[col["COLLISION_TIME"]])
        assert 0 <= hhmm // 100 <= 23 and hhmm % 100 <= 59
        assert r[col["PRIMARY_RD"]] and r[col["COLLISION_SEVERITY"]] in "01234"
        if r[col["LONGITUDE"]]:
            assert 121.0 < float(r[col["LONGITUDE"]]) < 121.5, "unsigned longitude, as SWITRS"
        else:
            missing += 1
    assert 0 < missing < 0.3 * len(rows)


def test_crimes_have_the_sfpd_header_and_formats(city_files):
    header, rows = _rows(city_files["crimes"])
    assert tuple(header) == SFPD_COLUMNS
    assert header[:6] == [
        "Incident Datetime",
        "Incident Date",
        "Incident Time",
        "Incident Year",
        "Incident Day of Week",
        "Report Datetime",
    ]
    col = {name: i for i, name in enumerate(header)}
    no_coords = 0
    for r in rows:
        occ = datetime.strptime(r[col["Incident Datetime"]], "%Y/%m/%d %I:%M:%S %p")
        assert r[col["Incident Date"]] == occ.strftime("%Y/%m/%d")
        assert r[col["Incident Time"]] == occ.strftime("%H:%M")
        assert r[col["Incident Day of Week"]] == occ.strftime("%A")
        rep = datetime.strptime(r[col["Report Datetime"]], "%Y/%m/%d %I:%M:%S %p")
        assert rep >= occ
        assert int(r[col["Row ID"]]) == int(r[col["Incident ID"]]) * 100000 + int(
            r[col["Incident Code"]]
        )
        if r[col["Latitude"]]:
            assert r[col["Point"]] == f"POINT ({r[col['Longitude']]} {r[col['Latitude']]})"
            assert " \\ " in r[col["Intersection"]]
        else:
            no_coords += 1
    assert 0.005 < no_coords / len(rows) < 0.03
    cats = {r[col["Incident Category"]] for r in rows}
    assert {
        "Burglary",
        "Larceny Theft",
        "Assault",
        "Robbery",
        "Motor Vehicle Theft",
        "Malicious Mischief",
        "Drug Offense",
        "Disorderly Conduct",
        "Offences Against The Family And Children",
        "Rape",
        "Sex Offense",
    } <= cats


def test_open311_requests_have_the_georeport_keys_and_types(city_files):
    real = json.loads(shared_data("open311/bloomington_in_requests_2012.json").read_text())
    ours = json.loads(city_files["requests"].read_text())
    assert all(list(r) == list(real[0]) for r in ours), "same keys in the same order"
    for r in ours[:300] + [r for r in ours if r["lat"] is None][:5]:
        assert isinstance(r["service_request_id"], str) and isinstance(r["service_code"], str)
        assert r["status"] in ("open", "closed")
        for key in ("requested_datetime", "updated_datetime"):
            assert datetime.fromisoformat(r[key]).utcoffset() is not None
        assert r["address_id"] is None and isinstance(r["media_url"], str)
        assert r["lat"] is None or isinstance(r["lat"], (int, float))
    assert any(r["lat"] is None for r in ours)


def test_open311_services_have_the_georeport_keys(city_files):
    real = json.loads(shared_data("open311/bloomington_in_services_2012.json").read_text())
    ours = json.loads(city_files["services"].read_text())
    assert all(set(s) == set(real[0]) for s in ours)
    requests = json.loads(city_files["requests"].read_text())
    assert {r["service_code"] for r in requests} <= {s["service_code"] for s in ours}


@pytest.mark.parametrize(
    "layer,keys,count",
    [
        ("beats", {"BEAT", "DISTRICT"}, (12, 20)),
        ("districts", {"DISTRICT", "NAME"}, (3, 3)),
        ("neighbourhoods", {"NAME", "CODE"}, (6, 20)),
    ],
)
def test_area_files_are_geojson_in_wgs84(city_files, layer, keys, count):
    fc = json.loads(city_files[layer].read_text())
    assert fc["type"] == "FeatureCollection"
    assert count[0] <= len(fc["features"]) <= count[1]
    for f in fc["features"]:
        assert set(f["properties"]) == keys
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        lon, lat = (
            f["geometry"]["coordinates"][0][0][:2]
            if f["geometry"]["type"] == "Polygon"
            else f["geometry"]["coordinates"][0][0][0][:2]
        )
        assert -121.4 < lon < -121.2 and 38.6 < lat < 38.8
