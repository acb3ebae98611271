"""Profiles describe any delimited file (issue 15): header-less CAD snapshots, repeated column
names, test records, placeholder values, a date inside a text column, Excel day numbers, UTC
offsets written every way, and SWITRS files of either delimiter. Each test builds the messy file,
imports it through the command and checks the exact counts, the stored local times and what the
summary says was lost."""

from __future__ import annotations

import csv
import re
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.conftest import shared_data

from copps.incidents.importing.profile import parse_profile
from copps.incidents.models import Event, ImportBatch

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(capsys, path: Path, profile: Path | str, **opts) -> str:
    capsys.readouterr()
    call_command("import_events", str(path), profile=str(profile), **opts)
    return capsys.readouterr().out


def local(e: Event, field: str = "occurred_from") -> datetime:
    return getattr(e, field).astimezone(DENVER).replace(tzinfo=None)


# ----- header-less files and columns by position

CAD_ROWS = [
    "24-000101,01/05/2024 13:45:00,DISTURBANCE,100 MAIN ST,2A,39.7401,-104.9801,2B",
    "24-000102,01/05/2024 14:02:10,ALARM,200 MAIN ST,3C,39.7402,-104.9802,3D",
    "24-000103,01/05/2024 23:59:59,DISTURBANCE,300 MAIN ST,4E,39.7403,-104.9803,4F",
]
CAD_PROFILE = """
[profile]
kind = "call"
timezone = "America/Denver"
header = ["call_no", "received", "call_type", "address", "unit", "lat", "lon", "unit"]
[columns]
id = "call_no"
occurred_from = "received"
offense = "call_type"
address = "address"
lat = "lat"
lon = "lon"
beat = {beat}
"""


def test_a_header_less_cad_snapshot_imports_every_line_with_columns_by_position(tmp_path, capsys):
    path = write(tmp_path, "cad_snapshot.csv", "\n".join(CAD_ROWS) + "\n")
    profile = write(tmp_path, "cad.toml", CAD_PROFILE.format(beat='"#8"'))
    out = run_import(capsys, path, profile)
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.rejected) == (3, 3, 0)  # the first line is a call, not a header
    first = Event.objects.get(source_id="24-000101")
    assert local(first) == datetime(2024, 1, 5, 13, 45)
    assert local(Event.objects.get(source_id="24-000103")) == datetime(2024, 1, 5, 23, 59, 59)
    assert first.source_beat == "2B"  # the second "unit" column, named by position
    assert first.raw == {
        "call_no": "24-000101",
        "received": "01/05/2024 13:45:00",
        "call_type": "DISTURBANCE",
        "address": "100 MAIN ST",
        "unit": "2A",
        "lat": "39.7401",
        "lon": "-104.9801",
        "unit#8": "2B",
    }
    assert "column 'unit' appears 2 times (positions 5, 8)" in out


def test_a_repeated_column_name_is_refused_naming_its_positions(tmp_path):
    path = write(tmp_path, "cad_snapshot.csv", "\n".join(CAD_ROWS) + "\n")
    profile = write(tmp_path, "cad.toml", CAD_PROFILE.format(beat='"unit"'))
    with pytest.raises(CommandError, match=r"'unit' appears 2 times in the header; .*\"#5\", \"#8\""):
        call_command("import_events", str(path), profile=str(profile))
    assert not Event.objects.exists() and not ImportBatch.objects.exists()


def test_a_repeated_name_in_a_header_line_is_read_by_position_table(tmp_path, capsys):
    text = (
        "Case,Date,Location,Type,Location,Latitude,Longitude\n"
        "A1,2024-03-01 10:00,1200 BLOCK ELM ST,THEFT,POINT (-104.98 39.74),39.74,-104.98\n"
        "A2,2024-03-01 11:00,1300 BLOCK ELM ST,THEFT,POINT (-104.98 39.74),39.74,-104.98\n"
    )
    profile = write(
        tmp_path,
        "p.toml",
        '[profile]\nkind = "crime"\ntimezone = "America/Denver"\n[columns]\nid = "Case"\noccurred_from = "Date"\n'
        'offense = "Type"\naddress = { position = 3 }\nlat = "Latitude"\nlon = "Longitude"\n',
    )
    run_import(capsys, write(tmp_path, "x.csv", text), profile)
    assert Event.objects.get(source_id="A1").address == "1200 BLOCK ELM ST"  # the first copy, not the last
    assert Event.objects.get(source_id="A1").raw["Location#5"] == "POINT (-104.98 39.74)"


