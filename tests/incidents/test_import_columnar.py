"""The columnar import path (importing/columnar.py) gives exactly the events, batch counts and
bad-row reports of the row path, on every incident, call and collision file of ../shared/data,
through `copps import --path columnar|row`."""

from __future__ import annotations

import csv
import random
import re
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from tests.conftest import shared_data
from tests.incidents.test_import_real_data import REAL_FILES

from copps.incidents.importing import store
from copps.incidents.importing.datetimes import CANDIDATE_FORMATS, DateParser
from copps.incidents.models import Event, ImportBatch, Site

EVENT_FIELDS = [f.attname for f in Event._meta.concrete_fields if f.attname not in ("id", "batch_id")]
BATCH_FIELDS = [*ImportBatch.COUNTS, "errors", "notes", "file_name", "sha256", "profile", "source"]


def _state():
    """Every stored field of every event in insertion order, and every batch's counts and reports."""
    events = list(Event.objects.order_by("id").values_list(*EVENT_FIELDS))
    batches = list(ImportBatch.objects.order_by("id").values_list(*BATCH_FIELDS))
    return events, batches, Site.get().crs


def _summary(text: str) -> str:
    """The summary without its timing and the path line (the two paths differ there only)."""
    text = re.sub(r"\(\d+\.\d s, [\d,]+ rows/s\)", "", text)
    return "\n".join(line for line in text.splitlines() if not line.startswith("path: "))


def _both(path, profile, capsys, **options):
    """(state, output) of an import by each path, each from the same starting database."""
    out = {}
    for route in ("row", "columnar"):
        sid = transaction.savepoint()
        try:
            call_command("import_events", str(path), profile=profile, path=route, **options)
            err = ""
        except CommandError as exc:
            err = str(exc)
        io = capsys.readouterr()
        assert f"path: {route}" in io.out or err
        out[route] = (_state(), _summary(io.out), io.err, err)
        transaction.savepoint_rollback(sid)
    return out["row"], out["columnar"]


@pytest.mark.django_db
@pytest.mark.parametrize("relative, profile", [f[:2] for f in REAL_FILES], ids=[f[1] for f in REAL_FILES])
def test_both_paths_store_identical_events_for_every_real_file(relative, profile, capsys):
    path = shared_data(relative)
    row, columnar = _both(path, profile, capsys)
    (row_events, row_batches, row_crs), *row_rest = row
    (col_events, col_batches, col_crs), *col_rest = columnar
    assert len(row_events) == len(col_events) > 0
    different = [(a, b) for a, b in zip(row_events, col_events, strict=True) if a != b]
    assert different == []
    assert row_batches == col_batches
    assert row_crs == col_crs
    assert row_rest == col_rest


