"""Messy real data, end to end: every scan, the dashboard, the public portal and the weekly report
on files that plant one defect each (null island, other states and continents, another time zone,
a partial year with no prior year, dates without times, sparse collisions) and on real exports
from ../shared/data. Nothing may end in a traceback, memory stays bounded, every hot cell lies in
the jurisdiction, and no flagged change involves time the data does not cover.
"""

from __future__ import annotations

import csv
import json
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import Point, shape
from tests.conftest import shared_data, sign_in
from tests.messy.messy_files import CASES, write_case

from copps.incidents.models import Event, Location, Site

pytestmark = pytest.mark.django_db

SCANS = {
    "hotspots": ["--cell", "250"],
    "places": [],
    "near-repeat": ["--permutations", "19"],
    "temporal": [],
    "compstat": [],
    "alerts": [],
}
# Peak Python-side allocation (numpy reports to tracemalloc) of one whole-city hot-spot scan.
SCAN_MEMORY_BUDGET = 300 * 2**20


def run_scan(capsys, scan: str, *args) -> str:
    """Run ``copps scan``; a user error must be a CommandError with a message, never a crash."""
    capsys.readouterr()
    try:
        call_command("scan", scan, *args)
    except CommandError as exc:
        assert str(exc).strip(), f"scan {scan} failed without a message"
        return "ERROR: " + str(exc)
    return capsys.readouterr().out


def hot_cell_centres(path: Path) -> list[Point]:
    features = json.loads(path.read_text())["features"]
    out = []
    for f in features:
        if f["properties"]["class"] > 0:
            ring = f["geometry"]["coordinates"][0][:4]
            out.append(Point(sum(p[0] for p in ring) / 4, sum(p[1] for p in ring) / 4))
    return out


def scan_everything(capsys, tmp_path: Path, kind: str) -> dict[str, str]:
    outputs = {}
    for scan, args in SCANS.items():
        extra = ["--kind", kind]
        if scan == "hotspots":
            extra += ["--geojson", str(tmp_path / "hot.geojson")]
            tracemalloc.start()
            try:
                outputs[scan] = run_scan(capsys, scan, *args, *extra)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert peak < SCAN_MEMORY_BUDGET, f"hot-spot scan peaked at {peak / 2**20:.0f} MiB"
        elif scan == "temporal":
            outputs[scan] = run_scan(capsys, scan, *args, *extra, "--csv", str(tmp_path / "temporal.csv"))
        else:
            outputs[scan] = run_scan(capsys, scan, *args, *extra)
    return outputs


def portal_and_reports(client, cast, tmp_path: Path) -> None:
    """The staff dashboard, the public pages and the weekly report answer without an error."""
    staff = sign_in(client, cast["analyst"])
    for url in ("/problems/dashboard/", "/problems/dashboard/hotspots.geojson"):
        response = staff.get(url)
        assert response.status_code == 200, url
    client.logout()
    call_command("publish_refresh")
    urls = ("/public/", "/public/trends/", "/public/compstat/", "/public/service/")
    urls += ("/public/api/grid", "/public/api/events")
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert b"Traceback" not in response.content
    call_command("report", "compstat", "--out", str(tmp_path / "weekly.html"))
    assert (tmp_path / "weekly.html").read_text().strip()


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_scan_page_and_report_on_a_planted_defect(name, tmp_path, capsys, client, cast):
    case = CASES[name]
    planted = write_case(case, tmp_path)
    call_command("import_events", str(planted["csv"]), profile=str(planted["profile"]))
    # the city limits arrive after the events, as they often do: every status is recomputed
    call_command("areas", "import", str(planted["city"]), type="city", name_field="NAME", code_field="CODE")
    city = shape(json.loads(planted["city"].read_text())["features"][0]["geometry"])

    strays = Event.objects.filter(source_id__in=planted["strays"])
    assert strays.count() == len(planted["strays"])
    assert not strays.filter(location__in=[Location.INSIDE, Location.BUFFER]).exists()
    inside = Event.objects.exclude(source_id__in=planted["strays"])
    assert inside.filter(location=Location.INSIDE).count() == inside.count()

    outputs = scan_everything(capsys, tmp_path, case.kind)
    assert not outputs["hotspots"].startswith("ERROR"), outputs["hotspots"]
    centres = hot_cell_centres(tmp_path / "hot.geojson")
    assert centres, "the planted hot spot was not found"
    outside = [c for c in centres if not city.buffer(0.01).contains(c)]
    assert not outside, f"hot cells outside the city: {outside[:3]}"
    hot_lon, hot_lat = planted["hot_spot"]
    assert min(c.distance(Point(hot_lon, hot_lat)) for c in centres) < 0.005  # within ~500 m

    portal_and_reports(client, cast, tmp_path)