def test_a_header_given_for_a_file_that_has_one_is_refused(tmp_path):
    text = "call_no,received,call_type,address,unit,lat,lon,unit\n" + CAD_ROWS[0] + "\n"
    profile = write(tmp_path, "cad.toml", CAD_PROFILE.format(beat='"#8"'))
    with pytest.raises(CommandError, match="the file has a header line"):
        call_command("import_events", str(write(tmp_path, "x.csv", text)), profile=str(profile))


# ----- filters, placeholders and extraction

DENVER_PROFILE = """
[profile]
kind = "crime"
timezone = "America/Denver"
[columns]
id = "OFFENSE_ID"
incident = "INCIDENT_ID"
occurred_from = "FIRST_OCCURRENCE_DATE"
offense = "OFFENSE_TYPE_ID"
address = "INCIDENT_ADDRESS"
lat = "GEO_LAT"
lon = "GEO_LON"
{extra}
"""
HEADER = "OFFENSE_ID,INCIDENT_ID,FIRST_OCCURRENCE_DATE,OFFENSE_TYPE_ID,INCIDENT_ADDRESS,GEO_LAT,GEO_LON,STATUS"


def denver(tmp_path: Path, extra: str = "") -> Path:
    return write(tmp_path, "denver.toml", DENVER_PROFILE.format(extra=extra))


def test_filters_drop_test_records_and_keep_approved_rows_with_counts(tmp_path, capsys):
    lines = [
        HEADER,
        "1,101,1/2/2024 11:30:00 PM,burglary,100 MAIN ST,39.74,-104.97,APPROVED",
        "PLTEST-1,PLTEST,1/2/2024 11:31:00 PM,burglary,1 TRAINING WAY,39.74,-104.97,APPROVED",
        "2,102,1/3/2024 8:00:00 AM,theft,200 MAIN ST,39.74,-104.97,APPROVED",
        "3,103,1/3/2024 9:00:00 AM,theft,300 MAIN ST,39.74,-104.97,VOID",
        "PLTEST-2,PLTEST,not a date,burglary,1 TRAINING WAY,39.74,-104.97,APPROVED",
        "4,104,1/4/2024 10:00:00 AM,robbery,400 MAIN ST,39.74,-104.97,approved",
    ]
    extra = """
[[filter.drop]]
column = "INCIDENT_ID"
pattern = "^PLTEST"
[[filter.keep]]
column = "STATUS"
values = ["APPROVED"]
"""
    path = write(tmp_path, "x.csv", "\n".join(lines) + "\n")
    out = run_import(capsys, path, denver(tmp_path, extra))
    batch = ImportBatch.objects.get()
    # the test record with a bad date is filtered out, not a bad row that stops the import
    assert (batch.read, batch.filtered, batch.inserted, batch.rejected) == (6, 3, 3, 0)
    assert sorted(Event.objects.values_list("source_id", flat=True)) == ["1", "2", "4"]
    assert "filtered out 3" in out
    assert "filter drop INCIDENT_ID ~ /^PLTEST/: 2 (lines 3, 6)" in out
    assert "filter keep STATUS in ['APPROVED']: 1 (line 5)" in out
    assert "filter drop INCIDENT_ID ~ /^PLTEST/: 2 (lines 3, 6)" in batch.notes
    # idempotent: the same file again changes nothing and filters the same rows
    run_import(capsys, path, denver(tmp_path, extra))
    again = ImportBatch.objects.order_by("-id").first()
    assert (again.filtered, again.inserted, again.unchanged) == (3, 0, 3)


