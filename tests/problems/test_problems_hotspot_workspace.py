"""The analysis workspace of the dashboard and of every problem: the form (defaults, validation,
the data's coverage beside the dates), the layers the GeoJSON endpoint serves (KDE, Gi* classes,
emerging hot-spot classes over the steps the data covers in full), crash hot spots by severity,
the current view as PNG and PDF, and saving it to a problem as an "Emerging hot spots" analysis
that the problem page, the analysis page and the SARA report show."""

from __future__ import annotations

import copy
import html
import io
import shutil
import subprocess
from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from tests.conftest import replayed
from tests.problems.conftest import audit_actions

from copps.incidents.models import Area, Event, ImportBatch, OffenseCategory, Site
from copps.problems.models import Problem, SavedAnalysis

LON, LAT = -121.30, 38.70
CELL = 150.0
WEEKS = 16
LAST = date(2024, 6, 30)  # the last complete day: events run to the day after (the partial day)
FIRST = LAST - timedelta(days=7 * WEEKS - 1)
NEW = (10, 4)  # (column, row) of the cell hot in the last week only
PERSISTENT = (4, 12)  # hot every week
EARLY = (14, 14)  # hot only in the first two weeks, before the gap


class Town:
    """A 3 km square district: a fixed scatter of background burglaries every day (the same places
    each week), a cell hot every week, a cell hot only in the last week, and collisions of each
    severity."""

    def __init__(self, gap: bool = False):
        site = Site.get()
        site.crs = "EPSG:32610"
        site.save()
        self.proj = Site.projector()
        x, y = self.proj.forward(np.array([LON]), np.array([LAT]))
        self.x0 = float(np.floor(x[0] / CELL) * CELL)
        self.y0 = float(np.floor(y[0] / CELL) * CELL)
        lon, lat = self.proj.inverse(np.array([self.x0, self.x0 + 3000]), np.array([self.y0, self.y0 + 3000]))
        box = [[lon[0], lat[0]], [lon[1], lat[0]], [lon[1], lat[1]], [lon[0], lat[1]], [lon[0], lat[0]]]
        extent = {"min_lon": lon[0], "min_lat": lat[0], "max_lon": lon[1], "max_lat": lat[1]}
        geometry = {"type": "Polygon", "coordinates": [box]}
        self.district = Area.objects.create(type="district", code="D1", name="North", geometry=geometry, **extent)
        self.cats = {
            code: OffenseCategory.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "group": g})[0]
            for code, name, kind, g in [
                ("burglary", "Burglary", "crime", "property"),
                ("robbery", "Robbery", "crime", "violent"),
                ("collision-fatal", "Fatal collision", "collision", "collision"),
                ("collision-injury", "Injury collision", "collision", "collision"),
                ("collision-pdo", "Property-damage-only collision", "collision", "collision"),
            ]
        }
        self.batch = ImportBatch.objects.create(
            file_name="t.csv", sha256="0" * 64, profile="test", source="t", started_at=timezone.now()
        )
        self.rows: list[Event] = []
        rng = np.random.default_rng(3)
        background = rng.uniform(0, 3000, (6, 2))  # six places, the same every day
        gap = {FIRST + timedelta(days=d) for d in range(14, 24)} if gap else set()
        day = FIRST
        while day <= LAST + timedelta(days=1):
            if day not in gap:
                for bx, by in background:
                    self.add("burglary", bx, by, day)
                self.cell("burglary", PERSISTENT, day, 4)
                if day > LAST - timedelta(days=7):
                    self.cell("burglary", NEW, day, 3)
                if gap and day < FIRST + timedelta(days=14):
                    self.cell("burglary", EARLY, day, 5)
                self.add("collision-pdo", 2500, 500, day)
                if day.day % 3 == 0:
                    self.add("collision-injury", 600, 2400, day)
            day += timedelta(days=1)
        Event.objects.bulk_create(self.rows)

    def cell(self, code, where, day, n):
        for i in range(n):
            self.add(code, (where[0] + 0.3 + 0.1 * i) * CELL, (where[1] + 0.5) * CELL, day)

    def add(self, code, dx, dy, day):
        x, y = self.x0 + dx, self.y0 + dy
        lon, lat = self.proj.inverse(np.array([x]), np.array([y]))
        cat = self.cats[code]
        when = datetime.combine(day, time(12), timezone.get_current_timezone())
        self.rows.append(
            Event(
                kind=cat.kind, source="t", source_id=f"e{len(self.rows)}", batch=self.batch, category=cat,
                district=self.district, occurred_from=when, lon=float(lon[0]), lat=float(lat[0]), x=x, y=y,
                location="inside", raw={}, row_hash="x",
            )
        )  # fmt: skip

    def centre(self, where) -> tuple[float, float]:
        return self.x0 + (where[0] + 0.5) * CELL, self.y0 + (where[1] + 0.5) * CELL


