"""311 CSV exports load as Open311 service requests through a `kind = "request"` profile (issue 15),
with the state history that service levels need."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.conftest import shared_data

from copps.community.models import Service, ServiceRequest, StateChange
from copps.community.service_levels import ALL_AREAS, service_levels

# The NYC Open Data "311 Service Requests" (erm2-nwe9) Socrata CSV header, in its order.
NYC_HEADER = [
    "Unique Key", "Created Date", "Closed Date", "Agency", "Agency Name", "Complaint Type", "Descriptor",
    "Location Type", "Incident Zip", "Incident Address", "Street Name", "Cross Street 1", "Cross Street 2",
    "Intersection Street 1", "Intersection Street 2", "Address Type", "City", "Landmark", "Facility Type",
    "Status", "Due Date", "Resolution Description", "Resolution Action Updated Date", "Community Board", "BBL",
    "Borough", "X Coordinate (State Plane)", "Y Coordinate (State Plane)", "Open Data Channel Type",
    "Park Facility Name", "Park Borough", "Vehicle Type", "Taxi Company Borough", "Taxi Pick Up Location",
    "Bridge Highway Name", "Bridge Highway Direction", "Road Ramp", "Bridge Highway Segment", "Latitude",
    "Longitude", "Location",
]  # fmt: skip

# key, created, closed, agency, complaint type, descriptor, status, updated, address, lat, lon
ROWS = [
    ("1001", "01/05/2024 10:00:00 PM", "01/06/2024 01:30:00 AM", "NYPD", "Noise - Residential", "Loud Music/Party",
     "Closed", "01/06/2024 01:30:00 AM", "123 WEST 75 STREET", "40.7805", "-73.9787"),
    ("1002", "01/06/2024 08:15:00 AM", "", "DOT", "Street Light Condition", "Street Light Out",
     "Open", "", "40 RIVERSIDE DRIVE", "40.7810", "-73.9850"),
    ("1003", "01/06/2024 09:00:00 AM", "", "NYPD", "Illegal Parking", "Blocked Hydrant",
     "In Progress", "01/07/2024 09:00:00 AM", "300 WEST 72 STREET", "40.7800", "-73.9840"),
    ("1004", "01/06/2024 11:00:00 PM", "", "NYPD", "Noise - Residential", "Banging/Pounding",
     "Assigned", "01/07/2024 01:00:00 AM", "125 WEST 75 STREET", "40.7806", "-73.9788"),
    ("1005", "01/07/2024 07:45:00 AM", "01/07/2024 09:45:00 AM", "NYPD", "Blocked Driveway", "No Access",
     "Closed", "01/07/2024 09:45:00 AM", "", "", ""),
    # the street light, closed: a later row with the same key updates it
    ("1002", "01/06/2024 08:15:00 AM", "01/08/2024 08:15:00 AM", "DOT", "Street Light Condition", "Street Light Out",
     "Closed", "01/08/2024 08:15:00 AM", "40 RIVERSIDE DRIVE", "40.7810", "-73.9850"),
]  # fmt: skip


def nyc_file(tmp_path: Path, rows=ROWS, name: str = "311.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, NYC_HEADER)
        writer.writeheader()
        for key, created, closed, agency, ctype, desc, status, updated, address, lat, lon in rows:
            row = dict.fromkeys(NYC_HEADER, "")
            row.update({
                "Unique Key": key, "Created Date": created, "Closed Date": closed, "Agency": agency,
                "Complaint Type": ctype, "Descriptor": desc, "Status": status,
                "Resolution Action Updated Date": updated, "Incident Address": address, "Latitude": lat,
                "Longitude": lon, "Borough": "MANHATTAN", "Incident Zip": "10023",
            })  # fmt: skip
            writer.writerow(row)
    return path


def load(path: Path, *extra: str) -> str:
    out = StringIO()
    call_command("requests", "import", str(path), "--profile", "nyc-311", *extra, stdout=out)
    return out.getvalue()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.django_db
def test_nyc_311_export_loads_as_requests_with_their_history(tmp_path):
    out = load(nyc_file(tmp_path))
    assert "requests 5 created, 0 updated, 0 unchanged; 4 services created from the requests" in out
    states = dict(ServiceRequest.objects.values_list("public_id", "state"))
    assert states == {"1001": "closed_fixed", "1002": "closed_fixed", "1003": "in_progress",
                      "1004": "acknowledged", "1005": "closed_fixed"}  # fmt: skip
    noise = ServiceRequest.objects.get(public_id="1001")
    # 10:00 PM Eastern (UTC-5) is 03:00 UTC the next day
    assert noise.requested_at == utc("2024-01-06 03:00:00")
    assert noise.service.name == "Noise - Residential" and noise.service.service_code == "noise-residential"
    assert (noise.agency_responsible, noise.block_address, noise.zipcode) == ("NYPD", "1XX WEST 75 STREET", "10023")
    assert noise.source == "import" and noise.raw["Descriptor"] == "Loud Music/Party"
    assert ServiceRequest.objects.get(public_id="1005").lat is None
    steps = list(StateChange.objects.order_by("request__public_id").values_list("request__public_id", "to_state", "at"))
    assert steps == [
        ("1001", "closed_fixed", utc("2024-01-06 06:30:00")),
        ("1002", "closed_fixed", utc("2024-01-08 13:15:00")),
        ("1003", "in_progress", utc("2024-01-07 14:00:00")),
        ("1004", "acknowledged", utc("2024-01-07 06:00:00")),
        ("1005", "closed_fixed", utc("2024-01-07 14:45:00")),
    ]
    # service levels now have acknowledged and closed times, not "acknowledged 0, fixed 100%"
    level = next(
        lv for lv in service_levels(ServiceRequest.objects.all())
        if lv.category == "Noise - Residential" and lv.area == ALL_AREAS
    )  # fmt: skip
    assert (level.requests, level.acknowledged, level.closed, level.closed_fixed) == (2, 2, 1, 1)
    assert (level.acknowledge_median_h, level.close_median_h) == (2.75, 3.5)

    # re-importing changes nothing, history included
    assert "requests 0 created, 0 updated, 5 unchanged" in load(nyc_file(tmp_path))
    assert StateChange.objects.count() == 5


@pytest.mark.django_db
def test_a_changed_request_replaces_its_imported_history_but_not_staff_steps(tmp_path, cast):
    load(nyc_file(tmp_path, ROWS[:4]))
    parking = ServiceRequest.objects.get(public_id="1003")
    StateChange.objects.create(request=parking, at=utc("2024-01-07 15:00:00"), from_state="in_progress",
                               to_state="referred", user=cast["officer"])  # fmt: skip
    closed = ("1003", "01/06/2024 09:00:00 AM", "01/09/2024 09:00:00 AM", "NYPD", "Illegal Parking", "Blocked Hydrant",
              "Closed", "01/09/2024 09:00:00 AM", "300 WEST 72 STREET", "40.7800", "-73.9840")  # fmt: skip
    assert "0 created, 1 updated, 0 unchanged" in load(nyc_file(tmp_path, [closed], "later.csv"))
    steps = list(parking.changes.order_by("at").values_list("to_state", "imported"))
    assert steps == [("referred", False), ("closed_fixed", True)]


@pytest.mark.django_db
def test_a_bad_row_is_named_and_nothing_loads(tmp_path):
    bad = list(ROWS[:3])
    bad[1] = ("1002", "13/45/2024 08:15:00 AM", *ROWS[1][2:])
    path = nyc_file(tmp_path, bad)
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 3 rows are bad; nothing was imported"):
        call_command("requests", "import", str(path), "--profile", "nyc-311", stderr=err)
    assert f"{path}:3: Created Date: '13/45/2024 08:15:00 AM' is not a date/time" in err.getvalue()
    assert not ServiceRequest.objects.exists() and not Service.objects.exists()
    # --skip-bad loads the good ones and says which was skipped
    out = load(path, "--skip-bad")
    assert "requests 2 created" in out and "1 skipped (line 3: Created Date:" in out


@pytest.mark.django_db
def test_profile_kinds_are_kept_to_their_commands(tmp_path):
    with pytest.raises(CommandError, match="copps requests import .* --profile nyc-311"):
        call_command("import_events", str(nyc_file(tmp_path)), profile="nyc-311")
    with pytest.raises(CommandError, match="is a crime profile"):
        call_command("requests", "import", str(nyc_file(tmp_path)), "--profile", "chicago")


@pytest.mark.django_db
def test_open311_feed_import_records_the_close_as_history():
    call_command("requests", "import", str(shared_data("open311/bloomington_in_requests_2012.json")), stdout=StringIO())
    closed = ServiceRequest.objects.filter(state="closed_fixed")
    assert closed.count() > 0
    assert StateChange.objects.filter(imported=True).count() == closed.count()
    for request in closed:
        (step,) = request.changes.all()
        assert (step.to_state, step.at) == ("closed_fixed", request.updated_at)