def test_placeholder_values_become_missing_and_do_not_top_the_risky_places(tmp_path, capsys):
    station = "39.7392,-104.9903"  # where the RMS puts a report it cannot place
    lines = [HEADER]
    for i in range(12):
        lines.append(f"{i},{i},1/{i + 2}/2024 11:30:00 PM,theft,OFFSET TO PROTECT PRIVACY,{station},APPROVED")
    for i in range(12, 16):
        lines.append(f"{i},{i},1/{i + 2}/2024 11:30:00 PM,theft,1250 ELM ST,39.7{i},-104.9{i},APPROVED")
    for i in range(16, 19):
        lines.append(f"{i},{i},1/{i + 2}/2024 11:30:00 PM,theft,1300 OAK ST,{station},APPROVED")
    extra = """
[values]
null = { INCIDENT_ADDRESS = ["offset to protect privacy"] }
null_points = [[39.7392, -104.9903]]
"""
    out = run_import(capsys, write(tmp_path, "x.csv", "\n".join(lines) + "\n"), denver(tmp_path, extra))
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.ungeocoded) == (19, 19, 15)
    assert Event.objects.filter(address="", block_address="").count() == 12
    assert Event.objects.filter(lat__isnull=True, x__isnull=True).count() == 15
    assert Event.objects.get(source_id="0").raw["INCIDENT_ADDRESS"] == "OFFSET TO PROTECT PRIVACY"  # as imported
    assert (
        "placeholder made missing: INCIDENT_ADDRESS = 'OFFSET TO PROTECT PRIVACY': 12 (lines 2, 3, 4, 5, 6, ...)" in out
    )
    assert "placeholder made missing: point (39.7392, -104.9903): 15 (lines 2, 3, 4, 5, 6, ...)" in out
    capsys.readouterr()
    call_command("scan", "places")
    places = capsys.readouterr().out
    assert "OFFSET" not in places
    assert "2 places (hundred blocks) with events" in places
    assert places.index("12XX ELM ST") < places.index("13XX OAK ST")


def test_a_date_is_extracted_from_an_html_description(tmp_path, capsys):
    rows = [
        ("16-1", "<p>Burglary reported.<br/>Occurred: 1/21/2016 at 1900<br/>Officer: 1234</p>"),
        ("16-2", "<p>Theft.<br/>Occurred:  12/3/2016 at 0705</p>"),
        ("16-3", "<p>Vandalism, date not given</p>"),
    ]
    path = tmp_path / "rss.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["guid", "title", "description", "lat", "lon"])
        for guid, desc in rows:
            w.writerow([guid, "Report", desc, "41.88", "-87.63"])
    profile = write(
        tmp_path,
        "rss.toml",
        """
[profile]
kind = "crime"
timezone = "America/Chicago"
[[extract]]
name = "occurred_text"
column = "description"
pattern = 'Occurred:\\s*(\\d{1,2}/\\d{1,2}/\\d{4}) at (\\d{4})'
[columns]
id = "guid"
occurred_from = "occurred_text"
offense = "title"
lat = "lat"
lon = "lon"
""",
    )
    out = run_import(capsys, path, profile, skip_bad=True)
    chicago = ZoneInfo("America/Chicago")
    got = {e.source_id: e.occurred_from.astimezone(chicago).replace(tzinfo=None) for e in Event.objects.all()}
    assert got == {"16-1": datetime(2016, 1, 21, 19, 0), "16-2": datetime(2016, 12, 3, 7, 5)}
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.rejected) == (3, 2, 1)
    assert "extract occurred_text: found in 2 rows; not found in 1 (line 4)" in out
    assert batch.errors == [f"{path}:4: occurred_text: empty: when it happened is required"]


# ----- dates: Excel day numbers and UTC offsets


