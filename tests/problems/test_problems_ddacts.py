"""DDACTS: the crime × collision overlay finds where both are hot, analysts open a zone (and a
traffic problem) from it, officers log enforcement and visibility dosage, and the zone is judged by
collisions and crimes before and during — with interval and p — never by tickets."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.conftest import sign_in
from tests.problems.conftest import audit_actions

from copps.accounts.models import AuditLog
from copps.geo.shapes import contains, to_metres
from copps.incidents.models import Site
from copps.incidents.scanning import ScanFilter, load_events
from copps.problems import ddacts
from copps.problems.models import DdactsZone, Dosage, Problem
from copps.problems.scanning.base import latest_day


@pytest.fixture
def zone(imported, client_for):
    """Zone 0 of the overlay opened by an analyst, with a traffic problem, starting 90 days before the data end."""
    start = latest_day("crime") - timedelta(days=90)
    response = client_for("analyst").post(
        reverse("problems:ddacts_zone_new"),
        {"zone": 0, "name": "Sunridge DDACTS zone", "start": start.isoformat(), "open_problem": "1"},
    )
    assert response.status_code == 302
    return DdactsZone.objects.get()


def test_overlay_finds_cells_where_crime_and_collisions_are_both_hot(imported, client_for):
    ov = ddacts.overlay()
    assert ov.zones, "the synthetic city has a crime hot spot on a collision corridor"
    z = ov.zones[0]
    assert z["crimes"] > 20 and z["collisions"] > 10 and z["polygon"]["type"] in ("Polygon", "MultiPolygon")
    c = client_for("officer")
    page = c.get(reverse("problems:ddacts")).content.decode()
    assert "Where both are hot" in page and f"<td>{z['crimes']}</td><td>{z['collisions']}</td>" in page
    assert "Open zone" not in page  # officers do not open zones
    fc = c.get(reverse("problems:ddacts_geojson")).json()
    layers = {f["properties"]["layer"] for f in fc["features"]}
    assert layers == {"crime", "collision", "both"}
    both = [f for f in fc["features"] if f["properties"]["layer"] == "both"]
    assert sum(f["properties"]["crimes"] for f in both) >= z["crimes"]


def test_analyst_opens_a_zone_and_a_traffic_problem(zone, cast):
    assert zone.problem.problem_type == "traffic" and zone.problem.title == "DDACTS: Sunridge DDACTS zone"
    assert zone.cells and zone.evidence["crimes"] > 20 and zone.parameters["cell_m"] == 250.0
    assert audit_actions(action="ddacts.zone_create") == ["ddacts.zone_create"]
    assert zone.problem.activities.filter(text__contains="DDACTS zone opened").exists()


def test_officer_cannot_open_a_zone(imported, client_for):
    response = client_for("officer").post(
        reverse("problems:ddacts_zone_new"), {"zone": 0, "name": "x", "start": "2024-06-01"}
    )
    assert response.status_code == 403 and not DdactsZone.objects.exists()
    assert AuditLog.objects.filter(username="officer", action="ddacts.zone_create", outcome="denied").exists()


def test_a_zone_number_not_in_the_overlay_is_refused(imported, client_for):
    c = client_for("analyst")
    response = c.post(
        reverse("problems:ddacts_zone_new"), {"zone": 99, "name": "x", "start": "2024-06-01"}, follow=True
    )
    assert b"no longer in the overlay" in response.content and not DdactsZone.objects.exists()


def spell(officer, start, minutes=90, contacts=4, kind="visibility"):
    return {
        "officer": officer.pk,
        "kind": kind,
        "started_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M"),
        "contacts": contacts,
    }


def test_assigned_officer_logs_dosage_and_it_is_audited(zone, client_for, cast):
    zone.problem.owner = cast["officer"]
    zone.problem.save()
    c = client_for("officer")
    start = timezone.localtime().replace(second=0, microsecond=0) - timedelta(days=1)
    response = c.post(reverse("problems:ddacts_dosage", args=[zone.pk]), spell(cast["officer"], start))
    assert response.status_code == 302
    d = Dosage.objects.get()
    assert (d.officer, d.minutes, d.contacts, d.logged_by) == (cast["officer"], 90, 4, cast["officer"])
    assert audit_actions(action="ddacts.dosage") == ["ddacts.dosage"]
    page = c.get(reverse("problems:ddacts_zone", args=[zone.pk])).content.decode()
    assert "1 spells, 1.5 hours in the zone, 4 contacts" in page


def test_dosage_bad_input_is_explained_and_nothing_saved(zone, client_for, cast):
    c = client_for("supervisor")
    start = timezone.localtime() - timedelta(days=1)
    bad = spell(cast["officer"], start) | {"ended_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}
    response = c.post(reverse("problems:ddacts_dosage", args=[zone.pk]), bad)
    assert response.status_code == 400 and b"The end must come after the start." in response.content
    future = spell(cast["officer"], timezone.localtime() + timedelta(days=1))
    assert c.post(reverse("problems:ddacts_dosage", args=[zone.pk]), future).status_code == 400
    assert not Dosage.objects.exists() and not audit_actions(action="ddacts.dosage")


def test_officer_not_assigned_cannot_log_and_officers_log_only_for_themselves(
    zone, client, client_for, cast, other_officer
):
    start = timezone.localtime() - timedelta(days=2)
    sign_in(client, other_officer)
    response = client.post(reverse("problems:ddacts_dosage", args=[zone.pk]), spell(other_officer, start))
    assert response.status_code == 403 and not Dosage.objects.exists()
    zone.problem.officers.add(other_officer)
    for_someone_else = client.post(reverse("problems:ddacts_dosage", args=[zone.pk]), spell(cast["officer"], start))
    assert for_someone_else.status_code == 400 and not Dosage.objects.exists()
    assert (
        client.post(reverse("problems:ddacts_dosage", args=[zone.pk]), spell(other_officer, start)).status_code == 302
    )


def test_outcomes_count_before_and_during_with_interval_and_p(zone, client_for):
    out = ddacts.outcomes(zone)
    area = to_metres(zone.polygon, Site.projector())
    for kind in ("collision", "crime"):
        (b0, b1), (d0, d1) = (
            [datetime.fromisoformat(v).date() for v in out["periods"][k]] for k in ("before", "during")
        )
        assert (d1 - d0).days == (b1 - b0).days == 90 and (d0 - b1).days == 1
        ev = load_events(ScanFilter(kind=kind, date_from=b0, date_to=d1)).geocoded()
        inside = contains(area, ev.x, ev.y)
        day = ev.start.astype("datetime64[D]")
        during = int((inside & (day >= np.datetime64(d0))).sum())
        assert out[kind]["zone"]["during"] == during
        assert out[kind]["zone"]["before"] + during == int(inside.sum())
        assert "95% CI" in out[kind]["statement"] and "p " in out[kind]["statement"]
        ba = out[kind]["before_after"]
        assert ba["rate_ratio_lower"] <= ba["rate_ratio"] <= ba["rate_ratio_upper"]
    page = client_for("officer").get(reverse("problems:ddacts_zone", args=[zone.pk])).content.decode()
    assert "Collisions" in page and out["collision"]["statement"] in page.replace("&lt;", "<")
    assert "ticket" not in page.lower().replace("not tickets", "")


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_residents_get_403_with_nothing_leaked(zone, client_for, cast, role):
    c = client_for(role)
    start = timezone.localtime() - timedelta(days=1)
    for response in (
        c.get(reverse("problems:ddacts")),
        c.get(reverse("problems:ddacts_geojson")),
        c.get(reverse("problems:ddacts_zone", args=[zone.pk])),
        c.post(reverse("problems:ddacts_dosage", args=[zone.pk]), spell(cast[role], start)),
        c.post(reverse("problems:ddacts_zone_new"), {"zone": 0, "name": "x", "start": "2024-06-01"}),
    ):
        assert response.status_code == 403 and b"You can't open this page" in response.content
    assert DdactsZone.objects.count() == 1 and not Dosage.objects.exists()


def test_anonymous_is_sent_to_sign_in(zone):
    response = Client().get(reverse("problems:ddacts_zone", args=[zone.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert Problem.objects.count() == 1


def test_outcomes_past_the_data_give_no_effect(zone):
    """A "today" after the data ends: the during period holds days without data, so neither kind
    gets an effect (an undercount would read as a fall), only its counts and the reason."""
    out = ddacts.outcomes(zone, today=latest_day("crime") + timedelta(days=30))
    for kind in ("collision", "crime"):
        assert out[kind]["coverage"] == "partial" and "before_after" not in out[kind]
        assert out[kind]["statement"].startswith(f"partial data: the {kind} data from ")
    inside = ddacts.outcomes(zone)
    assert inside["crime"]["coverage"] == "full" and "before_after" in inside["crime"]
