"""Beat / district / neighbourhood polygons from GeoJSON, KML and shapefiles; events assigned by
point-in-polygon; agreement with the beat the source names."""

from __future__ import annotations

import json

import pytest
import shapefile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from tests.conftest import shared_data

from copps.incidents.models import Area, Event

SQUARE_A = [[-87.70, 41.80], [-87.60, 41.80], [-87.60, 41.90], [-87.70, 41.90], [-87.70, 41.80]]
SQUARE_B = [[-87.60, 41.80], [-87.50, 41.80], [-87.50, 41.90], [-87.60, 41.90], [-87.60, 41.80]]


@pytest.mark.django_db
def test_chicago_2014_beats_agree_with_the_beat_named_in_the_rows(capsys):
    call_command("import_events", str(shared_data("chicago/chicago_crimes_2014_socrata_sample.csv")), profile="chicago")
    capsys.readouterr()
    call_command(
        "areas",
        "import",
        str(shared_data("boundaries/chicago_police_beats_2014.geojson")),
        type="beat",
        name_field="BEAT_NUM",
    )
    out = capsys.readouterr().out
    assert "6,884 events assigned" in out
    assert "for 6,880 of 6,884 events (99.94%)" in out
    assert Event.objects.filter(lat__isnull=False, beat__isnull=True).count() == 0
    # Beats drawn in several parts become one area each.
    assert Area.objects.filter(type="beat").count() == len(
        {
            f["properties"]["BEAT_NUM"]
            for f in json.loads(shared_data("boundaries/chicago_police_beats_2014.geojson").read_text())["features"]
        }
    )


@pytest.mark.django_db
def test_districts_then_beats_with_parents_and_events_imported_later_are_assigned(tmp_path, capsys):
    call_command(
        "areas",
        "import",
        str(shared_data("boundaries/chicago_police_districts_2014_simple.geojson")),
        type="district",
        name_field="DIST_LABEL",
        code_field="DIST_NUM",
    )
    call_command(
        "areas",
        "import",
        str(shared_data("boundaries/chicago_police_beats_2014.geojson")),
        type="beat",
        name_field="BEAT_NUM",
        parent_field="DISTRICT",
        parent_type="district",
    )
    beat = Area.objects.get(type="beat", code="1713")
    assert beat.parent.code == "17" and beat.parent.name == "17TH"
    call_command("import_events", str(shared_data("chicago/chicago_crimes_2014_socrata_sample.csv")), profile="chicago")
    assigned = Event.objects.filter(beat__isnull=False, district__isnull=False).count()
    assert assigned >= 6884 - 5
    mismatched = Event.objects.filter(beat__isnull=False).exclude(beat__parent=F("district")).count()
    assert mismatched <= 10  # a handful of points on district edges after simplification


def test_kml_and_shapefile_boundaries(tmp_path, db):
    kml = tmp_path / "hoods.kml"
    placemarks = "".join(
        f'<Placemark><name>{name}</name><ExtendedData><Data name="CODE"><value>{code}</value></Data></ExtendedData>'
        f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{' '.join(f'{x},{y},0' for x, y in ring)}</coordinates>"
        f"</LinearRing></outerBoundaryIs></Polygon></Placemark>"
        for name, code, ring in [("West Side", "W", SQUARE_A), ("East Side", "E", SQUARE_B)]
    )
    kml.write_text(
        f'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>{placemarks}</Document></kml>'
    )
    call_command("areas", "import", str(kml), type="neighbourhood", name_field="name", code_field="CODE")
    assert sorted(Area.objects.filter(type="neighbourhood").values_list("code", "name")) == [
        ("E", "East Side"),
        ("W", "West Side"),
    ]

    shp = tmp_path / "beats.shp"
    with shapefile.Writer(str(shp), shapeType=shapefile.POLYGON) as w:
        w.field("BEAT", "C")
        w.poly([SQUARE_A])
        w.record("A1")
        w.poly([SQUARE_B])
        w.record("B2")
    call_command("areas", "import", str(shp), type="beat", name_field="BEAT")
    a1 = Area.objects.get(type="beat", code="A1")
    assert a1.min_lon == pytest.approx(-87.70) and a1.max_lat == pytest.approx(41.90)


def test_bad_boundary_files_are_explained(tmp_path, db):
    with pytest.raises(CommandError, match="no such file"):
        call_command("areas", "import", str(tmp_path / "nope.geojson"), type="beat", name_field="BEAT")
    bad = tmp_path / "x.geojson"
    bad.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"B": 1}, '
        '"geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}]}'
    )
    with pytest.raises(CommandError, match="--name-field 'BEAT' is not a property of the features; they have: B"):
        call_command("areas", "import", str(bad), type="beat", name_field="BEAT")
    csvfile = tmp_path / "x.csv"
    csvfile.write_text("a,b\n")
    with pytest.raises(CommandError, match="unknown boundary format"):
        call_command("areas", "import", str(csvfile), type="beat", name_field="a")