def test_excel_serial_dates_are_detected_and_rounded_to_the_second(tmp_path, capsys):
    lines = [HEADER]
    expected = {}
    start = datetime(2024, 1, 1)
    for i in range(100):
        when = start + timedelta(days=i // 24, hours=i % 24, minutes=(7 * i) % 60)
        delta = when - datetime(1899, 12, 30)
        # as a spreadsheet writes it to CSV: a day number with six decimals (within 0.05 s)
        serial = f"{delta.days + delta.seconds / 86400:.6f}"
        lines.append(f"{i},{i},{serial},theft,1 MAIN ST,39.74,-104.97,APPROVED")
        expected[str(i)] = when
    profile = denver(tmp_path)  # no [formats] at all
    out = run_import(capsys, write(tmp_path, "excel.csv", "\n".join(lines) + "\n"), profile)
    got = {e.source_id: local(e) for e in Event.objects.all()}
    assert got == expected  # read unrounded, 19:00 was 18:59:59.96: the previous hour
    assert "inserted 100" in out


@pytest.mark.parametrize(
    "values, fmt",
    [
        (["2023-01-01 00:00:00+00", "2023-06-30 23:15:00+00"], None),
        (["2023-01-01 00:00:00+0000", "2023-06-30 23:15:00+0000"], None),
        (["2023-01-01T00:00:00Z", "2023-06-30T23:15:00Z"], None),
        (["2023-01-01 05:30:00+05:30", "2023-07-01 04:45:00+05:30"], None),
        (["2022-12-31T19:00:00-05", "2023-06-30T19:15:00-04"], None),
        (["2023-01-01 00:00:00+00", "2023-06-30 23:15:00+00"], "%Y-%m-%d %H:%M:%S%z"),
        (["2023-01-01T00:00:00Z", "2023-06-30T23:15:00Z"], "%Y-%m-%dT%H:%M:%S%z"),
        (["2023-01-01 05:30:00+05:30", "2023-07-01 04:45:00+05:30"], "%Y-%m-%d %H:%M:%S%z"),
    ],
    ids=["plus00", "plus0000", "Z", "plus0530", "minus05-T", "plus00-fmt", "Z-fmt", "plus0530-fmt"],
)
def test_utc_offsets_of_every_form_are_parsed(tmp_path, capsys, values, fmt):
    lines = [HEADER] + [f"{i},{i},{v},theft,1 MAIN ST,39.74,-104.97,A" for i, v in enumerate(values)]
    extra = f'[formats]\ndatetime = "{fmt}"' if fmt else ""
    run_import(capsys, write(tmp_path, "x.csv", "\n".join(lines) + "\n"), denver(tmp_path, extra))
    got = [e.occurred_from.astimezone(UTC) for e in Event.objects.order_by("source_id")]
    assert got == [datetime(2023, 1, 1, 0, 0, tzinfo=UTC), datetime(2023, 6, 30, 23, 15, tzinfo=UTC)]


# ----- SWITRS delimiters


def _switrs_rows(n: int) -> list[list[str]]:
    with shared_data("collisions/switrs_san_diego_CollisionRecords_2015.txt").open(newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        return [row for _, row in zip(range(n + 1), reader, strict=False)]


def test_switrs_detects_a_comma_delimited_file(tmp_path, capsys):
    rows = _switrs_rows(40)
    path = tmp_path / "CollisionRecords.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    tab = tmp_path / "CollisionRecords.txt"
    with tab.open("w", newline="") as fh:
        csv.writer(fh, delimiter="\t").writerows(rows)
    run_import(capsys, path, "switrs")
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.rejected) == (40, 40, 0)
    run_import(capsys, tab, "switrs")  # the same records, tab-delimited: the same events
    again = ImportBatch.objects.order_by("-id").first()
    assert (again.read, again.inserted, again.unchanged) == (40, 0, 40)


def test_a_delimiter_mismatch_is_named_as_such(tmp_path):
    rows = _switrs_rows(5)
    path = tmp_path / "CollisionRecords.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    profile = (Path(__file__).parents[2] / "src/copps/incidents/profiles/switrs.toml").read_text()
    profile = profile.replace("[profile]\n", '[profile]\ndelimiter = "tab"\n', 1)
    with pytest.raises(CommandError) as exc:
        call_command("import_events", str(path), profile=str(write(tmp_path, "switrs-tab.toml", profile)))
    message = str(exc.value)
    assert "delimiter mismatch: the profile says the file is tab-delimited" in message
    assert "it looks comma-delimited" in message
    assert "CASE_ID" not in message  # not "CASE_ID missing" while listing it
    assert not ImportBatch.objects.exists()


def test_every_toml_example_in_the_docs_is_valid_and_whole_profiles_load():
    text = (Path(__file__).parents[2] / "docs" / "import-profiles.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    assert len(blocks) >= 7
    whole = 0
    for block in blocks:
        data = tomllib.loads(block)
        if "profile" in data and "columns" in data:
            parse_profile(data)
            whole += 1
    assert whole >= 2
