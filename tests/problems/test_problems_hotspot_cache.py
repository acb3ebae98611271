"""The workspace's hot-spot layers kept in the shared cache (``copps.problems.hotspot_cache``):
after an import a background job keeps the standard views (kind x city and districts x the last
28, 90 and 365 days), the GeoJSON endpoint then answers them from the cache with exactly what it
would compute, a new import's data is never answered with the old layers, and any other view is
computed once and kept, seeded permutations included."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from tests.problems.test_problems_hotspot_workspace import LAST, LAT, LON, Town, geojson

from copps.incidents import sitetime
from copps.incidents.models import Event
from copps.problems import hotspot_cache
from copps.problems import hotspot_workspace as hw

PROFILE = Path(__file__).resolve().parents[1] / "incidents" / "data" / "feeds" / "socrata.toml"
HEADER = "case_id,date,primary_type,location.lat,location.lon,:updated_at\n"


@pytest.fixture
def town(db, settings):
    settings.COPPS_HOTSPOT_PRECOMPUTE_EVENTS = 0  # the town is small: keep its layers all the same
    return Town()


def computed(params: dict) -> dict:
    """What the workspace computes for ``params``, as its JSON answer reads."""
    return json.loads(json.dumps(hw.run(params)))


def standard(kind: str, days: int, area: int | None = None) -> dict:
    """The standard view of ``kind`` over the last ``days`` days, in the city or ``area``."""
    first = (LAST - timedelta(days=days - 1)).isoformat()
    return next(
        v
        for v in hotspot_cache.standard_parameters()
        if v["event_kind"] == kind and v["date_from"] == first and v["area_ids"] == ([area] if area else [])
    )


def refuse_to_compute(monkeypatch):
    def refuse(params):
        raise AssertionError(f"computed instead of read: {params}")

    monkeypatch.setattr(hw, "run", refuse)


def test_the_standard_views_are_the_kinds_areas_and_periods_of_the_data(town):
    views = hotspot_cache.standard_parameters()
    # crimes and collisions (no calls) x the whole city and district D1 x 28, 90 and 365 days
    assert len(views) == 2 * 2 * 3
    assert {(v["event_kind"], tuple(v["area_ids"]), v["date_from"]) for v in views} == {
        (kind, area, (LAST - timedelta(days=days - 1)).isoformat())
        for kind in ("crime", "collision")
        for area in ((), (town.district.pk,))
        for days in (28, 90, 365)
    }
    assert {(v["date_to"], v["cell_m"], v["bandwidth_m"], v["permutations"], v["seed"]) for v in views} == {
        (LAST.isoformat(), 150, 300, 0, 0)
    }


def test_a_kept_answer_is_read_and_equals_the_one_computed_on_demand(town, client_for, monkeypatch):
    assert hotspot_cache.precompute()["kept"] == 12
    default, district = standard("crime", 365), standard("collision", 28, town.district.pk)
    expected = [computed(default), computed(district)]
    refuse_to_compute(monkeypatch)
    c = client_for("analyst")
    first = c.get("/problems/dashboard/hotspots.geojson")  # the workspace's first view: every field blank
    second = geojson(
        c, kind="collision", area=town.district.pk, date_from=district["date_from"], date_to=district["date_to"]
    )
    assert first.status_code == second.status_code == 200
    assert [first.json(), second.json()] == expected
    assert expected[0]["features"] and expected[0]["summary"]["events"] > 1000  # layers, not an empty answer
    assert expected[1]["summary"]["emerging"]["note"].startswith("the data covers fewer than 6")


def test_a_new_import_is_never_answered_with_the_old_layers(town, client_for):
    c = client_for("analyst")
    hotspot_cache.precompute()
    before = c.get("/problems/dashboard/hotspots.geojson").json()
    n = len(town.rows)
    for day in range(3):  # a new batch of burglaries in the weeks the default view covers
        town.cell("burglary", (2, 2), LAST - timedelta(days=day), 5)
    Event.objects.bulk_create(town.rows[n:])
    assert not hotspot_cache.is_current()
    after = c.get("/problems/dashboard/hotspots.geojson").json()
    assert after["summary"]["events"] == before["summary"]["events"] + 15
    assert after == computed(standard("crime", 365))  # crimes, whole city, 365 days


def test_another_view_is_computed_once_then_kept_and_permutations_are_seeded(town, client_for, monkeypatch):
    c = client_for("analyst")
    asked = {"area": town.district.pk, "permutations": 99, "cell": 200, "layer": ["gistar"]}
    first = geojson(c, **asked).json()
    params = hw.defaults("crime") | {
        "area_ids": [town.district.pk],
        "date_from": first["parameters"]["date_from"],
        "date_to": first["parameters"]["date_to"],
        "cell_m": 200,
        "permutations": 99,
        "layers": ["gistar"],
    }
    assert first == computed(params)  # computed afresh with the same seed: the same classes and p
    refuse_to_compute(monkeypatch)
    assert geojson(c, **asked).json() == first


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connection, as a real one does
def test_an_import_queues_the_job_once_and_the_worker_keeps_the_layers(settings, tmp_path, client_for, monkeypatch):
    settings.COPPS_HOTSPOT_PRECOMPUTE_EVENTS = 0
    Town()
    export = tmp_path / "export.csv"
    export.write_text(HEADER + f"A1,2024-06-20T10:00:00,THEFT,{LAT},{LON},\n")
    call_command("import_events", str(export), profile=str(PROFILE), verbosity=0)
    call_command("import_events", str(export), profile=str(PROFILE), verbosity=0)  # the same again: queued once
    jobs = DBTaskResult.objects.filter(task_path__endswith="hotspot_layers")
    with sitetime.in_zone():  # the zone the import set, which pages and the job run in
        assert jobs.count() == 1 and not hotspot_cache.is_current()
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    job = jobs.get()
    assert job.status == "SUCCESSFUL", job.traceback
    assert job.return_value.startswith("Hot-spot layers: 12 standard views kept")
    with sitetime.in_zone():
        assert hotspot_cache.is_current()
        expected = computed(standard("crime", 365))
    refuse_to_compute(monkeypatch)
    assert client_for("analyst").get("/problems/dashboard/hotspots.geojson").json() == expected


def test_a_small_site_queues_no_job(town, settings):
    from copps.incidents import signals
    from copps.incidents.models import ImportBatch

    settings.COPPS_HOTSPOT_PRECOMPUTE_EVENTS = 1_000_000
    signals.import_finished.send(sender=ImportBatch, batch_id=town.batch.pk)
    assert not DBTaskResult.objects.filter(task_path__endswith="hotspot_layers").exists()
    settings.COPPS_HOTSPOT_PRECOMPUTE_EVENTS = 100
    signals.import_finished.send(sender=ImportBatch, batch_id=town.batch.pk)
    assert DBTaskResult.objects.filter(task_path__endswith="hotspot_layers").count() == 1
