"""Messy real-world exports: each quirk is handled, and bad rows are named precisely."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from copps.incidents.models import Event, ImportBatch

PROFILE = """
[profile]
kind = "crime"
timezone = "America/Denver"
{extra}
[columns]
id = "INCIDENT_ID"
occurred_from = "FIRST_OCCURRENCE_DATE"
occurred_to = "LAST_OCCURRENCE_DATE"
reported = "REPORTED_DATE"
offense = "OFFENSE_TYPE_ID"
address = "INCIDENT_ADDRESS"
{coords}
[formats]
{formats}
"""
HEADER = "INCIDENT_ID,FIRST_OCCURRENCE_DATE,LAST_OCCURRENCE_DATE,REPORTED_DATE,OFFENSE_TYPE_ID,INCIDENT_ADDRESS,GEO_LAT,GEO_LON"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def denver_profile(
    tmp_path: Path, *, extra="", coords='lat = "GEO_LAT"\nlon = "GEO_LON"', formats='datetime = "%m/%d/%Y %I:%M:%S %p"'
) -> Path:
    return write(tmp_path, "denver.toml", PROFILE.format(extra=extra, coords=coords, formats=formats))


def rows(*lines: str, header: str = HEADER, newline: str = "\n") -> str:
    return newline.join([header, *lines]) + newline


GOOD = [
    "1,1/2/2024 11:30:00 PM,1/3/2024 6:00:00 AM,1/3/2024 7:00:00 AM,burglary-residence,1234 E COLFAX AVE,39.74,-104.97",
    "2,2/14/2024 8:05:00 AM,,2/14/2024 9:00:00 AM,theft-shoplift,55 N BROADWAY,39.72,-104.98",
]


@pytest.mark.django_db
def test_user_profile_toml_imports_an_unknown_schema_with_timezone(tmp_path):
    path = write(tmp_path, "denver.csv", rows(*GOOD))
    call_command("import_events", str(path), profile=str(denver_profile(tmp_path)))
    e = Event.objects.get(source_id="1")
    # 11:30 PM Mountain Standard Time is 06:30 UTC the next day
    assert e.occurred_from == datetime(2024, 1, 3, 6, 30, tzinfo=UTC)
    assert e.occurred_to == datetime(2024, 1, 3, 13, 0, tzinfo=UTC)
    assert e.reported_at == datetime(2024, 1, 3, 14, 0, tzinfo=UTC)
    assert e.block_address == "12XX E COLFAX AVE"
    assert e.x is not None and e.y is not None
    assert Event.objects.get(source_id="2").occurred_to is None


@pytest.mark.django_db
@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["cr-only", "crlf", "lf"])
def test_line_endings_and_bom(tmp_path, newline):
    text = rows(*GOOD, newline=newline)
    path = write(tmp_path, "x.csv", b"\xef\xbb\xbf" + text.encode())
    call_command("import_events", str(path), profile=str(denver_profile(tmp_path)))
    assert Event.objects.count() == 2
    assert Event.objects.get(source_id="1").raw["INCIDENT_ID"] == "1"  # BOM not glued to the first column


@pytest.mark.django_db
def test_detected_formats_two_digit_years_and_excel_serial_dates(tmp_path):
    lines = [
        "1,01/02/24 23:30,,,burglary,10 MAIN ST,39.74,-104.97",
        "2,01/05/24 08:00,,,burglary,20 MAIN ST,39.74,-104.97",
        "3,45299.5,,,burglary,30 MAIN ST,39.74,-104.97",  # a cell Excel turned into a day number
        "4,2024-01-07 10:15,,,burglary,40 MAIN ST,39.74,-104.97",  # re-typed by hand in ISO form
    ]
    path = write(tmp_path, "x.csv", rows(*lines))
    call_command("import_events", str(path), profile=str(denver_profile(tmp_path, formats="")))
    got = {e.source_id: e.occurred_from.astimezone(UTC) for e in Event.objects.all()}
    assert got["1"] == datetime(2024, 1, 3, 6, 30, tzinfo=UTC)
    assert got["3"] == datetime(2024, 1, 8, 19, 0, tzinfo=UTC)  # 45299.5 = 2024-01-08 12:00 local
    assert got["4"] == datetime(2024, 1, 7, 17, 15, tzinfo=UTC)


@pytest.mark.django_db
def test_missing_and_zero_coordinates_are_kept_as_ungeocoded(tmp_path):
    lines = [
        GOOD[0],
        "2,2/14/2024 8:05:00 AM,,,theft,55 N BROADWAY,,",
        "3,2/14/2024 8:05:00 AM,,,theft,55 N BROADWAY,0,0",
    ]
    path = write(tmp_path, "x.csv", rows(*lines))
    call_command("import_events", str(path), profile=str(denver_profile(tmp_path)))
    assert ImportBatch.objects.get().ungeocoded == 2
    assert Event.objects.filter(lat__isnull=True).count() == 2


@pytest.mark.django_db
def test_projected_state_plane_coordinates(tmp_path):
    # Colorado Central state plane (US feet), EPSG:2232: Denver's Civic Center ~ (3143000, 1692000)
    header = "INCIDENT_ID,FIRST_OCCURRENCE_DATE,LAST_OCCURRENCE_DATE,REPORTED_DATE,OFFENSE_TYPE_ID,INCIDENT_ADDRESS,GEO_X,GEO_Y"
    path = write(
        tmp_path, "x.csv", rows("1,1/2/2024 11:30:00 PM,,,burglary,1 CIVIC CENTER,3143000,1692000", header=header)
    )
    profile = denver_profile(tmp_path, extra='crs = "EPSG:2232"', coords='x = "GEO_X"\ny = "GEO_Y"')
    call_command("import_events", str(path), profile=str(profile))
    e = Event.objects.get()
    assert 39.6 < e.lat < 39.9 and -105.1 < e.lon < -104.8


@pytest.mark.django_db
def test_exact_duplicates_imported_once_and_newer_version_reclassifies(tmp_path):
    profile = str(denver_profile(tmp_path))
    path = write(tmp_path, "x.csv", rows(GOOD[0], GOOD[0], GOOD[1]))
    call_command("import_events", str(path), profile=profile)
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.duplicate) == (3, 2, 1)
    # The department reclassifies incident 2 in a later export: the newer version updates it.
    later = write(tmp_path, "later.csv", rows(GOOD[0], GOOD[1].replace("theft-shoplift", "robbery-street")))
    call_command("import_events", str(later), profile=profile)
    batch = ImportBatch.objects.order_by("-id").first()
    assert (batch.inserted, batch.updated, batch.unchanged) == (0, 1, 1)
    assert Event.objects.get(source_id="2").offense == "robbery-street"
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_bad_rows_import_nothing_and_are_named_by_file_line_field(tmp_path, capsys):
    lines = [
        GOOD[0],
        "2,not a date,,,theft,1 A ST,39.7,-104.9",
        "3,1/2/2024 1:00:00 AM,,,theft,1 A ST,139.7,-104.9",
        "4,1/2/2024 1:00:00 AM,,,theft,1 A ST,39.7",
        ",1/2/2024 1:00:00 AM,,,theft,1 A ST,39.7,-104.9",
    ]
    path = write(tmp_path, "bad.csv", rows(*lines))
    with pytest.raises(CommandError, match="4 of 5 rows are bad; nothing was imported"):
        call_command("import_events", str(path), profile=str(denver_profile(tmp_path)))
    err = capsys.readouterr().err
    assert f"{path}:3: FIRST_OCCURRENCE_DATE: 'not a date' is not a date/time" in err
    assert f"{path}:4: GEO_LAT: 139.7 is not a latitude" in err
    assert f"{path}:5: row: has 7 fields, the header has 8" in err
    assert f"{path}:6: INCIDENT_ID: empty id" in err
    assert Event.objects.count() == 0 and ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_skip_bad_imports_good_rows_and_writes_rejects_beside_input(tmp_path):
    path = write(tmp_path, "bad.csv", rows(GOOD[0], "2,not a date,,,theft,1 A ST,39.7,-104.9", GOOD[1]))
    call_command("import_events", str(path), profile=str(denver_profile(tmp_path)), skip_bad=True)
    assert sorted(Event.objects.values_list("offense", flat=True)) == ["burglary-residence", "theft-shoplift"]
    rejects = tmp_path / "bad.csv.rejects.csv"
    with rejects.open() as fh:
        got = list(csv.DictReader(fh))
    assert [(r["line"], r["field"], r["INCIDENT_ID"]) for r in got] == [("3", "FIRST_OCCURRENCE_DATE", "2")]
    assert ImportBatch.objects.get().rejected == 1


@pytest.mark.django_db
def test_missing_columns_and_bad_profiles_are_explained(tmp_path):
    path = write(tmp_path, "x.csv", "A,B\n1,2\n")
    with pytest.raises(CommandError, match="needs column\\(s\\) 'FIRST_OCCURRENCE_DATE'.*The file's columns are: A, B"):
        call_command("import_events", str(path), profile=str(denver_profile(tmp_path)))
    with pytest.raises(CommandError, match="no built-in profile called 'nope'"):
        call_command("import_events", str(path), profile="nope")
    bad = write(tmp_path, "bad.toml", "[profile]\nkind = 'crimes'\n")
    with pytest.raises(CommandError, match="kind = 'crimes'; expected one of crime, call, collision"):
        call_command("import_events", str(path), profile=str(bad))


# A NUL byte in one field (issue 13, check C11): PostgreSQL text cannot hold it, and it used to
# abort the whole import there with a traceback, --skip-bad or not. It is a bad value on both.
NUL_ROW = "2,2/14/2024 8:05:00 AM,,2/14/2024 9:00:00 AM,theft-\x00shoplift,55 N BROADWAY,39.72,-104.98"


@pytest.mark.django_db
def test_a_nul_byte_is_a_row_error_naming_file_line_and_field(tmp_path, capsys):
    path = write(tmp_path, "nul.csv", rows(GOOD[0], NUL_ROW))
    with pytest.raises(CommandError, match="1 of 2 rows are bad; nothing was imported"):
        call_command("import_events", str(path), profile=str(denver_profile(tmp_path)))
    assert f"{path}:3: OFFENSE_TYPE_ID: holds a NUL character" in capsys.readouterr().err
    assert Event.objects.count() == 0 and ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_skip_bad_rejects_the_row_with_a_nul_byte_and_imports_the_rest(tmp_path):
    path = write(tmp_path, "nul.csv", rows(GOOD[0], NUL_ROW, "3" + GOOD[1][1:]))
    call_command("import_events", str(path), profile=str(denver_profile(tmp_path)), skip_bad=True)
    assert sorted(Event.objects.values_list("source_id", flat=True)) == ["1", "3"]
    with (tmp_path / "nul.csv.rejects.csv").open(newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [(r["line"], r["field"], r["INCIDENT_ID"]) for r in got] == [("3", "OFFENSE_TYPE_ID", "2")]
    assert ImportBatch.objects.get().rejected == 1


@pytest.mark.django_db
def test_a_nul_byte_in_the_header_is_refused_with_a_message(tmp_path):
    path = write(tmp_path, "nul.csv", rows(GOOD[0], header=HEADER.replace("GEO_LON", "GEO\x00LON")))
    with pytest.raises(CommandError, match="the header holds a NUL character"):
        call_command("import_events", str(path), profile=str(denver_profile(tmp_path)))
    assert Event.objects.count() == 0
