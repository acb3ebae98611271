"""Files without coordinates import by geocoding their addresses against the department's own
reference data (issue 15): the synthetic city's address-only crimes against its address points and
street centrelines, through ``copps geocode`` and ``copps import`` with a ``[geocode]`` profile."""

from __future__ import annotations

import csv
import io
import json
import math
import re

import pytest
import shapefile  # pyshp: a department's centrelines often come as a shapefile
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.conftest import replayed

from copps.geo.gazetteer.models import AddressPoint, ReferenceLayer, StreetSegment
from copps.incidents.importing import load_profile
from copps.incidents.importing.errors import ProfileError
from copps.incidents.models import Event
from copps.publish.models import PublicRecord, SnapPoint

PROFILE = """
[profile]
name = "city-addresses"
kind = "crime"
timezone = "America/Los_Angeles"

[columns]
id = "Incident Number"
occurred_from = "Occurred"
offense = "Offense Description"
address = "Address"

[geocode]
layers = ["address_points", "streets"]
"""


def run(capsys, *args, **kwargs) -> str:
    capsys.readouterr()
    call_command(*args, **kwargs)
    return capsys.readouterr().out


def metres(lon1, lat1, lon2, lat2) -> float:
    lat = math.radians((lat1 + lat2) / 2)
    return math.hypot((lon1 - lon2) * 111_320 * math.cos(lat), (lat1 - lat2) * 110_574)


@pytest.fixture
def reference(city, capsys):
    """The city's address points and centrelines loaded once per test process, then replayed
    (tests/conftest.py), with what the loaders printed."""
    paths, _ = city

    def load():
        out = run(capsys, "geocode", "load-points", str(paths["address_points"]))
        return out + run(capsys, "geocode", "load-streets", str(paths["streets"]))

    return paths, replayed("synthetic city's reference layers loaded", load)


@pytest.mark.django_db
def test_the_loaders_store_the_city_s_points_and_centrelines_with_their_ranges(reference, city, capsys):
    paths, out = reference
    with paths["address_points"].open() as fh:
        assert AddressPoint.objects.count() == sum(1 for _ in fh) - 1
    features = json.loads(paths["streets"].read_text())["features"]
    assert StreetSegment.objects.count() == len(features)
    assert "stored as layer 'address_points' (address <- ADDRESS)" in out
    assert "left_from <- LFROMHN, left_to <- LTOHN, right_from <- RFROMHN, right_to <- RTOHN" in out
    first = features[0]["properties"]
    seg = StreetSegment.objects.order_by("id").first()
    assert (seg.name, seg.left_from, seg.right_to) == (first["FULLNAME"], first["LFROMHN"], first["RTOHN"])
    # loading again under the same name replaces the layer: nothing doubles
    call_command("geocode", "load-streets", str(paths["streets"]))
    assert StreetSegment.objects.count() == len(features)
    assert ReferenceLayer.objects.count() == 2
    listing = run(capsys, "geocode", "layers")
    assert "address_points" in listing and "streets" in listing


