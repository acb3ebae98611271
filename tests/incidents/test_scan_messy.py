"""Scans on messy exports: stray geocodes never size a grid, hot cells lie in the jurisdiction and
hold events, a grid over the cell budget is refused before it is allocated, and Gi* on a few
hundred collisions flags about what was planted."""

from __future__ import annotations

import json
import math
import re
import tracemalloc

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from shapely.geometry import shape
from tests.conftest import shared_data
from tests.incidents.messy_places import (
    CLUSTERS,
    LIMITS,
    city_points,
    write_events,
    write_limits,
    write_profile,
)

from copps.geo.studygrid import CELL_BUDGET, GridTooLarge, study_grids
from copps.incidents.models import Event

CITY = shape(LIMITS)


def scan(capsys, *args):
    capsys.readouterr()
    call_command("scan", *args)
    return capsys.readouterr()


def grid_of(err: str) -> tuple[int, int]:
    cols, rows = re.search(r"grid (\d+) x (\d+) cells", err).groups()
    return int(cols), int(rows)


def hot_cells(path) -> list[dict]:
    cells = json.loads(path.read_text())["features"]
    return [c for c in cells if c["properties"]["class"] > 0]


def centre(feature) -> shapely.Point:
    ring = feature["geometry"]["coordinates"][0][:4]
    return shapely.Point(sum(p[0] for p in ring) / 4, sum(p[1] for p in ring) / 4)


@pytest.fixture
def strays_city(db, tmp_path):
    """400 crimes over the city, 4 planted clusters of 25, and every kind of stray."""
    lat, lon = city_points(400, 25)
    call_command("areas", "import", str(write_limits(tmp_path)), type="city", name_field="NAME")
    call_command("import_events", str(write_events(tmp_path, lat, lon)), profile=str(write_profile(tmp_path)))
    return tmp_path


def test_hotspots_grid_is_the_city_and_hot_cells_lie_in_it(strays_city, capsys, tmp_path):
    res = scan(capsys, "hotspots", "--cell", "150", "--geojson", str(tmp_path / "hot.geojson"))
    assert "5 events left out of the map: 3 outside the jurisdiction, 2 at impossible places" in res.out
    assert "study area: the city limits (Testville)" in res.out
    cols, rows = grid_of(res.err)
    assert cols <= math.ceil(12_900 / 150) + 1 and rows <= math.ceil(16_800 / 150) + 1  # the city, not the world
    hot = hot_cells(tmp_path / "hot.geojson")
    assert hot
    assert all(CITY.contains(centre(c)) for c in hot)
    assert all(c["properties"]["events"] >= 1 for c in hot)


def test_one_far_away_point_does_not_change_the_grid(strays_city, capsys, tmp_path):
    before = grid_of(scan(capsys, "hotspots").err)
    far = write_events(tmp_path, [], [], strays={"antarctica": (-77.85, 166.67, "outside")}, name="far.csv")
    call_command("import_events", str(far), profile=str(write_profile(tmp_path)))
    assert Event.objects.get(source_id="antarctica").location == "outside"
    assert grid_of(scan(capsys, "hotspots").err) == before


def test_study_grid_shape_is_flat_in_the_data_spread():
    area = shapely.box(0, 0, 15_000, 12_000)
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 15_000, 500), rng.uniform(0, 12_000, 500)
    (g,) = study_grids(area, 150, [(x, y)])
    (g_far,) = study_grids(area, 150, [(np.append(x, 9e6), np.append(y, -4e6))])
    assert g.shape == g_far.shape == (80, 100)
    assert g_far.counts.sum() == 500  # the far point is outside the grid, not counted


def test_no_event_inside_the_area_is_lost_in_an_edge_cell():
    """A triangle's edge cells have their centres outside it but hold its events: they are in the
    study, so the grid counts every event that lies in the area."""
    area = shapely.Polygon([(0, 0), (3_000, 0), (0, 3_000)])
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 3_000, 4_000), rng.uniform(0, 3_000, 4_000)
    inside = shapely.contains_xy(area, x, y)
    (g,) = study_grids(area, 250, [(x[inside], y[inside])])
    assert g.counts[g.valid].sum() == inside.sum()
    centres_in = shapely.contains_xy(area, *g.centres())
    assert (g.valid & ~centres_in).any()  # some edge cells are in only through their events


def test_a_grid_over_the_budget_is_refused_before_allocation(strays_city, capsys):
    tracemalloc.start()
    try:
        with pytest.raises(CommandError) as exc:
            call_command("scan", "hotspots", "--cell", "1")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(exc.value)
    assert "a grid of 1 m cells over the study area (12.9 km x 16.7 km)" in message
    assert f"more than the budget of {CELL_BUDGET:,}" in message and "use cells of at least 8 m" in message
    assert peak < 50e6  # a 1 m grid of the city would be 215M cells (1.7 GB a layer)


