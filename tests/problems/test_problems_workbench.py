"""The views analysts expect, saved to a problem like the other analyses: seasonality by month and
week of year against the days the data covers, repeat victimisation at addresses (staff only,
audited), and street segments ranked by events per km. Each says what it rests on, and the SARA
report shows each with its parameters as a sentence."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.problems.conftest import audit_actions

from copps.accounts.models import AuditLog
from copps.analysis import temporal
from copps.incidents.models import Event
from copps.problems import analyses, workbench
from copps.problems.models import Problem, SavedAnalysis

NEW_KINDS = ["seasonality", "repeat_victims", "segments"]


@pytest.fixture
def corner(imported, cast, city):
    """The commercial corner of the planted intervention, with the city's street centrelines loaded."""
    paths, _ = city
    call_command("geocode", "load-streets", str(paths["streets"]), verbosity=0)
    return Problem.objects.create(
        title="Commercial corner", polygon=imported["intervention"]["target"]["polygon"], owner=cast["officer"]
    )


def run(c, problem, kind, **extra):
    return c.post(reverse("problems:run_analysis", args=[problem.pk]), {"kind": kind, "event_kind": "crime", **extra})


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_each_view_is_saved_shown_and_rerun_to_the_same_result(corner, client_for, kind):
    c = client_for("analyst")
    response = run(c, corner, kind)
    a = SavedAnalysis.objects.get(problem=corner, kind=kind)
    assert response.status_code == 302 and response.url == reverse("problems:analysis", args=[corner.pk, a.pk])
    assert a.result["events"] > 20 and a.result["basis"]["days_covered"] <= a.result["basis"]["days_asked"]
    page = c.get(response.url).content.decode()
    assert a.title in page and "Rests on: Crimes of every category from" in page and "in a drawn polygon" in page
    assert analyses.summary(kind, a.result) in page
    again = c.post(reverse("problems:rerun_analysis", args=[corner.pk, a.pk]), follow=True)
    assert b"Re-run: the same result." in again.content
    detail = c.get(reverse("problems:detail", args=[corner.pk])).content.decode()
    assert a.title in detail and analyses.summary(kind, a.result) in detail


def test_seasonality_counts_only_covered_days_and_matches_the_analysis_function(corner, client_for):
    run(client_for("analyst"), corner, "seasonality")
    a = SavedAnalysis.objects.get(kind="seasonality")
    p = a.parameters
    # three years asked for, the synthetic city holds two: only the covered days are exposure
    assert (np.datetime64(p["date_to"]) - np.datetime64(p["date_from"])).astype(int) + 1 == 3 * 365
    basis = a.result["basis"]
    assert basis["days_covered"] < basis["days_asked"] and basis["days_covered"] > 600
    ev = analyses.problem_events(p)
    covered = np.arange(np.datetime64(basis["covered_from"]), np.datetime64(basis["covered_to"]) + 1)
    expected = temporal.seasonality(ev.start.astype("datetime64[D]"), "month", covered=covered)
    month = a.result["month"]
    assert month["counts"] == expected.counts.astype(int).tolist() and sum(month["days"]) == basis["days_covered"]
    assert month["p"] == pytest.approx(expected.p, abs=1e-4) and month["df"] == 11
    assert len(a.result["week"]["labels"]) == 53 and sum(a.result["week"]["counts"]) == a.result["events"]
    page = client_for("officer").get(reverse("problems:analysis", args=[corner.pk, a.pk])).content.decode()
    assert "By month of year" in page and "By week of year" in page and "degrees of freedom" in page