@pytest.mark.django_db
def test_the_address_only_export_geocodes_98_percent_within_15_m_and_lists_every_miss(
    reference, city, tmp_path, capsys
):
    paths, truth = city
    profile = tmp_path / "addresses.toml"
    profile.write_text(PROFILE)
    out = run(capsys, "import_events", str(paths["crimes_addresses"]), profile=str(profile))

    points = {str(p[0]): p for p in truth["geocoding"]["points"]}
    events = {e.source_id: e for e in Event.objects.all()}
    assert len(events) == len(points) == truth["geocoding"]["rows"]
    matched = [e for e in events.values() if e.lat is not None]
    assert len(matched) / len(events) >= 0.98
    far = [
        (e.source_id, e.address, e.geocode_quality, round(d, 1))
        for e in matched
        if (d := metres(e.lon, e.lat, points[e.source_id][1], points[e.source_id][2])) > 15.0
    ]
    assert far == []
    # each quality was exercised, and stored on its event
    qualities = {e.geocode_quality for e in matched}
    assert qualities == {"point", "range", "intersection"}
    # every unmatched address is listed by the import, and marked on its event
    unmatched = [e for e in events.values() if e.lat is None]
    assert unmatched and {e.geocode_quality for e in unmatched} == {"unmatched"}
    for e in unmatched:
        assert f"unmatched: {e.address!r}" in out
    assert f"{len(matched):,} of {len(events):,} addresses matched" in out
    # the planted unplaceable rows are exactly the misses
    assert {e.source_id for e in unmatched} == {k for k, p in points.items() if p[3] == "unplaceable"}
    # geocoded points are judged against the jurisdiction like any other point
    assert {e.location for e in matched} <= {"inside", "buffer"}
    assert all(e.x is not None and e.block_address for e in matched)

    # importing the same file again changes nothing
    again = run(capsys, "import_events", str(paths["crimes_addresses"]), profile=str(profile))
    assert f"unchanged {len(events):,}" in again
    assert Event.objects.filter(geocode_quality="point").count() == sum(
        1 for e in matched if e.geocode_quality == "point"
    )

    # privacy: the exact geocoded points stay staff-only; the public records carry snap points
    # and hundred blocks, as for points that came with a file
    call_command("publish_snap_points", simulate_seed=7, replace=True, stdout=io.StringIO())
    call_command("publish_refresh", stdout=io.StringIO())
    public = list(PublicRecord.objects.filter(lon__isnull=False).values_list("lon", "lat", "block"))
    assert len(public) > len(matched) // 2
    snaps = {(round(lon, 6), round(lat, 6)) for lon, lat in SnapPoint.objects.values_list("lon", "lat")}
    assert not [p for p in public if (round(p[0], 6), round(p[1], 6)) not in snaps]
    assert not [b for _, _, b in public if re.match(r"^\d", b) and not re.match(r"^\d*XX ", b)]
    numbers = {e.address.split()[0] for e in matched if e.geocode_quality in ("point", "range")}
    assert not [b for _, _, b in public if b.split()[0] in numbers]


@pytest.mark.django_db
def test_geocode_run_places_events_imported_without_coordinates(reference, tmp_path, capsys):
    rows = [
        ("1", "2024-03-01 10:00:00", "Burglary", "", "", "MISSION VALLEY BLVD / SUNRIDGE BLVD"),
        ("2", "2024-03-01 11:00:00", "Burglary", "", "", "12 NOWHERE LN"),
        ("3", "2024-03-01 12:00:00", "Burglary", "38.7", "-121.28", "12 NOWHERE LN"),
    ]
    data = tmp_path / "calls.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "when", "what", "lat", "lon", "where"])
        w.writerows(rows)
    profile = tmp_path / "p.toml"
    profile.write_text(
        '[profile]\nname = "rms"\nkind = "crime"\ntimezone = "America/Los_Angeles"\n'
        '[columns]\nid = "id"\noccurred_from = "when"\noffense = "what"\nlat = "lat"\nlon = "lon"\naddress = "where"\n'
    )
    call_command("import_events", str(data), profile=str(profile))
    assert Event.objects.filter(lat__isnull=True).count() == 2

    out = run(capsys, "geocode", "run", "--source", "rms")
    one, two, three = (Event.objects.get(source_id=i) for i in "123")
    assert one.geocode_quality == "intersection" and one.lat is not None and one.x is not None
    assert one.location in ("inside", "buffer")
    assert two.geocode_quality == "unmatched" and two.lat is None
    assert (three.geocode_quality, three.lat) == ("", 38.7)  # the file's own point is left alone
    assert "1 of 2 addresses matched" in out
    assert "unmatched: '12 NOWHERE LN' (1 rows, event 2): NOWHERE LN: no such street" in out
    with pytest.raises(CommandError, match="no events of source 'nope'"):
        call_command("geocode", "run", "--source", "nope")


