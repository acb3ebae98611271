"""Identity that never loses data silently (issue 15): by default every row is kept; an incident
key groups offences and supplements apart from the row id; a composite id with a blank part is no
id; the summary lists every merge rule that fired with its first cases; --dry-run writes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from copps.incidents.models import Event, ImportBatch, OffenseCategory, Site
from copps.simulate.write_crimes import SFPD_COLUMNS

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(capsys, path: Path, profile: Path | str, **opts) -> str:
    capsys.readouterr()
    call_command("import_events", str(path), profile=str(profile), **opts)
    return capsys.readouterr().out


# A privacy-blanked export: block, hour and type only, no id. Same block, same hour, same type is
# two real offences, not a duplicate.
BLANKED = """BLOCK,HOUR,TYPE,LAT,LON
12XX ELM ST,2024-02-01 22:00,THEFT FROM VEHICLE,39.741,-104.981
12XX ELM ST,2024-02-01 22:00,THEFT FROM VEHICLE,39.741,-104.981
12XX ELM ST,2024-02-01 22:00,THEFT FROM VEHICLE,39.741,-104.981
13XX OAK ST,2024-02-02 03:00,BURGLARY,39.742,-104.982
13XX OAK ST,2024-02-02 03:00,BURGLARY,39.742,-104.982
"""
BLANKED_PROFILE = """
[profile]
kind = "crime"
timezone = "America/Denver"
{extra}
[columns]
occurred_from = "HOUR"
offense = "TYPE"
address = "BLOCK"
lat = "LAT"
lon = "LON"
"""


def test_identical_rows_are_kept_by_default_and_said(tmp_path, capsys):
    path = write(tmp_path, "blanked.csv", BLANKED)
    out = run_import(capsys, path, write(tmp_path, "p.toml", BLANKED_PROFILE.format(extra="")))
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.duplicate, batch.identical) == (5, 5, 0, 3)
    assert Event.objects.count() == 5
    assert "kept identical: 3 identical rows without an id, kept as separate events" in out
    assert "(e.g. lines 2..4: 3 identical rows; lines 5..6: 2 identical rows)" in out
    run_import(capsys, path, write(tmp_path, "p.toml", BLANKED_PROFILE.format(extra="")))
    assert (ImportBatch.objects.order_by("-id").first().unchanged, Event.objects.count()) == (5, 5)


def test_merging_identical_rows_is_what_a_profile_says_and_is_reported(tmp_path, capsys):
    path = write(tmp_path, "blanked.csv", BLANKED)
    profile = write(tmp_path, "p.toml", BLANKED_PROFILE.format(extra='identical_rows = "merge"'))
    out = run_import(capsys, path, profile)
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.duplicate) == (5, 2, 3)
    assert (
        "merged duplicate: 3 rows identical to an earlier row (same id, or no id and the same content), counted once"
        in out
    )
    assert "(e.g. no id: lines 3..4 repeat line 2; no id: line 6 repeats line 5)" in out
    assert any(n.startswith("merged duplicate: 3 ") for n in batch.notes)


# A multi-offence export (Denver's shape): one row per offence, INCIDENT_ID shared by the offences
# of one incident, OFFENSE_ID unique.
OFFENCES = """INCIDENT_ID,OFFENSE_ID,OFFENSE_TYPE_ID,FIRST_OCCURRENCE_DATE,GEO_LAT,GEO_LON
2024101,2024101239900,burglary-residence-by-force,1/2/2024 11:30:00 PM,39.74,-104.97
2024101,2024101299900,criminal-mischief-other,1/2/2024 11:30:00 PM,39.74,-104.97
2024101,2024101240400,theft-items-from-vehicle,1/2/2024 11:30:00 PM,39.74,-104.97
2024102,2024102239900,burglary-residence-by-force,1/3/2024 1:00:00 AM,39.75,-104.96
2024103,2024103131300,assault-simple,1/3/2024 2:00:00 AM,39.76,-104.95
"""
OFFENCES_PROFILE = """
[profile]
kind = "crime"
timezone = "America/Denver"
[columns]
{identity}
occurred_from = "FIRST_OCCURRENCE_DATE"
offense = "OFFENSE_TYPE_ID"
lat = "GEO_LAT"
lon = "GEO_LON"
"""


def test_an_incident_with_several_offences_is_one_incident_holding_them(tmp_path, capsys):
    path = write(tmp_path, "offenses.csv", OFFENCES)
    profile = write(tmp_path, "p.toml", OFFENCES_PROFILE.format(identity='id = "OFFENSE_ID"\nincident = "INCIDENT_ID"'))
    out = run_import(capsys, path, profile)
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.superseded, batch.incidents) == (5, 5, 0, 3)
    assert "incidents 3, holding 5 offences (events grouped by [columns] incident)" in out
    assert sorted(Event.objects.filter(incident_key="2024101").values_list("offense", flat=True)) == [
        "burglary-residence-by-force",
        "criminal-mischief-other",
        "theft-items-from-vehicle",
    ]
    run_import(capsys, path, profile)
    again = ImportBatch.objects.order_by("-id").first()
    assert (again.inserted, again.unchanged, again.incidents) == (0, 5, 3)


def test_an_incident_number_used_as_row_id_reports_every_superseded_offence(tmp_path, capsys):
    path = write(tmp_path, "offenses.csv", OFFENCES)
    out = run_import(capsys, path, write(tmp_path, "p.toml", OFFENCES_PROFILE.format(identity='id = "INCIDENT_ID"')))
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.superseded) == (5, 3, 2)
    assert (
        "merged superseded: 2 older versions of a record replaced by a later row with the same id "
        "(e.g. id 2024101: 3 versions between lines 2 and 4, one kept)"
    ) in out


def test_a_composite_id_with_a_blank_part_is_no_id(tmp_path, capsys):
    text = """AGENCY,CASE,WHEN,TYPE,LAT,LON