def test_a_partial_year_is_never_flagged_against_a_prior_year_it_does_not_have(tmp_path, capsys):
    planted = write_case(CASES["east-coast-partial-year"], tmp_path)
    call_command("import_events", str(planted["csv"]), profile=str(planted["profile"]))
    out = run_scan(capsys, "compstat", "--kind", "crime")
    prior_year = [line for line in out.splitlines() if "prior year" in line]
    assert prior_year, out
    assert not [line for line in prior_year if "▲" in line or "▼" in line], prior_year


def test_hours_are_read_in_the_zone_of_the_data(tmp_path, capsys, settings):
    settings.TIME_ZONE = "America/Los_Angeles"  # the default for a new site: the data says otherwise
    planted = write_case(CASES["east-coast-partial-year"], tmp_path)
    call_command("import_events", str(planted["csv"]), profile=str(planted["profile"]))
    assert Site.get().time_zone == "America/New_York"
    run_scan(capsys, "temporal", "--kind", "crime", "--csv", str(tmp_path / "t.csv"))
    with (tmp_path / "t.csv").open() as fh:
        table = list(csv.reader(fh))
    by_hour = [sum(float(row[1 + h]) for row in table[1:]) for h in range(24)]
    truth = [0] * 24
    for when in planted["times"].values():
        truth[when.hour] += 1
    assert [round(v) for v in by_hour] == truth


REAL_FILES = [
    # (file under ../shared/data, profile, kind, 1st-99th percentile box from its README)
    ("collisions/switrs_san_diego_CollisionRecords_2015.txt", "switrs", "collision",
     (-117.51077, 32.53422, -117.02242, 33.04924)),
    ("collisions/nyc_nypd_motor_vehicle_collisions_2013_sample.csv", "nyc-collisions", "collision",
     (-74.16983, 40.55085, -73.72985, 40.88852)),
    ("sacramento/SacramentocrimeJanuary2006.csv", "sacramento", "crime",
     (-121.54088, 38.44736, -121.38292, 38.66837)),
    ("cincinnati/cincinnati_burglary_2016_2018.csv.gz", "cincinnati", "crime",
     (-84.61789, 39.08623, -84.38461, 39.21064)),
]


@pytest.mark.slow
@pytest.mark.parametrize("relative,profile,kind,box", REAL_FILES, ids=[r[1] for r in REAL_FILES])
def test_real_exports_scan_within_their_own_extent(relative, profile, kind, box, tmp_path, capsys, client, cast):
    path = shared_data(relative)
    call_command("import_events", str(path), profile=profile, skip_bad=True)
    outputs = scan_everything(capsys, tmp_path, kind)
    assert not outputs["hotspots"].startswith("ERROR"), outputs["hotspots"]
    # with no boundary loaded, the jurisdiction is the data's robust extent: no hot cell beyond
    # the 1st-99th percentile box plus 5 km
    margin = 0.06
    for c in hot_cell_centres(tmp_path / "hot.geojson"):
        assert box[0] - margin <= c.x <= box[2] + margin and box[1] - margin <= c.y <= box[3] + margin, c
    portal_and_reports(client, cast, tmp_path)