def test_repeat_victims_lists_addresses_hit_again_and_audits_sensitive_reads(corner, client_for):
    run(client_for("analyst"), corner, "repeat_victims")
    a = SavedAnalysis.objects.get(kind="repeat_victims")
    r = a.result
    rows = r["rows"]
    assert rows and all(row["events"] >= 2 for row in rows)
    assert [row["events"] for row in rows] == sorted((row["events"] for row in rows), reverse=True)
    assert r["repeat_addresses"] >= len(rows) and r["repeats"] >= sum(row["events"] - 1 for row in rows)
    assert 0 <= r["within"]["7"] <= r["within"]["30"] <= r["within"]["90"] <= 1
    # the sensitive events at the addresses listed are audited when the page is read: mark the top
    # address's events sensitive (as a domestic-violence call would be)
    ev = analyses.problem_events(a.parameters)
    at = Event.objects.filter(pk__in=[int(i) for i in ev.ids], address__iexact=rows[0]["address"])
    at.update(sensitive=True)
    run(client_for("analyst"), corner, "repeat_victims")
    b = SavedAnalysis.objects.filter(kind="repeat_victims").latest("id")
    listed = set(b.result["sensitive_event_ids"])
    assert set(at.values_list("pk", flat=True)) <= listed
    addresses = {row["address"] for row in b.result["rows"]}
    for e in Event.objects.filter(pk__in=listed):  # each one sensitive and at an address listed
        assert e.sensitive and (" ".join(e.address.upper().split()) or e.block_address) in addresses
    AuditLog.objects.all().delete()
    page = client_for("officer").get(reverse("problems:analysis", args=[corner.pk, b.pk])).content.decode()
    assert rows[0]["address"] in page and "Time to repeat" in page and "within 30 days" in page
    read = AuditLog.objects.filter(action="event.list").values_list("object_id", flat=True)
    assert sorted(int(i) for i in read) == b.result["sensitive_event_ids"]


def test_repeat_victims_are_staff_only(corner, client_for):
    run(client_for("analyst"), corner, "repeat_victims")
    a = SavedAnalysis.objects.get(kind="repeat_victims")
    response = client_for("resident").get(reverse("problems:analysis", args=[corner.pk, a.pk]))
    assert response.status_code in (302, 403)
    assert a.result["rows"][0]["address"].encode() not in response.content


def test_segments_snap_events_to_streets_and_say_how_many_were_too_far(corner, client_for):
    run(client_for("analyst"), corner, "segments", top="5")
    a = SavedAnalysis.objects.get(kind="segments")
    r = a.result
    assert r["snapped"] + r["too_far"] == r["events"] and r["snapped"] > 0.8 * r["events"]
    assert len(r["rows"]) <= 5 and a.parameters["top"] == 5 and r["snap_max_m"] == workbench.SNAP_MAX_M
    per_km = [row["per_km"] for row in r["rows"]]
    assert per_km == sorted(per_km, reverse=True)
    top = r["rows"][0]
    assert top["per_km"] == pytest.approx(
        top["events"] / (max(top["length_m"], workbench.SEGMENT_MIN_M) / 1000), rel=0.01
    )
    assert top["street"] and "–" in top["block_range"]
    page = client_for("analyst").get(reverse("problems:analysis", args=[corner.pk, a.pk])).content.decode()
    assert f"<strong>{r['too_far']}</strong> lay farther than 50 m" in page and top["street"] in page


def test_the_sara_report_shows_each_view_with_its_parameters_as_a_sentence(corner, client_for):
    c = client_for("analyst")
    for kind in NEW_KINDS:
        run(c, corner, kind)
    page = c.get(reverse("reports:sara", args=[corner.pk])).content.decode()
    for a in SavedAnalysis.objects.filter(problem=corner):
        assert a.title in page and analyses.summary(a.kind, a.result) in page
    assert "Crimes of every category from" in page and "events snapped to a street within 50 m" in page
    assert "by week of year" in page and "repeats" in page and "per km" in page
    assert "date_from = " not in page  # no raw parameter lists
    assert audit_actions(action="report.sara") == ["report.sara"]


def test_the_new_headings_read_in_spanish(corner, client_for):
    c = client_for("analyst")
    run(c, corner, "seasonality")
    a = SavedAnalysis.objects.get(kind="seasonality")
    c.cookies["django_language"] = "es"
    page = c.get(reverse("problems:analysis", args=[corner.pk, a.pk])).content.decode()
    assert "Por mes del año" in page and "Por semana del año" in page and "Índice estacional" in page
