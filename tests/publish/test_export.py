"""Downloads write only allow-listed columns, and text a spreadsheet would run as a formula is made inert."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from copps.publish.export import COUNT_COLUMNS, EVENT_COLUMNS, ExportError, escape_cell, events_geojson, write_csv


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_formula_cells_get_a_leading_apostrophe(text):
    assert escape_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["MAIN ST", "12XX MAIN ST", "", 5, -3, 1.5, None])
def test_other_cells_are_left_alone(value):
    assert escape_cell(value) == value


def test_csv_refuses_a_column_not_on_the_allow_list():
    with pytest.raises(ExportError):
        write_csv([{"kind": "crime", "raw": "x"}], ["kind", "raw"], EVENT_COLUMNS)
    with pytest.raises(ExportError):
        events_geojson([], columns=["kind", "address"])


def test_csv_writes_exactly_the_columns_and_escapes():
    text = write_csv(
        [{"kind": "crime", "month": "=cmd()", "count": -1, "extra": "never"}], ["kind", "month", "count"], COUNT_COLUMNS
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["kind", "month", "count"], ["crime", "'=cmd()", "-1"]]


def test_downloads_escape_formulas_that_come_from_the_data(client, town):
    district = town.districts["A"]
    district.name = '=HYPERLINK("http://evil")'
    district.save()
    town.event(district="A", days_ago=20)
    town.publish()
    text = client.get(reverse("publish:events_csv")).content.decode()
    row = next(csv.DictReader(io.StringIO(text)))
    assert list(row) == list(EVENT_COLUMNS)
    assert row["district"] == '\'=HYPERLINK("http://evil")'
    doc = client.get(reverse("publish:events_geojson")).json()
    assert doc["features"][0]["properties"]["district"].startswith("'=")
    counts = client.get(reverse("publish:counts_csv"))
    assert counts.status_code == 200 and counts["Content-Type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(counts.content.decode()))) == list(COUNT_COLUMNS)