SPD,24-1,2024-05-01 10:00,THEFT,47.6,-122.3
SPD,,2024-05-01 11:00,THEFT,47.6,-122.3
SPD,,2024-05-01 12:00,ASSAULT,47.6,-122.3
KCSO,24-1,2024-05-01 13:00,THEFT,47.6,-122.3
"""
    profile = write(
        tmp_path,
        "p.toml",
        '[profile]\nkind = "crime"\ntimezone = "America/Los_Angeles"\n[columns]\nid = ["AGENCY", "CASE"]\n'
        'occurred_from = "WHEN"\noffense = "TYPE"\nlat = "LAT"\nlon = "LON"\n',
    )
    path = write(tmp_path, "x.csv", text)
    with pytest.raises(CommandError, match="2 of 4 rows are bad"):
        call_command("import_events", str(path), profile=str(profile))
    capsys.readouterr()
    call_command("import_events", str(path), profile=str(profile), skip_bad=True)
    err = capsys.readouterr().err
    assert f"{path}:3: CASE: empty part of the id (AGENCY + CASE)" in err
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.rejected, batch.superseded) == (4, 2, 2, 0)  # not merged into one
    assert sorted(Event.objects.values_list("source_id", flat=True)) == ["KCSO|24-1", "SPD|24-1"]


def test_dry_run_prints_the_summary_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, "offenses.csv", OFFENCES)
    profile = write(tmp_path, "p.toml", OFFENCES_PROFILE.format(identity='id = "INCIDENT_ID"'))
    site_before = list(Site.objects.values_list("crs", "time_zone"))
    categories_before = OffenseCategory.objects.count()
    out = run_import(capsys, path, profile, dry_run=True)
    assert out.startswith(f"dry run, nothing written: {path}: read 5, inserted 3,")
    assert "merged superseded: 2 " in out
    assert not Event.objects.exists() and not ImportBatch.objects.exists()
    assert list(Site.objects.values_list("crs", "time_zone")) == site_before
    assert OffenseCategory.objects.count() == categories_before
    # the real import does what the dry run said
    out = run_import(capsys, path, profile)
    assert "read 5, inserted 3," in out and Event.objects.count() == 3


def test_dry_run_of_a_file_with_bad_rows_writes_no_rejects_file(tmp_path, capsys):
    path = write(tmp_path, "offenses.csv", OFFENCES.replace("1/3/2024 2:00:00 AM", "someday"))
    profile = write(tmp_path, "p.toml", OFFENCES_PROFILE.format(identity='id = "OFFENSE_ID"'))
    out = run_import(capsys, path, profile, dry_run=True, skip_bad=True)
    assert "rejected 1" in out and "inserted 4" in out
    assert not (tmp_path / "offenses.csv.rejects.csv").exists()
    assert not Event.objects.exists() and not ImportBatch.objects.exists()


# ----- SFPD: supplements share the Incident Number of the incident they add to


def _sfpd_row(**values) -> list[str]:
    row = dict.fromkeys(SFPD_COLUMNS, "")
    row.update(
        {
            "Incident Datetime": "2024/03/01 10:15:00 PM",
            "Report Datetime": "2024/03/01 11:00:00 PM",
            "Incident Category": "Larceny Theft",
            "Incident Subcategory": "Larceny - From Vehicle",
            "Incident Description": "Theft, From Locked Vehicle, >$950",
            "Intersection": "MARKET ST \\ 5TH ST",
            "Latitude": "37.7836",
            "Longitude": "-122.4075",
        }
    )
    row.update(values)
    return [str(row[c]) for c in SFPD_COLUMNS]


def test_sfpd_supplements_are_offences_of_one_incident(tmp_path, capsys):
    rows = [
        # incident 240100001: initial report with two offences, and a supplement a week later
        _sfpd_row(**{"Row ID": "1000106244", "Incident ID": "10001", "Incident Number": "240100001",
                     "Incident Code": "06244", "Report Type Code": "II"}),
        _sfpd_row(**{"Row ID": "1000128150", "Incident ID": "10001", "Incident Number": "240100001",
                     "Incident Code": "28150", "Report Type Code": "II", "Incident Category": "Malicious Mischief",
                     "Incident Description": "Malicious Mischief, Vandalism to Vehicle"}),
        _sfpd_row(**{"Row ID": "1000906244", "Incident ID": "10009", "Incident Number": "240100001",
                     "Incident Code": "06244", "Report Type Code": "IS",
                     "Report Datetime": "2024/03/08 09:00:00 AM"}),
        # incident 240100002: one report
        _sfpd_row(**{"Row ID": "1000207021", "Incident ID": "10002", "Incident Number": "240100002",
                     "Incident Code": "07021", "Report Type Code": "VI", "Incident Category": "Motor Vehicle Theft",
                     "Incident Description": "Vehicle, Stolen, Auto"}),
        # its vehicle supplement (recovered)
        _sfpd_row(**{"Row ID": "1000707041", "Incident ID": "10007", "Incident Number": "240100002",
                     "Incident Code": "07041", "Report Type Code": "VS", "Incident Category": "Recovered Vehicle",
                     "Incident Description": "Vehicle, Recovered, Auto"}),
        _sfpd_row(**{"Row ID": "1000304134", "Incident ID": "10003", "Incident Number": "240100003",
                     "Incident Code": "04134", "Report Type Code": "II", "Incident Category": "Assault",
                     "Incident Description": "Battery"}),
    ]  # fmt: skip
    path = tmp_path / "sfpd.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(SFPD_COLUMNS)
        w.writerows(rows)
    out = run_import(capsys, path, "sfpd")
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.incidents) == (6, 6, 3)
    assert "incidents 3, holding 6 offences" in out
    assert Event.objects.filter(incident_key="240100001").count() == 3
    assert Event.objects.filter(incident_key="240100002").count() == 2