@pytest.fixture
def town(db):
    """The town built once per test process and replayed in later tests (tests/conftest.py), each
    test with its own copy and its own instances of the district and categories, read back."""
    town = copy.copy(replayed("hot spot workspace town", Town))
    town.district = Area.objects.get(pk=town.district.pk)
    town.cats = {code: OffenseCategory.objects.get(pk=cat.pk) for code, cat in town.cats.items()}
    town.batch = ImportBatch.objects.get(pk=town.batch.pk)
    town.rows = list(town.rows)
    return town


def layer(fc, name):
    return [f for f in fc["features"] if f["properties"]["layer"] == name]


def class_at(features, town, where, proj):
    cx, cy = town.centre(where)
    for f in features:
        ring = np.array(f["geometry"]["coordinates"][0][:4])
        x, y = proj.forward(ring[:, 0], ring[:, 1])
        if x.min() < cx < x.max() and y.min() < cy < y.max():
            return f["properties"]["label"]
    return None


def geojson(c, **params):
    return c.get(reverse("problems:hotspots"), {"date_from": FIRST, "date_to": LAST, **params})


def test_the_form_shows_its_defaults_and_the_datas_coverage(town, client_for):
    response = client_for("analyst").get(reverse("problems:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="get" id="workspace"' in page and ">Show</button>" in page
    form = response.context["form"]
    # the last 365 days ending at the data's last complete day, every layer, 150 m and 300 m
    assert form["date_to"].value() == LAST.isoformat()
    assert form["date_from"].value() == (LAST - timedelta(days=364)).isoformat()
    assert form["layer"].value() == ["kde", "gistar", "emerging"]
    assert (form["cell"].value(), form["bandwidth"].value(), form["kind"].value()) == ("150", "300", "crime")
    for name in ("kind", "category", "date_from", "date_to", "area", "cell", "bandwidth", "permutations", "layer"):
        assert f'name="{name}"' in page, name
    assert f"data from {FIRST} to {LAST}" in page  # the coverage of the chosen kind, beside the dates
    assert '<option value="burglary">Burglary (crime)</option>' in page  # categories by their names
    assert "New: a hot spot in the last step only" in page and "Oscillating:" in page  # the legend's words
    assert 'class="map workspace-map"' in page
    # the map, the downloads and the save form carry the same parameters
    query = f"kind=crime&severity=all&date_from={LAST - timedelta(days=364)}&date_to={LAST}"
    assert query in response.context["hotspots_url"] and "layer=emerging" in response.context["hotspots_url"]
    assert f'href="/reports/hot-spots.png?{query}'.replace("&", "&amp;") in page
    assert (
        "Download PDF" in page and '<form method="post" action="/problems/dashboard/save/" id="save-analysis"' in page
    )


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"cell": "20"}, "cell", "greater than or equal to 50"),
        ({"bandwidth": "99999"}, "bandwidth", "less than or equal to 3000"),
        ({"permutations": "-1"}, "permutations", "greater than or equal to 0"),
        ({"kind": "bogus"}, "kind", "Select a valid choice"),
        ({"date_to": "2030-01-01"}, "date_to", f"The data ends on {LAST}"),
        ({"date_from": "2024-06-01", "date_to": "2024-05-01"}, "date_to", "ends before it starts"),
        ({"date_from": "2019-01-01", "date_to": "2019-12-31"}, "date_from", "covers none of these days"),
        ({"category": "collision-fatal"}, "category", "not a category of crimes"),
        ({"date_to": "yesterday"}, "date_to", "Enter a valid date"),
        ({"layer": "heat"}, "layer", "Select a valid choice"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(town, client_for, params, field, words):
    c = client_for("analyst")
    response = c.get(reverse("problems:hotspots"), params)
    assert response.status_code == 400
    assert f"{field}: " in response.json()["detail"] and words in response.json()["detail"]
    page = c.get(reverse("problems:dashboard"), params)
    assert page.status_code == 200 and words in page.content.decode()
    assert "Not shown: correct the fields marked above." in page.content.decode()
    for export in ("reports:workspace-png", "reports:workspace-pdf"):
        bad = c.get(reverse(export), params)
        assert bad.status_code == 400 and words in bad.content.decode()


def test_a_grid_too_large_is_a_readable_400(town, client_for, monkeypatch):
    from copps.geo import studygrid

    monkeypatch.setattr(studygrid.study_grids, "__kwdefaults__", {"budget": 100})
    response = geojson(client_for("analyst"), area=town.district.pk, cell=50)
    assert response.status_code == 400
    assert "more than the budget of 100; use cells of at least 310 m" in response.json()["detail"]


def test_each_layer_has_the_classes_the_town_was_built_with(town, client_for):
    response = geojson(client_for("analyst"), area=town.district.pk)
    assert response.status_code == 200
    fc = response.json()
    kde, gi, em = layer(fc, "kde"), layer(fc, "gistar"), layer(fc, "emerging")
    assert kde and gi and em
    proj = Site.projector()
    assert class_at(em, town, NEW, proj) == "new hot spot"
    assert class_at(em, town, PERSISTENT, proj) == "persistent hot spot"
    assert class_at(gi, town, PERSISTENT, proj) == "hot spot, 99% confidence"
    densest = max(kde, key=lambda f: f["properties"]["density"])
    assert densest["properties"]["share"] == 1.0 and class_at([densest | {"properties": {"label": "top"}}],
                                                              town, PERSISTENT, proj) == "top"  # fmt: skip
    em_summary = fc["summary"]["emerging"]
    assert (em_summary["step_days"], em_summary["steps"], em_summary["uncovered_steps"]) == (7, 16, 0)
    assert em_summary["step_ends"][-1] == LAST.isoformat()
    assert em_summary["counts"]["new hot spot"] >= 1 and em_summary["counts"]["persistent hot spot"] >= 1
    assert fc["summary"]["events"] == 112 * 6 + 112 * 4 + 7 * 3  # the partial day after LAST is not asked for
    assert fc["sentence"].startswith("Crimes of every category in District North from")
    assert "112 of 112 days covered by the data" in fc["sentence"] and "150 m cells, 300 m bandwidth" in fc["sentence"]
    assert "emerging classes over 16 steps of 7 days" in fc["sentence"] and "0 left out" in fc["sentence"]


def test_only_the_chosen_layers_are_served(town, client_for):
    fc = geojson(client_for("analyst"), area=town.district.pk, layer=["kde"]).json()
    assert {f["properties"]["layer"] for f in fc["features"]} == {"kde"} and "emerging" not in fc["summary"]


def test_emerging_classes_rest_only_on_steps_the_data_covers(db, client_for):
    town = Town(gap=True)
    fc = geojson(client_for("analyst"), area=town.district.pk).json()
    em = fc["summary"]["emerging"]
    # ten days without data in weeks 3-4: only the weeks after the gap are steps
    assert em["step_days"] == 7 and em["steps"] == 12 and em["uncovered_steps"] == 4
    assert em["step_ends"][0] == (FIRST + timedelta(days=7 * 4 + 6)).isoformat()
    proj = Site.projector()
    # hot only before the gap: no class (it would read as a historical hot spot)
    assert class_at(layer(fc, "emerging"), town, EARLY, proj) is None
    assert class_at(layer(fc, "emerging"), town, NEW, proj) == "new hot spot"
    assert "102 of 112 days covered" in fc["sentence"]


def test_a_range_of_fewer_than_six_steps_says_so(town, client_for):
    fc = geojson(client_for("analyst"), date_from=LAST - timedelta(days=30)).json()
    assert not layer(fc, "emerging") and "fewer than 6 whole steps" in fc["summary"]["emerging"]["note"]


def test_crash_hot_spots_by_severity(town, client_for):
    c = client_for("analyst")
    every = geojson(c, kind="collision", area=town.district.pk).json()
    injury = geojson(c, kind="collision", severity="injury", area=town.district.pk).json()
    fatal = geojson(c, kind="collision", severity="fatal", area=town.district.pk).json()
    assert every["summary"]["events"] == 112 + sum(1 for d in range(112) if (FIRST + timedelta(days=d)).day % 3 == 0)
    assert injury["summary"]["events"] == every["summary"]["events"] - 112  # property damage only left out
    assert fatal["summary"]["events"] == 0
    assert "Collisions (Fatal collision, Injury collision), severity: injury or fatal" in injury["sentence"]
    page = c.get(reverse("problems:dashboard"), {"kind": "collision"}).content.decode()
    assert 'name="severity"' in page and "Injury or fatal" in page


def test_the_current_view_downloads_as_png_and_pdf(town, client_for):
    from PIL import Image

    c = client_for("analyst")
    params = {"area": town.district.pk, "date_from": FIRST, "date_to": LAST}
    png = c.get(reverse("reports:workspace-png"), params)
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.width == 800 and image.height > 800 and len(image.getcolors(100000)) > 10
    pdf = c.get(reverse("reports:workspace-pdf"), params)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    text = pdf_text(pdf.content)
    assert "This map rests on: Crimes of every category in District North" in " ".join(text.split())
    assert "new hot spot" in text and "persistent hot spot" in text and "Historical: hot in at least 90%" in text


def pdf_text(data: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is needed to read the PDF back")
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_a_problem_opens_the_workspace_and_saves_an_emerging_analysis(town, client_for, cast):
    problem = Problem.objects.create(
        title="Burglaries in District North", owner=cast["officer"], created_by=cast["analyst"]
    )
    problem.areas.add(town.district)
    problem.categories.add(town.cats["burglary"])
    c = client_for("analyst")
    detail = c.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    link = reverse("problems:dashboard") + f"?kind=crime&amp;zone_of={problem.pk}&amp;category=burglary"
    assert f'href="{link}"' in detail and "Open in the analysis workspace" in detail
    workspace = c.get(link.replace("&amp;", "&"))
    page = workspace.content.decode()
    assert workspace.context["params"]["area_ids"] == [town.district.pk]
    assert workspace.context["params"]["categories"] == ["burglary"]
    assert f'<option value="{problem.pk}" selected>Burglaries in District North</option>' in page
    hidden = dict(workspace.context["save_fields"])
    assert hidden["zone_of"] == [str(problem.pk)] and hidden["category"] == ["burglary"]
    post = {k: v for k, v in hidden.items()} | {"problem": problem.pk, "date_from": FIRST, "date_to": LAST}
    response = c.post(reverse("problems:save_workspace"), post)
    a = SavedAnalysis.objects.get(problem=problem, kind="emerging")
    assert response.status_code == 302 and response.url == reverse("problems:analysis", args=[problem.pk, a.pk])
    assert a.title == "Emerging hot spots" and a.created_by == cast["analyst"]
    p = a.parameters
    assert (p["event_kind"], p["categories"], p["area_ids"], p["cell_m"], p["bandwidth_m"]) == (
        "crime",
        ["burglary"],
        [town.district.pk],
        150,
        300,
    )
    assert (p["date_from"], p["date_to"], p["layers"]) == (
        FIRST.isoformat(),
        LAST.isoformat(),
        ["kde", "gistar", "emerging"],
    )
    em = a.result["emerging"]
    assert em["counts"]["new hot spot"] >= 1 and em["top_cells"] and em["steps"] == 16
    assert "problem.analysis.run" in audit_actions(object_id=str(problem.pk))
    shown = c.get(response.url).content.decode()
    assert "<h1>Emerging hot spots</h1>" in shown and "New hot spot" in shown and "Top cells" in shown
    assert "Crimes (Burglary) from" in shown and "150 m cells and a 300 m bandwidth" in shown
    detail = c.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert "Emerging hot spots" in detail and "steps of 7 days: " in detail
    again = c.post(reverse("problems:rerun_analysis", args=[problem.pk, a.pk]), follow=True)
    assert b"Re-run: the same result." in again.content
    report = c.get(reverse("reports:sara", args=[problem.pk])).content.decode()
    assert "Emerging hot spots" in report and "150 m cells and a 300 m bandwidth" in report


def test_saving_needs_the_right_to_analyse(town, client_for, cast):
    problem = Problem.objects.create(title="P", owner=cast["officer"])
    officer = client_for("officer")
    assert officer.get(reverse("problems:dashboard")).status_code == 200
    refused = officer.post(reverse("problems:save_workspace"), {"problem": problem.pk})
    assert refused.status_code == 403 and not SavedAnalysis.objects.exists()
    assert 'id="save-analysis"' not in officer.get(reverse("problems:dashboard")).content.decode()
    analyst = client_for("analyst")
    bad = analyst.post(reverse("problems:save_workspace"), {"problem": problem.pk, "cell": "5"}, follow=True)
    assert b"Not saved: cell: " in bad.content and not SavedAnalysis.objects.exists()


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_non_staff_get_403_everywhere(town, client_for, role):
    c = client_for(role)
    for name in ("problems:hotspots", "reports:workspace-png", "reports:workspace-pdf"):
        assert c.get(reverse(name)).status_code == 403
    assert c.post(reverse("problems:save_workspace"), {"problem": 1}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db):
    for name in ("problems:hotspots", "reports:workspace-png", "reports:workspace-pdf"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url
    response = client.post(reverse("problems:save_workspace"), {"problem": 1})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_problem_pages_run_form_runs_it_on_the_problems_area_too(town, client_for, cast):
    problem = Problem.objects.create(title="Burglaries", owner=cast["officer"], created_by=cast["analyst"])
    problem.areas.add(town.district)
    problem.categories.add(town.cats["burglary"])
    c = client_for("analyst")
    response = c.post(
        reverse("problems:run_analysis", args=[problem.pk]),
        {"kind": "emerging", "event_kind": "crime", "date_from": FIRST, "date_to": LAST},
    )
    a = SavedAnalysis.objects.get(problem=problem, kind="emerging")
    assert response.url == reverse("problems:analysis", args=[problem.pk, a.pk])
    assert (a.parameters["cell_m"], a.parameters["area_ids"]) == (150, [town.district.pk])
    assert a.result["emerging"]["counts"]["new hot spot"] >= 1


def test_permutations_put_the_gi_star_classes_on_the_seeded_permutation_p(town, client_for):
    c = client_for("analyst")
    normal = geojson(c, area=town.district.pk, layer=["gistar"]).json()
    permuted = geojson(c, area=town.district.pk, permutations=999, layer=["gistar"]).json()
    assert permuted["parameters"]["permutations"] == 999 and normal["parameters"]["permutations"] == 0
    assert "Gi* by 999 permutations (seed 0)" in permuted["sentence"] and "permutations" not in normal["sentence"]
    # the conditional permutation keeps a cell's own count: on this sparse town (six busy places
    # among 400 cells) no window is rarer than about 1 in 20, so under the false discovery rate
    # nothing is classed, where the normal approximation finds the planted cells
    assert normal["summary"]["hot_cells"] > 0 and permuted["summary"]["hot_cells"] == 0
    # and the empty map says why, in numbers
    note = permuted["summary"]["gistar_note"]
    assert note.startswith("no cell passes the false discovery rate: the smallest p is ")
    smallest = float(note.split("the smallest p is ")[1].split(",")[0])
    assert 0.001 <= smallest < 1 and "gistar_note" not in normal["summary"]
    few = geojson(c, area=town.district.pk, permutations=9, layer=["gistar"]).json()["summary"]["gistar_note"]
    assert "9 permutations cannot give a p below 0.1: choose more, or 0 for the normal approximation" in few
    again = geojson(c, area=town.district.pk, permutations=999, layer=["gistar"]).json()
    assert again == permuted  # seeded: the same answer twice


def test_a_saved_analysis_with_an_empty_gi_star_map_says_why(town, client_for, cast):
    problem = Problem.objects.create(title="Corner", owner=cast["officer"], created_by=cast["analyst"])
    c = client_for("analyst")
    post = {"problem": problem.pk, "area": town.district.pk, "date_from": FIRST, "date_to": LAST, "permutations": 9}
    response = c.post(reverse("problems:save_workspace"), post)
    a = SavedAnalysis.objects.get(problem=problem, kind="emerging")
    assert a.result["hot_cells"] == 0 and a.result["cold_cells"] == 0
    assert "9 permutations cannot give a p below 0.1" in a.result["gistar_note"]
    shown = html.unescape(c.get(response.url).content.decode())
    assert "0 hot cells, 0 cold cells. No cell passes the false discovery rate: the smallest p is " in shown
