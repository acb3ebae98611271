"""copps requests import: Open311 files (the synthetic city's, and real ones) load once, into
their beats, and re-importing changes nothing."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.community.conftest import get_both
from tests.conftest import shared_data

from copps.community.models import Service, ServiceRequest


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from copps.simulate import generate

    out = tmp_path_factory.mktemp("city")
    generate(7, 1, out)
    return out


def run(*files, capsys) -> str:
    call_command("requests", "import", *map(str, files))
    return capsys.readouterr().out


@pytest.mark.django_db
def test_the_synthetic_city_loads_into_its_beats_and_reloads_as_unchanged(city, capsys):
    call_command("areas", "import", str(city / "districts.geojson"), type="district", name_field="NAME",
                 code_field="DISTRICT")
    call_command("areas", "import", str(city / "beats.geojson"), type="beat", name_field="BEAT",
                 parent_field="DISTRICT", parent_type="district")
    capsys.readouterr()
    rows = json.loads((city / "requests.json").read_text())
    out = run(city / "requests.json", city / "services.json", capsys=capsys)  # services load first anyway
    assert "services 9 created" in out
    assert f"requests {len(rows):,} created, 0 updated, 0 unchanged" in out
    assert ServiceRequest.objects.count() == len(rows)
    located = [r for r in rows if r["lat"] not in (None, 0)]
    assert ServiceRequest.objects.filter(beat__isnull=False).count() == len(located)
    assert ServiceRequest.objects.filter(district__isnull=False).count() == len(located)
    assert ServiceRequest.objects.filter(state="closed_fixed").count() == sum(r["status"] == "closed" for r in rows)
    sample = rows[0]
    sr = ServiceRequest.objects.get(public_id=sample["service_request_id"])
    assert sr.service.name == sample["service_name"] and sr.description == sample["description"]
    assert sr.source == "import" and sr.raw == sample
    again = run(city / "services.json", city / "requests.json", capsys=capsys)
    assert f"requests 0 created, 0 updated, {len(rows):,} unchanged" in again
    assert "services 0 created, 0 updated, 9 unchanged" in again


@pytest.mark.django_db
def test_an_imported_request_reads_back_through_open311(city, client, capsys):
    run(city / "services.json", city / "requests.json", capsys=capsys)
    row = json.loads((city / "requests.json").read_text())[5]
    status, (item,) = get_both(client, f"requests/{row['service_request_id']}")
    assert status == 200
    for key in ("service_request_id", "status", "service_code", "service_name", "description",
                "requested_datetime", "updated_datetime", "zipcode"):
        assert item[key] == row[key], key
    # The reported point is never published (no snap set here: no point at all).
    assert (item["lat"], item["long"]) == (None, None)


@pytest.mark.django_db
def test_a_changed_row_is_updated(tmp_path, services, capsys):
    rows = [{"service_request_id": "r1", "service_code": "GRAF", "status": "open",
             "requested_datetime": "2024-05-01T10:00:00-07:00", "description": "first"}]
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(rows))
    run(path, capsys=capsys)
    rows[0].update(status="closed", description="second", updated_datetime="2024-05-03T10:00:00-07:00")
    path.write_text(json.dumps(rows))
    assert "0 created, 1 updated, 0 unchanged" in run(path, capsys=capsys)
    sr = ServiceRequest.objects.get()
    assert (sr.state, sr.description, sr.status) == ("closed_fixed", "second", "closed")


@pytest.mark.django_db
def test_real_bloomington_json_and_san_francisco_xml_load(capsys):
    out = run(shared_data("open311/bloomington_in_services_2012.json"),
              shared_data("open311/bloomington_in_requests_2012.json"),
              shared_data("open311/san_francisco_services.xml"),
              shared_data("open311/san_francisco_requests.xml"), capsys=capsys)
    assert "requests 21 created" in out and "services 46 created" in out
    assert "requests 56 created" in out and "services 38 created" in out
    sf = ServiceRequest.objects.get(public_id="1129790")
    assert sf.address == "228  SWEENY ST SAN FRANCISCO , CA" and sf.zipcode == "94134"
    assert sf.requested_at.tzinfo is not None  # "2012-05-22 22:36:19.113" read in the agency's zone
    assert ServiceRequest.objects.get(public_id="1129806").lat is None  # SF's 0.0, 0.0 means unknown
    # Both feeds answer requests for services their lists do not offer: those are made from the requests.
    assert "services created from the requests" in out
    assert Service.objects.count() > 46 + 38


@pytest.mark.django_db
def test_bad_files_are_refused_before_anything_loads(tmp_path, services, capsys):
    good = tmp_path / "requests.json"
    good.write_text(json.dumps([{"service_request_id": "r1", "service_code": "GRAF",
                                 "requested_datetime": "2024-05-01T10:00:00Z"}]))
    for name, text, error in [("broken.json", "[{", "not valid JSON"), ("object.json", "{}", "JSON array"),
                              ("other.json", '[{"x": 1}]', "neither"), ("bad.xml", "<a>", "not well-formed")]:
        bad = tmp_path / name
        bad.write_text(text)
        with pytest.raises(CommandError, match=error):
            call_command("requests", "import", str(good), str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("requests", "import", str(tmp_path / "missing.json"))
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_rows_without_id_or_date_are_skipped_and_counted(tmp_path, services, capsys):
    path = tmp_path / "requests.json"
    path.write_text(json.dumps([
        {"service_request_id": "", "service_code": "GRAF"},
        {"service_request_id": "r2", "service_code": "GRAF", "requested_datetime": "soon"},
        {"service_request_id": "r3", "service_code": "NEW", "service_name": "New thing",
         "requested_datetime": "2024-05-01T10:00:00Z"},
    ]))
    out = run(path, capsys=capsys)
    assert "1 created" in out and "2 skipped" in out and "1 services created from the requests" in out
    assert Service.objects.get(service_code="NEW").name == "New thing"


@pytest.mark.django_db
def test_a_far_offset_loads_as_the_same_moment(tmp_path, services, capsys):
    """+23:00 is a W3C offset PostgreSQL cannot store; the request loads, in UTC, on both."""
    path = tmp_path / "requests.json"
    path.write_text(json.dumps([{"service_request_id": "r9", "service_code": "GRAF",
                                 "requested_datetime": "2024-05-02T09:00:00+23:00"}]))
    assert "1 created" in run(path, capsys=capsys)
    assert ServiceRequest.objects.get().requested_at.isoformat() == "2024-05-01T10:00:00+00:00"


@pytest.mark.django_db
@pytest.mark.parametrize("levels", [100_000, 50])
def test_deeply_nested_json_is_refused_with_a_message(tmp_path, services, levels):
    """Issue 13, check C11: 100,000 nested arrays ended in a RecursionError traceback; 50 levels
    inside a request are no Open311 list either. Neither loads, and the message says why."""
    good = tmp_path / "requests.json"
    good.write_text(json.dumps([{"service_request_id": "r1", "service_code": "GRAF",
                                 "requested_datetime": "2024-05-01T10:00:00Z"}]))
    deep = tmp_path / "deep.json"
    nested = "[" * levels + "]" * levels
    deep.write_text(f'[{{"service_request_id": "r2", "service_code": "GRAF", '
                    f'"requested_datetime": "2024-05-01T10:00:00Z", "attributes": {nested}}}]')
    with pytest.raises(CommandError, match=r"deep.json: JSON nested more than 8 levels deep is not an Open311"):
        call_command("requests", "import", str(good), str(deep))
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_open311_attributes_nested_as_the_spec_has_them_still_load(tmp_path, services, capsys):
    path = tmp_path / "requests.json"
    path.write_text(json.dumps([{"service_request_id": "r1", "service_code": "GRAF",
                                 "requested_datetime": "2024-05-01T10:00:00Z",
                                 "attributes": [{"code": "SIZE", "values": [{"key": "1", "name": "small"}]}]}]))
    assert "1 created" in run(path, capsys=capsys)


@pytest.mark.django_db
def test_an_item_with_a_nul_byte_is_skipped_and_counted(tmp_path, services, capsys):
    """Issue 13, check C11: on PostgreSQL a NUL in one request aborted the file with a traceback."""
    path = tmp_path / "requests.json"
    path.write_text(json.dumps([
        {"service_request_id": "r1", "service_code": "GRAF", "requested_datetime": "2024-05-01T10:00:00Z"},
        {"service_request_id": "r\u00002", "service_code": "GRAF", "description": "paint\u0000",
         "requested_datetime": "2024-05-01T10:00:00Z"},
        {"service_request_id": "r3", "service_code": "GRAF", "requested_datetime": "2024-05-01T10:00:00Z",
         "attributes": [{"code": "SIZE\u0000"}]},
    ]))
    out = run(path, capsys=capsys)
    assert "1 created" in out and "2 skipped (item 2 holds a NUL character (byte 0); item 3 holds" in out
    assert list(ServiceRequest.objects.values_list("public_id", flat=True)) == ["r1"]