@pytest.mark.django_db
def test_centrelines_from_a_projected_shapefile_with_tiger_name_parts(tmp_path, capsys):
    # two segments of MAPLE CT in California state plane II (US feet), name in TIGER parts
    base = tmp_path / "centrelines"
    with shapefile.Writer(str(base), shapeType=shapefile.POLYLINE) as w:
        for name, size in (("PREDIR", 2), ("NAME", 40), ("SUFTYP", 6)):
            w.field(name, "C", size=size)
        for name in ("LFROMHN", "LTOHN", "RFROMHN", "RTOHN"):
            w.field(name, "N", size=8)
        w.line([[(6_700_000, 2_000_000), (6_700_000, 2_000_400)]])
        w.record("N", "Maple", "Court", 101, 199, 100, 198)
        w.line([[(6_700_000, 2_000_000), (6_699_600, 2_000_000)]])
        w.record("", "Harvest", "Road", 1, 99, 2, 98)
    from pyproj import CRS

    base.with_suffix(".prj").write_text(CRS.from_epsg(2226).to_wkt("WKT1_ESRI"))
    out = run(capsys, "geocode", "load-streets", str(base.with_suffix(".shp")), name="county")
    assert "name <- ['PREDIR', 'NAME', 'SUFTYP']" in out
    seg = StreetSegment.objects.get(street="N MAPLE CT")
    assert -125 < seg.coords[0][0] < -114 and 32 < seg.coords[0][1] < 42  # moved to lon/lat
    from copps.geo.gazetteer.loading import gazetteer

    gz = gazetteer(["county"])
    m = gz.match("150 North Maple Court")
    assert m.quality == "range"
    corner = gz.match("N MAPLE CT & HARVEST RD")
    assert corner.quality == "intersection"
    # 150 is on the even side half-way: about 61 m (200 ft) north of the corner
    assert metres(m.lon, m.lat, corner.lon, corner.lat) == pytest.approx(0.3048 * 400 * 50 / 98, abs=1.0)


def test_a_profile_without_coordinates_needs_a_geocode_section(tmp_path):
    bare = '[profile]\nkind = "crime"\n[columns]\noccurred_from = "when"\naddress = "where"\n'
    path = tmp_path / "bare.toml"
    path.write_text(bare)
    with pytest.raises(ProfileError, match=r"needs lat/lon or x/y, or a \[geocode\] section"):
        load_profile(str(path))
    path.write_text(bare + "[geocode]\n")
    assert load_profile(str(path)).geocode.columns == ("where",)
    path.write_text(bare.replace('address = "where"\n', "") + "[geocode]\n")
    with pytest.raises(ProfileError, match=r"\[geocode\] needs the address column"):
        load_profile(str(path))
    path.write_text(bare + '[geocode]\nlayer = "x"\n')
    with pytest.raises(ProfileError, match="unknown key"):
        load_profile(str(path))


@pytest.mark.django_db
def test_geocoding_without_reference_data_refuses_and_imports_nothing(city, tmp_path):
    paths, _ = city
    profile = tmp_path / "addresses.toml"
    profile.write_text(PROFILE.replace('layers = ["address_points", "streets"]', ""))
    with pytest.raises(CommandError, match="geocoding needs reference data and none is loaded"):
        call_command("import_events", str(paths["crimes_addresses"]), profile=str(profile))
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_address_points_from_number_and_street_fields_skip_and_list_what_they_cannot_use(tmp_path, capsys):
    def point(num, street, lon, lat):
        props = {"HOUSE_NUM": num, "STREET": street}
        return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [lon, lat]}}

    path = tmp_path / "addresses.geojson"
    features = [point(7512, "Maple Court", -121.0, 38.0), point("", "Maple Court", -121.0, 38.0001)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    out = run(capsys, "geocode", "load-points", str(path))
    assert "1 address points stored as layer 'addresses' (number <- HOUSE_NUM, street <- STREET)" in out
    assert "addresses.geojson feature 2: HOUSE_NUM/STREET '' 'Maple Court'" in out
    assert list(AddressPoint.objects.values_list("number", "street")) == [(7512, "MAPLE CT")]
    with pytest.raises(CommandError, match=r"addresses.geojson: no field 'ADDR' for the address; the fields are"):
        call_command("geocode", "load-points", str(path), address_field="ADDR")
