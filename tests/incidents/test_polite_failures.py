"""Every user error ends in a plain message that says what to do, never a traceback: a database
not migrated yet, no events, no coordinates, no areas, an unknown category, bad or reversed dates.
And the scans say what their numbers cannot show: near-repeat bands beyond the data's span, a peak
hour of data without times of day, a tie for the peak."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.slow


SRC = Path(__file__).resolve().parents[2] / "src"
ENV = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}


def copps(db_path, *args):
    env = {**ENV, "COPPS_DATABASE_URL": f"sqlite:///{db_path}", "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, "-m", "copps.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "temporal"],
        ["candidates"],
        ["report", "compstat", "--out", "x.pdf"],
        ["publish-refresh"],
    ],
)
def test_any_command_before_migrate_says_run_migrate(tmp_path, args):
    out = copps(tmp_path / "empty.sqlite3", *args)
    assert out.returncode == 1, out.stderr
    assert "the database has no tables yet: run `copps migrate`" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_serve_refuses_an_unmigrated_database_before_starting(tmp_path):
    # it used to start, then answer every page with a bare 500 (no such table)
    out = copps(tmp_path / "empty.sqlite3", "serve", "--bind", "127.0.0.1:0")
    assert out.returncode == 1, out.stdout
    assert "migrations to apply): run `copps migrate` first" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout and "serving" not in out.stdout


def test_bad_dates_on_the_console_are_explained_without_a_traceback(tmp_path):
    db = tmp_path / "db.sqlite3"
    assert copps(db, "migrate", "-v0").returncode == 0
    bad = copps(db, "scan", "temporal", "--from", "2024-13-01")
    assert bad.returncode == 2
    assert "'2024-13-01' is not a day: write it as YYYY-MM-DD" in bad.stderr
    reversed_ = copps(db, "scan", "temporal", "--from", "2024-05-01", "--to", "2024-01-01")
    assert reversed_.returncode == 1
    assert "--from 2024-05-01 is after --to 2024-01-01" in reversed_.stderr
    empty = copps(db, "scan", "compstat")
    assert empty.returncode == 1 and "no events match these filters" in empty.stderr
    for out in (bad, reversed_, empty):
        assert "Traceback" not in out.stderr + out.stdout


PROFILE = """
[profile]
kind = "crime"
timezone = "America/New_York"
precision = "{precision}"
[columns]
id = "id"
occurred_from = "when"
offense = "what"
lat = "lat"
lon = "lon"
"""


def load(tmp_path, rows, precision="exact"):
    (tmp_path / "p.toml").write_text(PROFILE.format(precision=precision))
    (tmp_path / "d.csv").write_text("id,when,what,lat,lon\n" + rows)
    call_command("import_events", str(tmp_path / "d.csv"), profile=str(tmp_path / "p.toml"))


def scan(capsys, *args):
    capsys.readouterr()
    call_command("scan", *args)
    return capsys.readouterr().out


def test_spatial_scans_without_coordinates_refuse_plainly(db, tmp_path):
    load(tmp_path, "1,2024-03-04 10:00,THEFT,,\n2,2024-03-05 11:00,THEFT,,\n")
    for name in ("hotspots", "near-repeat"):
        with pytest.raises(CommandError, match="needs events with coordinates, and 0 of these 2 events have them"):
            call_command("scan", name)


def test_unknown_category_and_area_name_what_to_do(db, tmp_path):
    load(tmp_path, "1,2024-03-04 10:00,THEFT,40.7,-73.9\n")
    with pytest.raises(CommandError, match="unknown categories nope; see `copps scan categories`"):
        call_command("scan", "temporal", "--category", "nope")
    with pytest.raises(CommandError, match="no areas are loaded yet; import them first"):
        call_command("scan", "temporal", "--area", "beat:9")


def test_date_only_data_names_no_peak_hour(db, tmp_path, capsys):
    rows = "".join(f"{i},2024-03-{4 + i % 3:02d},THEFT,40.7,-73.9\n" for i in range(9))
    load(tmp_path, rows, precision="day")
    out = scan(capsys, "temporal")
    assert "no peak hour: these events carry no time of day" in out
    assert "peak hour:" not in out.replace("no peak hour:", "")
    assert "no single busiest weekday: 3 tie at 3.0 (Mon, Tue, Wed)" in out


def test_midnight_only_data_is_read_as_dates(db, tmp_path, capsys):
    rows = "1,2024-03-04 00:00,THEFT,40.7,-73.9\n2,2024-03-05 00:00,THEFT,40.7,-73.9\n3,2024-03-05 00:00,X,40.7,-73.9\n"
    load(tmp_path, rows)
    out = scan(capsys, "temporal")
    assert "no peak hour" in out and "busiest weekday: Tue (2)" in out


def test_a_tie_for_the_peak_is_said_as_a_tie(db, tmp_path, capsys):
    load(tmp_path, "1,2024-03-04 10:15,THEFT,40.7,-73.9\n2,2024-03-05 18:30,THEFT,40.7,-73.9\n")
    out = scan(capsys, "temporal")
    assert "no single peak hour: 2 tie at 1.0 (Mon 10:00, Tue 18:00)" in out
    load(tmp_path, "1,2024-03-04 10:15,THEFT,40.7,-73.9\n2,2024-03-05 18:30,THEFT,40.7,-73.9\n"
                   "3,2024-03-11 10:45,THEFT,40.7,-73.9\n")
    assert "peak hour: Mon 10:00 (2)" in scan(capsys, "temporal")


def test_near_repeat_bands_beyond_the_data_span_show_a_dash(db, tmp_path, capsys):
    # ten events within three days: no pair is 7 days or more apart
    rows = "".join(f"{i},2024-03-0{4 + i % 3} 1{i % 10}:00,BURGLARY,40.7{i},-73.9{i}\n" for i in range(10))
    load(tmp_path, rows)
    out = scan(capsys, "near-repeat", "--permutations", "19")
    assert "nan" not in out
    assert "— (0)" in out
    assert "— = beyond the data's span" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["hotspots", "--cell", "0"], "'0' is not a number above 0"),
        (["hotspots", "--neighbourhood", "abc"], "give queen, rook or a radius in cells"),
        (["near-repeat", "--distance", "100", "50"], "bands must be increasing edges starting at 0"),
    ],
)
def test_bad_scan_parameters_are_refused_with_a_message(db, tmp_path, args, message):
    load(tmp_path, "1,2024-03-04 10:00,THEFT,40.70,-73.90\n2,2024-03-05 11:00,THEFT,40.71,-73.91\n")
    with pytest.raises(CommandError, match=message):
        call_command("scan", *args)
