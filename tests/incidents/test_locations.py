"""Every geocoded event is judged against the jurisdiction: inside, buffer, outside or invalid;
the import says how many of each, `copps events outside` lists the misplaced ones, the events
page filters by place, and loading the city limits judges every event again."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.incidents.messy_places import STRAYS, city_points, write_events, write_limits, write_profile

from copps.geo.jurisdiction import extent_box, invalid_reasons
from copps.incidents.models import Event, Site


def statuses() -> dict[str, str]:
    return dict(Event.objects.values_list("source_id", "location"))


def run(capsys, *args, **kwargs) -> str:
    capsys.readouterr()
    call_command(*args, **kwargs)
    return capsys.readouterr().out


@pytest.fixture
def messy(tmp_path):
    lat, lon = city_points(200, 10)
    return write_events(tmp_path, lat, lon), write_profile(tmp_path), write_limits(tmp_path)


@pytest.mark.django_db
def test_city_limits_then_import_marks_every_planted_stray_and_reports_counts(messy, capsys):
    events, profile, limits = messy
    call_command("areas", "import", str(limits), type="city", name_field="NAME")
    out = run(capsys, "import_events", str(events), profile=str(profile))
    got = statuses()
    for sid, (_, _, expected) in STRAYS.items():
        assert got[sid] == expected, sid
    assert sum(1 for s in got.values() if s == "inside") == 240
    assert "240 inside, 1 in the 500 m buffer, 2 outside the jurisdiction, 2 at impossible places" in out
    assert "the city limits (Testville)" in out
    assert "4 events are left out of maps and hot spots: list them with `copps events outside`" in out
    # impossible points keep the file's lon/lat (to fix at the source) but get no x/y and no CRS say
    island = Event.objects.get(source_id="null-island")
    assert island.lat == 1e-06 and island.x is None
    assert Site.get().crs == "EPSG:32613"


@pytest.mark.django_db
def test_without_areas_the_data_extent_is_the_jurisdiction_and_says_so(messy, capsys):
    events, profile, _ = messy
    out = run(capsys, "import_events", str(events), profile=str(profile))
    got = statuses()
    assert got["new-york"] == got["philippines"] == "outside"
    assert got["null-island"] == got["lat-zero"] == "invalid"
    assert sum(1 for s in got.values() if s == "inside") >= 240  # every city point (the box has a margin)
    assert "against the extent of the data" in out


@pytest.mark.django_db
def test_loading_the_city_limits_judges_every_event_again(tmp_path, capsys):
    lat, lon = city_points(100, 5)
    lon = np.append(lon, -104.885)  # 1.3 km east of the limits: inside the data's extent, not the city
    lat = np.append(lat, 39.72)
    events = write_events(tmp_path, lat, lon, strays={})
    call_command("import_events", str(events), profile=str(write_profile(tmp_path)))
    before = statuses()[str(len(lat))]
    out = run(capsys, "areas", "import", str(write_limits(tmp_path)), type="city", name_field="NAME")
    assert before in ("inside", "buffer")
    assert statuses()[str(len(lat))] == "outside"
    assert "jurisdiction: the city limits (Testville); events: 120 inside, 1 outside the jurisdiction" in out


@pytest.mark.django_db
def test_impossible_points_first_in_the_file_do_not_choose_the_site_crs(tmp_path):
    lat, lon = city_points(20, 0)
    top = [(f"zero-{i}", 1e-06 * i, -2e-06) for i in range(1, 40)]  # most of the first chunk
    events = write_events(tmp_path, lat, lon, strays={}, first_rows=top)
    call_command("import_events", str(events), profile=str(write_profile(tmp_path)))
    assert Site.get().crs == "EPSG:32613"  # UTM 13N holds Denver; 0,0 would give 31N
    assert Event.objects.filter(location="invalid").count() == 39
    assert Event.objects.filter(location="inside").count() == 20


@pytest.mark.django_db
def test_events_outside_lists_the_misplaced_with_why_and_writes_csv(messy, capsys, tmp_path):
    events, profile, limits = messy
    call_command("areas", "import", str(limits), type="city", name_field="NAME")
    call_command("import_events", str(events), profile=str(profile))
    out = run(capsys, "events", "outside", csv=str(tmp_path / "strays.csv"))
    assert "at 0,0 (null island)" in out and "latitude is exactly 0" in out
    assert "km from the city limits" in out and "philippines" in out and "new-york" in out
    assert "across-the-street" not in out  # the buffer is listed only with --buffer
    with (tmp_path / "strays.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["source id"] for r in rows) == ["lat-zero", "new-york", "null-island", "philippines"]
    ny = next(r for r in rows if r["source id"] == "new-york")
    assert ny["status"] == "outside" and float(ny["lat"]) == pytest.approx(40.7128)
    assert 2000 < float(ny["why"].split(" km")[0].replace(",", "")) < 3000  # Denver to New York
    assert "across-the-street" in run(capsys, "events", "outside", buffer=True)


@pytest.mark.django_db
def test_events_page_filters_by_place(messy, client_for):
    events, profile, limits = messy
    call_command("areas", "import", str(limits), type="city", name_field="NAME")
    call_command("import_events", str(events), profile=str(profile))
    client = client_for("analyst")
    page = client.get(reverse("incidents:list"), {"location": "misplaced"}).content.decode()
    assert "4 events" in page and "Impossible or placeholder point" in page
    page = client.get(reverse("incidents:list"), {"location": "buffer"}).content.decode()
    assert "1 events" in page and "Just outside" in page
    page = client.get(reverse("incidents:list"), {"location": "inside"}).content.decode()
    assert "240 events" in page


def test_invalid_reasons_name_each_rule():
    reasons = invalid_reasons(
        [np.nan, 10.0, 200.0, 0.5, 12.0, 0.0, -104.9], [39.0, 95.0, 39.0, -0.5, 0.0, 39.0, 39.7]
    ).tolist()
    assert reasons == [
        "not a number",
        "latitude out of range",
        "longitude out of range",
        "at 0,0 (null island)",
        "latitude is exactly 0 (a missing coordinate)",
        "longitude is exactly 0 (a missing coordinate)",
        "",
    ]


def test_extent_box_ignores_a_few_strays():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 10_000, 1000), rng.uniform(0, 10_000, 1000)
    box = extent_box(np.append(x, [5e6, -3e6]), np.append(y, [1e7, 0]))
    xmin, ymin, xmax, ymax = box.bounds
    assert -5000 < xmin < 0 and 10_000 < xmax < 15_000 and -5000 < ymin < 0 and 10_000 < ymax < 15_000


@pytest.mark.django_db
def test_the_sql_judgement_of_the_data_box_agrees_with_the_geometry(tmp_path):
    from copps.geo.crs import Projector
    from copps.incidents import jurisdiction

    lat, lon = city_points(3000, 0, seed=9)  # many: three more points barely move the percentiles
    profile = write_profile(tmp_path)
    call_command("import_events", str(write_events(tmp_path, lat, lon)), profile=str(profile))
    x0, y0, x1, _ = jurisdiction.current().area.bounds
    # across the box's south edge: inside, in the 500 m band, beyond it
    xs, ys = np.full(3, (x0 + x1) / 2), np.array([y0 + 300, y0 - 250, y0 - 1500])
    plon, plat = Projector(Site.get().crs).inverse(xs, ys)
    edge = {f"edge-{k}": (float(a), float(o), "") for k, (a, o) in enumerate(zip(plat, plon, strict=True))}
    call_command("import_events", str(write_events(tmp_path, [], [], strays=edge, name="e.csv")), profile=str(profile))
    j = jurisdiction.current()
    assert j.source == "data"
    got = statuses()
    assert [got["edge-0"], got["edge-1"], got["edge-2"]] == ["inside", "buffer", "outside"]
    rows = list(Event.objects.values_list("lon", "lat", "x", "y", "location"))
    cols = [np.array([np.nan if r[k] is None else r[k] for r in rows], float) for k in range(4)]
    assert [r[4] for r in rows] == j.classify(*cols).tolist()