def _with_bad_rows(tmp_path, rows_wanted: int = 3000):
    """The Chicago sample's first rows with bad values in the middle: a date no format reads, a
    latitude that is no number, a row one field short, a latitude out of range and a NUL."""
    src = shared_data("chicago/chicago_crimes_2014_socrata_sample.csv")
    with src.open(newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [r for _, r in zip(range(rows_wanted), reader, strict=False)]
    date, lat = header.index("Date"), header.index("Latitude")
    rows[1200][date] = "31/31/2014 99:99"
    rows[1500][lat] = "north"
    rows[1800] = rows[1800][:-1]
    rows[2100][lat] = "141.5"
    rows[2400][header.index("Block")] = "012XX W\x00 MADISON"
    out = tmp_path / "bad.csv"
    with out.open("w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(header)
        writer.writerows(rows)
    return out


@pytest.mark.django_db
def test_bad_rows_in_the_middle_are_reported_identically_by_both_paths(tmp_path, capsys):
    path = _with_bad_rows(tmp_path)
    # Without --skip-bad: nothing imported, the same message and the same list of bad rows.
    row, columnar = _both(path, "chicago", capsys)
    assert row == columnar
    assert "5 of 3,000 rows are bad" in row[3]
    assert row[0][0] == [] and row[0][1] == []
    for line, field in ((1202, "Date"), (1502, "Latitude"), (1802, "row"), (2102, "Latitude"), (2402, "Block")):
        assert f"{path}:{line}: {field}:" in row[2]

    # With --skip-bad: the good rows imported, the bad ones in the rejects file, the same by both.
    rejects = path.with_name(path.name + ".rejects.csv")
    written = {}
    for route in ("row", "columnar"):
        sid = transaction.savepoint()
        call_command("import_events", str(path), profile="chicago", path=route, skip_bad=True)
        io = capsys.readouterr()
        written[route] = (_state(), _summary(io.out), io.err, rejects.read_text())
        transaction.savepoint_rollback(sid)
    assert written["row"] == written["columnar"]
    (events, batches, _), _, errors, rejected = written["columnar"]
    assert len(events) == 2995 and batches[0][ImportBatch.COUNTS.index("rejected")] == 5
    assert [r[0] for r in csv.reader(rejected.splitlines()[1:])] == ["1202", "1502", "1802", "2102", "2402"]
    assert errors.count(str(path)) == 5


@pytest.mark.django_db
def test_columnar_reimport_changes_nothing_and_agrees_with_a_row_import(capsys):
    path = shared_data("cincinnati/cincinnati_burglary_2016_2018.csv.gz")
    call_command("import_events", str(path), profile="cincinnati", path="row")
    before = list(Event.objects.order_by("id").values_list("id", *EVENT_FIELDS, "batch_id"))
    capsys.readouterr()
    for route in ("columnar", "columnar", "row"):
        call_command("import_events", str(path), profile="cincinnati", path=route)
        out = capsys.readouterr().out
        assert "inserted 0, updated 0, unchanged 8,723" in out
        assert f"path: {route}" in out
        assert list(Event.objects.order_by("id").values_list("id", *EVENT_FIELDS, "batch_id")) == before


@pytest.mark.django_db
def test_a_columnar_import_that_fails_while_merging_leaves_nothing(monkeypatch, capsys):
    path = shared_data("chicago/chicago_crimes_2014_socrata_sample.csv")
    staged = []
    real_write = store.Stage.write_columns

    def write_columns(self, cols):
        staged.append(len(cols["line"]))
        real_write(self, cols)

    def merge(self, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(store.Stage, "write_columns", write_columns)
    monkeypatch.setattr(store.Stage, "merge", merge)
    crs = Site.get().crs
    with pytest.raises(RuntimeError, match="the disk is full"):
        call_command("import_events", str(path), profile="chicago", path="columnar")
    assert sum(staged) == 6957  # every row was staged, by the columnar path, before the failure
    assert Event.objects.count() == 0 and ImportBatch.objects.count() == 0
    assert Site.get().crs == crs


@pytest.mark.django_db
def test_auto_takes_the_row_path_for_profiles_only_it_reads_and_says_so(tmp_path, capsys):
    src = shared_data("chicago/chicago_crimes_2014_socrata_sample.csv")
    profile = tmp_path / "filtered.toml"
    profile.write_text(
        '[profile]\nname = "filtered"\nkind = "crime"\ntimezone = "America/Chicago"\n'
        '[columns]\nid = "ID"\noccurred_from = "Date"\noffense = "Primary Type"\nlat = "Latitude"\n'
        'lon = "Longitude"\n[[filter.drop]]\ncolumn = "Primary Type"\nvalues = ["THEFT"]\n'
    )
    call_command("import_events", str(src), profile=str(profile), dry_run=True)
    out = capsys.readouterr().out
    assert "path: row (the profile uses [filter], which only the row path applies)" in out
    with pytest.raises(CommandError, match=r"--path columnar cannot import with profile 'filtered'.*\[filter\]"):
        call_command("import_events", str(src), profile=str(profile), path="columnar")
    call_command("import_events", str(src), profile="chicago", dry_run=True)
    assert "path: columnar" in capsys.readouterr().out


@pytest.mark.parametrize("zone", ["America/Chicago", "UTC", "Europe/London", "Australia/Lord_Howe"])
def test_dates_read_by_numpy_equal_strptime_for_every_candidate_format(zone):
    """DateParser.parse_many (numpy for numeric formats) against DateParser.parse (strptime) on
    values of every candidate format, mangled in the ways real files are, and at DST changes."""
    rng = random.Random(zone)
    checked = 0
    for fmt in CANDIDATE_FORMATS:
        values = [
            "03/09/2014 02:30:00 AM", "11/02/2014 01:30:00 AM", "2014-03-09 02:30", "2014-11-02 01:30:00",
            "03/30/2014 01:30", "10/05/2014 01:45", "02/29/2015 10:00", "2/30/2016", "13/01/2016", "00/10/2016",
        ]  # fmt: skip
        for _ in range(300):
            text = (datetime(1995, 1, 1) + timedelta(seconds=rng.randrange(35 * 365 * 86400))).strftime(
                fmt.replace("%z", "+0000")
            )
            mangle = rng.random()
            if mangle < 0.1:
                text = text.replace("0", "", 1)
            elif mangle < 0.15:
                text += "x"
            elif mangle < 0.2:
                text = text.replace(" ", "  ")
            elif mangle < 0.25:
                text = text.replace("1", "3")
            elif mangle < 0.3:
                text = text.lower()
            values.append(text)
        many = DateParser(fmt, zone).parse_many(values)
        one = DateParser(fmt, zone)
        for text in set(values):
            try:
                want = one.parse(text)
            except ValueError:
                want = None
            assert (many[text], many[text] and many[text].tzinfo) == (want, want and want.tzinfo), (fmt, text)
            checked += 1
    assert checked > 5000


def _sample_rows(tmp_path, name: str, edit) -> str:
    """The Chicago sample's first eight rows, changed by ``edit(header, rows)``, as a new file."""
    src = shared_data("chicago/chicago_crimes_2014_socrata_sample.csv")
    with src.open(newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [r for _, r in zip(range(8), reader, strict=False)]
    edit(header, rows)
    out = tmp_path / name
    with out.open("w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(header)
        writer.writerows(rows)
    return out


@pytest.mark.django_db
def test_ids_repeated_across_chunks_give_the_row_paths_events(tmp_path, monkeypatch, capsys):
    """New rows go straight into the events table until an id repeats; then the file is staged
    as a whole (store.Repeated), so which version is kept and the events' order stay the row
    path's: within a chunk, across chunks, and over ids an earlier import stored."""
    monkeypatch.setattr("copps.incidents.importing.run.CHUNK_ROWS", 3)

    def repeat(header, rows):
        rows[5][header.index("ID")] = rows[1][header.index("ID")]  # a later chunk repeats line 3's id
        rows[5][header.index("Block")] = "0000X W CHANGED ST"

    def again(header, rows):
        rows[7][header.index("ID")] = rows[6][header.index("ID")]  # the same chunk repeats an id

    first = _sample_rows(tmp_path, "first.csv", repeat)
    row, columnar = _both(first, "chicago", capsys)
    assert row == columnar
    assert "superseded by a later row with the same id 1" in row[1] and len(row[0][0]) == 7
    call_command("import_events", str(first), profile="chicago", path="columnar")
    capsys.readouterr()
    second = _sample_rows(tmp_path, "second.csv", again)  # ids stored by the first import, and new ones
    row, columnar = _both(second, "chicago", capsys)
    assert row == columnar
    assert "inserted 1," in row[1] and len(row[0][0]) == 8
