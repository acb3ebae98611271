"""Analyses of a problem's area and categories — hour × weekday profile, risky places, near repeats
(Knox), trend with alerts — run by analysts with copps.analysis, shown, saved with their parameters,
and re-run to the same result. Officers and supervisors read them; only analysts run them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from django.urls import reverse
from tests.problems.conftest import audit_actions

from copps.accounts.models import AuditLog
from copps.analysis import temporal
from copps.incidents.models import Area
from copps.problems import analyses
from copps.problems.models import Problem, SavedAnalysis

KINDS = ["temporal", "places", "near_repeat", "trend"]


@pytest.fixture
def corner(imported, cast):
    """The commercial corner of the planted intervention, as a problem with its target polygon."""
    p = Problem.objects.create(
        title="Commercial corner", polygon=imported["intervention"]["target"]["polygon"], owner=cast["officer"]
    )
    return p


def run(c, problem, kind, event_kind="crime"):
    return c.post(reverse("problems:run_analysis", args=[problem.pk]), {"kind": kind, "event_kind": event_kind})


@pytest.mark.parametrize("kind", KINDS)
def test_analyst_runs_saves_reads_and_reruns_each_analysis(corner, client_for, kind):
    c = client_for("analyst")
    response = run(c, corner, kind)
    a = SavedAnalysis.objects.get(problem=corner, kind=kind)
    assert response.status_code == 302 and response.url == reverse("problems:analysis", args=[corner.pk, a.pk])
    assert a.parameters["event_kind"] == "crime" and a.parameters["date_from"] < a.parameters["date_to"]
    assert a.parameters["polygon"] == corner.polygon and a.result["events"] > 20
    page = c.get(response.url).content.decode()
    assert a.title in page and "Re-run with these parameters" in page and "<script>" not in page
    again = c.post(reverse("problems:rerun_analysis", args=[corner.pk, a.pk]), follow=True)
    b = SavedAnalysis.objects.filter(problem=corner, kind=kind).latest("id")
    assert b.pk != a.pk and b.parameters == a.parameters and b.result == a.result
    assert b"Re-run: the same result." in again.content
    assert audit_actions(object_id=str(corner.pk), action__startswith="problem.analysis") == [
        "problem.analysis.run",
        "problem.analysis.rerun",
    ]
    assert corner.activities.filter(text__contains=a.title).exists()


def test_temporal_profile_counts_the_events_in_the_area(corner, client_for):
    run(client_for("analyst"), corner, "temporal")
    a = SavedAnalysis.objects.get(kind="temporal")
    ev = analyses.problem_events(a.parameters)
    assert math.isclose(sum(map(sum, a.result["profile"])), len(ev), rel_tol=1e-6)
    expected = temporal.weekly_profile(ev.start, ev.end)
    assert np.allclose(np.array(a.result["profile"]), expected, atol=1e-3)
    assert len(a.result["profile"]) == 7 and len(a.result["profile"][0]) == 24


def test_the_temporal_page_names_a_peak_only_when_one_cell_leads(corner, client_for):
    c = client_for("analyst")
    response = run(c, corner, "temporal")
    a = SavedAnalysis.objects.get(kind="temporal")
    profile = np.array(a.result["profile"])
    tied = int(np.isclose(profile, profile.max()).sum())
    page = c.get(response.url).content.decode()
    if_tied = "No single peak hour" in page
    assert if_tied == (tied > 1)  # a tie is said as a tie, one leader is named
    assert (f"({profile.max():.0f})" in page) == (tied == 1)
    assert "hours in America/Los_Angeles" in page


def test_places_ranks_blocks_and_near_repeat_shows_the_knox_table(corner, client_for):
    c = client_for("analyst")
    run(c, corner, "places")
    run(c, corner, "near_repeat")
    places = SavedAnalysis.objects.get(kind="places").result
    counts = [r["events"] for r in places["rows"]]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 2 and 0 <= places["gini"] <= 1
    knox = SavedAnalysis.objects.get(kind="near_repeat")
    r = knox.result
    assert len(r["observed"]) == len(r["distance_labels"]) and len(r["observed"][0]) == len(r["time_labels"])
    assert sum(map(sum, r["observed"])) == r["pairs"] == r["events"] * (r["events"] - 1) // 2
    page = c.get(reverse("problems:analysis", args=[corner.pk, knox.pk])).content.decode()
    assert "Knox table" in page and "pairs" in page


def test_trend_weeks_add_up_and_alerts_are_above_their_limit(corner, client_for):
    run(client_for("analyst"), corner, "trend")
    r = SavedAnalysis.objects.get(kind="trend").result
    assert sum(r["counts"]) == r["events"] and len(r["counts"]) == 52
    assert r["direction"] in ("rising", "falling", "no trend") and 0 <= r["mann_kendall"]["p"] <= 1
    assert all(x["count"] > x["limit"] for x in r["alerts"])


def test_problem_without_area_is_explained_and_nothing_saved(make_problem, client_for, imported):
    p = make_problem()
    Problem.objects.filter(pk=p.pk).update(polygon=None)
    response = run(client_for("analyst"), p, "temporal")
    assert response.status_code == 302 and not SavedAnalysis.objects.filter(problem=p, kind="temporal").exists()
    page = client_for("analyst").get(reverse("problems:detail", args=[p.pk])).content.decode()
    assert "the problem has no area" in page


def test_areas_as_well_as_polygons(imported, make_problem, client_for):
    beat = Area.objects.filter(type="beat").first()
    p = make_problem()
    Problem.objects.filter(pk=p.pk).update(polygon=None)
    p.categories.clear()
    p.areas.add(beat)
    run(client_for("analyst"), p, "temporal")
    a = SavedAnalysis.objects.get(problem=p, kind="temporal")
    assert a.parameters["area_ids"] == [beat.pk] and a.result["events"] > 50


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_officers_and_supervisors_read_but_do_not_run(corner, client_for, role):
    run(client_for("analyst"), corner, "temporal")
    a = SavedAnalysis.objects.get(kind="temporal")
    c = client_for(role)
    page = c.get(reverse("problems:analysis", args=[corner.pk, a.pk]))
    assert page.status_code == 200 and b"Re-run" not in page.content
    assert run(c, corner, "places").status_code == 403
    assert c.post(reverse("problems:rerun_analysis", args=[corner.pk, a.pk])).status_code == 403
    assert SavedAnalysis.objects.filter(problem=corner).count() == 1
    assert AuditLog.objects.filter(username=role, outcome="denied", action="problem.analysis").count() == 2


def test_admin_runs_analyses(corner, client_for):
    assert run(client_for("admin"), corner, "trend").status_code == 302


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_residents_get_403_and_nothing_leaks(corner, client_for, role):
    run(client_for("analyst"), corner, "places")
    a = SavedAnalysis.objects.get(kind="places")
    c = client_for(role)
    for response in (
        c.get(reverse("problems:analysis", args=[corner.pk, a.pk])),
        run(c, corner, "temporal"),
    ):
        assert response.status_code == 403 and b"You can't open this page" in response.content


def test_anonymous_is_sent_to_sign_in(corner, client):
    response = run(client, corner, "temporal")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_unknown_kind_is_refused_politely(corner, client_for):
    response = run(client_for("analyst"), corner, "astrology")
    assert response.status_code == 302 and not SavedAnalysis.objects.exists()


def test_the_analyst_chooses_the_period_and_each_analysis_settings(corner, client_for):
    c = client_for("analyst")
    page = c.get(reverse("problems:detail", args=[corner.pk])).content.decode()
    for field in ("an-date_from", "an-date_to", "an-top", "an-band_m", "an-band_days", "an-step_days"):
        assert f'id="{field}"' in page
    chosen = {"date_from": "2024-03-01", "date_to": "2024-08-31"}
    c.post(reverse("problems:run_analysis", args=[corner.pk]), {"kind": "places", "event_kind": "crime",
                                                                 **chosen, "top": "5"})
    c.post(reverse("problems:run_analysis", args=[corner.pk]), {"kind": "near_repeat", "event_kind": "crime",
                                                                 **chosen, "band_m": "150", "band_days": "3",
                                                                 "permutations": "19"})
    c.post(reverse("problems:run_analysis", args=[corner.pk]), {"kind": "trend", "event_kind": "crime",
                                                                 **chosen, "step_days": "14"})
    places = SavedAnalysis.objects.get(kind="places")
    assert places.parameters["date_from"] == "2024-03-01" and places.parameters["date_to"] == "2024-08-31"
    assert places.parameters["top"] == 5 and len(places.result["rows"]) <= 5
    day = analyses.problem_events(places.parameters).start.astype("datetime64[D]")
    assert places.result["events"] == len(day) and day.min() >= np.datetime64("2024-03-01")
    assert day.max() <= np.datetime64("2024-08-31")
    knox = SavedAnalysis.objects.get(kind="near_repeat")
    assert knox.parameters["distance_bands"] == [0, 150, 300, 450, 600]
    assert knox.parameters["time_bands"] == [0, 3, 6, 9, 12] and knox.result["permutations"] == 19
    trend = SavedAnalysis.objects.get(kind="trend")
    assert trend.parameters["step_days"] == 14 and len(trend.result["counts"]) == 184 // 14
    assert all(e <= "2024-08-31" for e in trend.result["step_ends"])


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"date_from": "2024-08-01", "date_to": "2024-03-01"}, "To: The period ends before it starts."),
        ({"date_from": "2010-01-01", "date_to": "2024-03-01"}, "From: The period may be at most 3660 days."),
        ({"date_from": "2024-02-30"}, "From: Enter a valid date."),
        ({"kind": "places", "top": "0"},
         "Places, addresses or street segments: how many to list: Ensure this value is greater than"),
        ({"kind": "bogus"}, "Analysis of the problem&#x27;s area and categories: Select a valid choice."),
        ({"kind": "trend", "date_from": "2024-08-01", "date_to": "2024-08-31", "step_days": "7"},
         "Trend: 31 days make 4 steps of 7 days; the alerts need at least 10."),
    ],
)
def test_bad_analysis_settings_are_refused_naming_the_field(corner, client_for, post, message):
    response = client_for("analyst").post(
        reverse("problems:run_analysis", args=[corner.pk]), {"kind": "temporal", "event_kind": "crime", **post},
        follow=True,
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not SavedAnalysis.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_each_analysis_has_a_one_sentence_finding(corner, client_for, kind):
    run(client_for("analyst"), corner, kind)
    a = SavedAnalysis.objects.get(kind=kind)
    finding = analyses.summary(kind, a.result)
    assert finding.startswith(f"{a.result['events']} events") and finding.endswith(".")
    if kind == "near_repeat":
        significant = sum(
            1 for i, row in enumerate(a.result["ratio"]) for j, r in enumerate(row)
            if r is not None and r > 1 and a.result["p"][i][j] is not None and a.result["p"][i][j] <= 0.05
        )
        assert (f"{significant} near-repeat band" in finding) if significant else ("no near-repeat band" in finding)
    elif kind == "trend":
        assert a.result["direction"] in finding and f"{len(a.result['alerts'])} alert" in finding
    elif kind == "places":
        assert a.result["rows"][0]["place"] in finding


def test_trend_leaves_out_the_weeks_before_the_data(corner, client_for):
    """The synthetic city starts on 2023-01-01: a period from July 2022 has 26 weeks with no data,
    which would read as a steep rise; the trend is tested on the covered weeks only, and says so."""
    c = client_for("analyst")
    c.post(reverse("problems:run_analysis", args=[corner.pk]), {"kind": "trend", "event_kind": "crime",
                                                                 "date_from": "2022-07-04", "date_to": "2023-07-02",
                                                                 "step_days": "7"})
    r = SavedAnalysis.objects.get(kind="trend").result
    assert r["uncovered_steps"] == 26 and len(r["counts"]) == 26
    assert r["step_ends"][0] == "2023-01-08"
    analysis = SavedAnalysis.objects.get(kind="trend")
    page = c.get(reverse("problems:analysis", args=[corner.pk, analysis.pk])).content.decode()
    assert "The first 26 steps of the period are left out" in page


def test_a_tie_for_the_busiest_hour_is_said_as_a_tie():
    from copps.incidents.scanning import EventArrays

    n = 2
    start = np.array(["2024-03-04T09:15", "2024-03-05T14:30"], dtype="datetime64[m]")
    ev = EventArrays(
        ids=np.arange(n), x=np.zeros(n), y=np.zeros(n), lon=np.zeros(n), lat=np.zeros(n), start=start,
        end=np.array(["NaT", "NaT"], dtype="datetime64[m]"), category=np.array(["a", "a"], dtype=object),
        place=np.array(["", ""], dtype=object), location=np.array(["inside", "inside"], dtype=object),
    )  # fmt: skip
    result = analyses._temporal(ev, {})
    assert result["peak_text"] == "no single peak hour: 2 tie at 1.0 (Mon 09:00, Tue 14:00)"
    assert "no single peak hour" in analyses.summary("temporal", result)