def test_budget_is_checked_before_counting():
    with pytest.raises(GridTooLarge, match="more than the budget of 100"):
        study_grids(shapely.box(0, 0, 10_000, 10_000), 100, [(np.zeros(3), np.zeros(3))], budget=100)


@pytest.fixture
def sparse_collisions(db, tmp_path):
    """A few hundred collisions over the city: 300 scattered, 4 planted clusters of 12."""
    lat, lon = city_points(300, 12, seed=5)
    call_command("areas", "import", str(write_limits(tmp_path)), type="city", name_field="NAME")
    path = write_events(tmp_path, lat, lon, name="collisions.csv")
    call_command("import_events", str(path), profile=str(write_profile(tmp_path, kind="collision")))
    return tmp_path


def planted_found(hot: list[dict]) -> int:
    return sum(
        1
        for clat, clon in CLUSTERS
        if any(centre(c).distance(shapely.Point(clon, clat)) < 0.003 for c in hot)  # ~250 m
    )


@pytest.mark.parametrize("permutations", [0, 39_999])
def test_sparse_collisions_flag_about_what_was_planted(sparse_collisions, capsys, tmp_path, permutations):
    out_path = tmp_path / f"hot{permutations}.geojson"
    res = scan(
        capsys, "hotspots", "--kind", "collision", "--permutations", str(permutations), "--geojson", str(out_path)
    )
    if permutations:
        assert "classes from the permutation p-value (p_sim, 39999 conditional permutations" in res.out
        assert "the smallest two-sided p is 5e-05" in res.out
    else:
        assert "classes from the normal p-value of z" in res.out
    hot = hot_cells(out_path)
    assert all(c["properties"]["events"] >= 1 for c in hot)  # no hot cell without an event of its own
    assert all(CITY.contains(centre(c)) for c in hot)
    assert planted_found(hot) >= 3
    # 4 clusters of 12 over ~9,500 cells: each is at most a few cells; the 300 scattered
    # collisions (one cell in 30 holds one) must not light up the city (without the minimum-count
    # rule: 83 hot cells, 59 of them empty; with esda's directed p_sim, 289 hot and 7,136 cold)
    assert len(hot) <= 24
    assert "cold-spot cells: 0" in res.out  # a window of zeros among zeros is not "significantly low"


def test_dashboard_layers_on_strays_stay_in_the_city(strays_city, client_for):
    response = client_for("analyst").get(reverse("problems:hotspots"), {"kind": "crime"})
    assert response.status_code == 200
    data = response.json()
    assert data["summary"]["left_out"] == {"outside the jurisdiction": 3, "at impossible places": 2}
    assert "5 events left out of the map" in data["summary"]["left_out_text"]
    gi = [f for f in data["features"] if f["properties"]["layer"] == "gistar" and f["properties"]["class"] > 0]
    assert gi and all(CITY.contains(centre(f)) for f in gi)


def test_candidate_scan_on_strays_runs_and_says_what_it_left_out(strays_city, capsys):
    capsys.readouterr()
    call_command("candidates", "--kind", "hot_spot")
    out = capsys.readouterr().out
    assert "5 events left out of the spatial scans: 3 outside the jurisdiction, 2 at impossible places" in out
    from copps.problems.models import Candidate

    for cand in Candidate.objects.all():
        assert CITY.buffer(0.002).contains(shape(cand.geometry))


def test_real_switrs_file_with_a_stray_far_north(db, capsys):
    """SWITRS San Diego 2015: a few geocodes lie hundreds of km away (one at 37.76 N, the Bay Area)."""
    call_command(
        "import_events", str(shared_data("collisions/switrs_san_diego_CollisionRecords_2015.txt")), profile="switrs"
    )
    far = Event.objects.filter(lat__gt=35)
    assert far.exists() and set(far.values_list("location", flat=True)) == {"outside"}
    res = scan(capsys, "hotspots", "--kind", "collision", "--cell", "250")
    cols, rows = grid_of(res.err)
    assert rows * 250 < 150_000  # the extent of San Diego's data, not 600 km to the Bay Area
    assert "outside the jurisdiction" in res.out


def test_the_staff_map_leaves_misplaced_events_out_unless_asked(strays_city, client_for):
    """'Anywhere' on the staff map: one stray geocode zoomed the map out to the whole world."""
    client = client_for("analyst")
    data = client.get(reverse("api:events_geojson")).json()
    ids = {f["properties"]["id"] for f in data["features"]}
    assert ids and not Event.objects.filter(pk__in=ids, location__in=["outside", "invalid"]).exists()
    assert set(data["left_out"]) == {"Outside the jurisdiction", "Impossible or placeholder point"}
    misplaced = client.get(reverse("api:events_geojson"), {"location": "misplaced"}).json()
    assert misplaced["total"] == sum(data["left_out"].values()) and misplaced["left_out"] == {}
    assert {f["properties"]["id"] for f in misplaced["features"]}.isdisjoint(ids)
