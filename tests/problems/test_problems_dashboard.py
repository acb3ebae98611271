"""The SARA dashboard of the city, a district or a beat: hot spots (KDE and Gi*) served as GeoJSON,
the CompStat table flagging only changes larger than chance, alerts, open problems with stage and
days open, and recent community requests. Staff only; a fixed number of queries."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from copps.analysis import compstat
from copps.geo.crs import Projector
from copps.incidents import daycounts, signals
from copps.incidents.models import Area, Event, OffenseCategory, Site
from copps.incidents.scanning import DailyCounts, ScanFilter, daily_counts, load_events
from copps.problems import dashboard
from copps.problems.models import Problem

STAFF = ["officer", "analyst", "supervisor", "admin"]


def centre_metres(feature, projector):
    ring = np.array(feature["geometry"]["coordinates"][0][:4])
    x, y = projector.forward(ring[:, 0], ring[:, 1])
    return float(np.mean(x)), float(np.mean(y))


def test_hotspot_layers_find_the_planted_hot_spots(imported, client_for):
    response = client_for("analyst").get(reverse("problems:hotspots"))
    assert response.status_code == 200
    fc = response.json()
    gi = [f for f in fc["features"] if f["properties"]["layer"] == "gistar"]
    kde = [f for f in fc["features"] if f["properties"]["layer"] == "kde"]
    assert gi and kde and fc["summary"]["hot_99"] > 0
    assert {f["properties"]["class"] for f in gi} <= {-3, -2, -1, 1, 2, 3}
    assert all(f["properties"]["p"] <= 0.1 for f in gi)
    projector = Projector(Site.get().crs)
    hot99 = [centre_metres(f, projector) for f in gi if f["properties"]["class"] == 3]
    found = [
        h["label"]
        for h in imported["hotspots"]
        if any(math.dist(c, (h["x"], h["y"])) <= h["radius_m"] + 250 for c in hot99)
    ]
    assert "motel" in found and len(found) >= 3, found
    densest = max(kde, key=lambda f: f["properties"]["density"])
    assert densest["properties"]["share"] == 1.0
    assert min(math.dist(centre_metres(densest, projector), (h["x"], h["y"])) for h in imported["hotspots"]) < 400
    assert fc["parameters"]["kernel"] == "quartic" and fc["parameters"]["fdr"] == 0.05


def test_a_beat_layer_stays_inside_the_beat(imported, client_for):
    beat = Area.objects.filter(type="beat").order_by("code").first()
    fc = client_for("officer").get(reverse("problems:hotspots") + f"?area={beat.pk}").json()
    assert fc["parameters"]["area"] == str(beat)
    lon = [pt[0] for f in fc["features"] for pt in f["geometry"]["coordinates"][0]]
    lat = [pt[1] for f in fc["features"] for pt in f["geometry"]["coordinates"][0]]
    assert lon, "the beat's layers hold no cell"
    # cells (centre inside the beat, or holding its events) reach at most one cell past the outline
    assert min(lon) >= beat.min_lon - 0.003 and max(lon) <= beat.max_lon + 0.003
    assert min(lat) >= beat.min_lat - 0.003 and max(lat) <= beat.max_lat + 0.003
    assert client_for("officer").get(reverse("problems:hotspots") + "?kind=bogus").status_code == 400


def test_compstat_flags_only_significant_changes(imported):
    data = dashboard.area_events(None)
    table = dashboard.compstat_table(data)
    assert table[0]["label"] == "All crime" and len(table) > 3
    flagged = [c for row in table for c in row["cells"] if c["significant"]]
    quiet = [c for row in table for c in row["cells"] if not c["significant"]]
    assert flagged and quiet
    assert all(c["p"] <= 0.05 and c["direction"] != 0 for c in flagged)
    assert all(c["p"] > 0.05 and c["direction"] == 0 for c in quiet)
    # a flagged cell agrees with the exact test run by hand on its counts
    c = flagged[0]
    days = {"week": 7, "28 days": 28}.get(c["window"])
    if days:
        r = compstat.compare([c["now"]], [c["before"]], days, days)
        assert r.significant[0] and math.isclose(float(r.p[0]), c["p"])
    # the whole city's total is the sum of its events in the week
    week = table[0]["cells"][0]
    start = np.datetime64(data.today) - np.timedelta64(6, "D")
    assert week["now"] == int(data.events.n[data.events.day >= start].sum())


def test_the_dashboard_counted_in_the_database_equals_loading_every_event(imported, client_for):
    """The CompStat table and the alerts come from events counted per category and day in the
    database; they are exactly what loading every event (load_events, as the dashboard did) gives,
    for the city, districts and beats, crimes and collisions, on the page and in the functions."""
    areas = [None, *Area.objects.filter(type="district").order_by("code")[:2]]
    areas += list(Area.objects.filter(type="beat").order_by("code")[:2])
    flagged = 0
    for area in areas:
        for kind in ("crime", "collision"):
            data = dashboard.area_events(area, kind)
            f = ScanFilter(
                kind=kind,
                area=dashboard.scan_area(area),
                date_from=data.today - timedelta(days=730),
                date_to=data.today,
            )
            loaded = replace(data, events=DailyCounts.from_events(load_events(f)))
            assert len(data.events) == len(loaded.events) > 0
            table = dashboard.compstat_table(data)
            assert table == dashboard.compstat_table(loaded), (area, kind)
            assert dashboard.alerts_table(data) == dashboard.alerts_table(loaded), (area, kind)
            flagged += sum(c["significant"] for row in table for c in row["cells"])
            if kind == "crime":
                query = f"?area={area.pk}" if area else ""
                page = client_for("analyst").get(reverse("problems:dashboard") + query)
                assert page.context["compstat"] == dashboard.compstat_table(loaded)
                assert page.context["alerts"] == dashboard.alerts_table(loaded)
    assert flagged > 0  # the tables compared hold flagged changes, not only empty rows


def _as_set(counts: DailyCounts) -> set:
    return set(zip(counts.day.tolist(), counts.category.tolist(), counts.n.tolist(), strict=True))


def _kept_answers_as_counted(today) -> int:
    """The kept day counts give what counting the events gives, for the city, a district and a
    beat: crimes, collisions, every kind and a category filter; returns the events compared."""
    areas = [None, Area.objects.filter(type="district").order_by("code").first()]
    areas.append(Area.objects.filter(type="beat").order_by("code").first())
    compared = 0
    for area in areas:
        for kind, categories in (("crime", ()), ("collision", ()), (None, ("burglary", "robbery"))):
            f = ScanFilter(kind, categories, dashboard.scan_area(area), today - timedelta(days=730), today)
            kept, counted = daily_counts(f), daily_counts(f, kept=False)
            assert _as_set(kept) == _as_set(counted), (area, kind, categories)
            compared += len(counted)
    return compared


def test_the_kept_day_counts_answer_as_counting_the_events(imported, client_for):
    """The staff day counts (kept by the public refresh: ``daycounts.rebuild`` in a full one,
    ``daycounts.recount`` of the changed months in an incremental one, which
    tests/publish/test_incremental.py drives through the refresh) give exactly what counting the
    events gives, after events are moved, re-categorised, made sensitive (staff see every event)
    and deleted; until a refresh has counted a change, the events are counted instead."""
    daycounts.rebuild()
    assert daycounts.fresh()
    today = dashboard.area_events(None).today
    assert _kept_answers_as_counted(today) > 1000
    crimes = list(Event.objects.filter(kind="crime").order_by("id").values_list("id", flat=True))
    beats = list(Area.objects.filter(type="beat").order_by("code"))
    burglary = OffenseCategory.objects.get(code="burglary")
    months = set()
    for i, event in enumerate(Event.objects.filter(id__in=crimes[:60])):
        months.add(("crime", f"{timezone.localtime(event.occurred_from):%Y-%m}"))
        event.occurred_from -= timedelta(days=3 + 40 * (i % 5), hours=i)
        months.add(("crime", f"{timezone.localtime(event.occurred_from):%Y-%m}"))
        event.category = burglary if i % 2 else event.category
        event.beat = beats[i % len(beats)]
        event.district = event.beat.parent
        event.sensitive = i % 3 == 0
        event.save()
    gone = Event.objects.filter(id__in=crimes[-30:]).values_list("occurred_from", flat=True)
    months.update(("crime", f"{timezone.localtime(t):%Y-%m}") for t in gone)
    Event.objects.filter(id__in=crimes[-30:]).delete()
    started = daycounts.begin()
    signals.events_changed.send(sender=Event, batch_id=None, events=[crimes[:60] + crimes[-30:]])
    assert not daycounts.fresh()  # behind the events: not read
    daycounts.recount(months, started + 1)
    assert daycounts.fresh()
    assert _kept_answers_as_counted(today) > 1000
    page = client_for("analyst").get(reverse("problems:dashboard"))
    f = ScanFilter("crime", (), None, today - timedelta(days=730), today)
    counted = replace(dashboard.area_events(None), events=daily_counts(f, kept=False))
    assert page.context["compstat"] and repr(page.context["compstat"]) == repr(dashboard.compstat_table(counted))


def test_dashboard_page_for_a_district_shows_each_part(with_requests, client_for, make_problem):
    district = Area.objects.filter(type="district").order_by("code").first()
    beat = Area.objects.filter(type="beat", parent=district).first()
    inside = make_problem(title="Thefts at the district's mall")
    inside.areas.add(beat)
    far_away = {"type": "Polygon", "coordinates": [[[-122.5, 37.7], [-122.49, 37.7], [-122.49, 37.71], [-122.5, 37.7]]]}
    far = Problem.objects.create(title="Elsewhere entirely", polygon=far_away)
    response = client_for("officer").get(reverse("problems:dashboard") + f"?area={district.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Dashboard: {district}" in page
    assert "CompStat" in page and "Alerts" in page and "Recent community requests" in page
    assert "Thefts at the district&#x27;s mall" in page and far.title not in page
    source = response.context["hotspots_url"]  # the workspace's parameters, the area among them
    assert source.startswith("/problems/dashboard/hotspots.geojson?kind=crime&") and f"&area={district.pk}&" in source
    assert f'data-source="{source.replace("&", "&amp;")}"' in page
    assert "leaflet/leaflet.js" in page and "problems/hotspot_map.js" in page and "<script>" not in page
    shown = response.context["requests"]
    assert shown and all(r.district_id == district.pk or (r.beat and r.beat.parent_id == district.pk) for r in shown)
    # requests show their block, never the reporter
    assert "reporter" not in page and "@" not in page.split("Recent community requests")[1]


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_reads_the_dashboard(imported, client_for, role):
    assert client_for(role).get(reverse("problems:dashboard")).status_code == 200
    assert client_for(role).get(reverse("problems:hotspots")).status_code == 200


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_residents_get_a_bare_403(make_problem, client_for, role):
    make_problem()
    for url in (reverse("problems:dashboard"), reverse("problems:hotspots")):
        response = client_for(role).get(url)
        assert response.status_code == 403 and b"You can't open this page" in response.content


def test_anonymous_is_sent_to_sign_in(client, db):  # every request reads the site's time zone
    for url in (reverse("problems:dashboard"), reverse("problems:hotspots")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_unknown_area_is_404(client_for, db):
    assert client_for("analyst").get(reverse("problems:dashboard") + "?area=999999").status_code == 404


def test_dashboard_query_count_does_not_grow_with_problems(imported, client_for, cast, django_assert_max_num_queries):
    c = client_for("supervisor")
    beat = Area.objects.filter(type="beat").first()
    for i in range(3):
        Problem.objects.create(title=f"P{i}", owner=cast["officer"]).areas.add(beat)
    url = reverse("problems:dashboard") + f"?area={beat.pk}"
    # (the analysis workspace adds its categories, its areas, the open problems to save to and the
    # first kind the site has data of; the data's state, asked by each coverage, is read once)
    with django_assert_max_num_queries(18) as first:
        assert c.get(url).status_code == 200
    assert sum("MAX(occurred_from)" in q["sql"] for q in first.captured_queries) == 1
    for i in range(20):
        Problem.objects.create(title=f"Q{i}", owner=cast["officer"]).areas.add(beat)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = c.get(url).content.decode()
    assert "Q19" in page and "P0" in page
