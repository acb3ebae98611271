"""The survey pulse as an outcome (issue 19 ★): an assessment reads the perceived-safety and trust
answers of the surveys in the problem's areas before and after the response, with n, intervals, a
test and suppression; and the assessment form fills in the usual periods from the response's start
and the data's coverage."""

from __future__ import annotations

import html
import json
import re
import statistics
from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from scipy import stats
from shapely.geometry import shape

from copps.community.engagement.models import Answer, Question, Survey, SurveyResponse
from copps.incidents import coverage
from copps.incidents.models import Area, OffenseCategory
from copps.problems.assessing import pulse_statement
from copps.problems.models import Assessment, Problem, StageChange

# planted answers: safety on the 1–5 scale and trust yes/no, before and after the response
SAFETY_BEFORE = [2, 3, 2, 1, 3, 2, 2, 3, 2, 2, 3, 1, 2, 2, 3, 2, 2, 1, 3, 2]
SAFETY_AFTER = [3, 4, 3, 4, 3, 3, 4, 5, 3, 4, 3, 4, 4, 3, 3, 4, 4, 3, 5, 4]
TRUST_BEFORE = [1] * 6 + [0] * 14
TRUST_AFTER = [1] * 13 + [0] * 7


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


def _overlapping_beat(polygon: dict) -> Area:
    target = shape(polygon)
    beats = [a for a in Area.objects.filter(type="beat") if shape(a.geometry).intersection(target).area > 0]
    return max(beats, key=lambda a: shape(a.geometry).intersection(target).area)


def _far_beat(*polygons: dict) -> Area:
    zones = [shape(p) for p in polygons]
    return next(a for a in Area.objects.filter(type="beat").order_by("code")
                if not any(shape(a.geometry).intersects(z) for z in zones))


def _survey(beat: Area, opens: date, closes: date) -> tuple[Survey, Question, Question, Question]:
    survey = Survey.objects.create(title="Safety and trust", opens_on=opens, closes_on=closes, published=True)
    survey.areas.set([beat])
    safe = Question.objects.create(survey=survey, order=1, kind="scale", text="How safe after dark?", outcome="safety")
    safe_day = Question.objects.create(survey=survey, order=2, kind="scale", text="How safe by day?", outcome="safety")
    trust = Question.objects.create(survey=survey, order=3, kind="yesno", text="Do you trust the police?",
                                    outcome="trust")
    Question.objects.create(survey=survey, order=4, kind="scale", text="How clean is the street?")  # no outcome
    return survey, safe, safe_day, trust


def _answer(survey, area, day, n, questions_values, key):
    for i in range(n):
        r = SurveyResponse.objects.create(survey=survey, area=area, browser=f"{key}-{i}", submitted_at=_at(day))
        Answer.objects.bulk_create(Answer(response=r, question=q, number=values[i]) for q, values in questions_values)


@pytest.fixture
def pulse_case(imported, cast):
    truth = imported
    iv = truth["intervention"]
    start = date.fromisoformat(iv["start_date"])
    problem = Problem.objects.create(title="Corner disorder", polygon=iv["target"]["polygon"], stage="response",
                                     owner=cast["officer"], created_by=cast["analyst"])
    StageChange.objects.create(problem=problem, from_stage="analysis", to_stage="response",
                               requested_by=cast["analyst"], status="approved", approved_by=cast["supervisor"],
                               decided_at=_at(start))
    beat = _overlapping_beat(iv["target"]["polygon"])
    far = _far_beat(iv["target"]["polygon"], iv["control"]["polygon"])
    before_day, after_day = start - timedelta(days=60), start + timedelta(days=60)
    survey, safe, safe_day, trust = _survey(beat, before_day - timedelta(days=5), after_day + timedelta(days=5))
    clean = survey.questions.get(outcome="")
    _answer(survey, beat, before_day, 20, [(safe, SAFETY_BEFORE), (trust, TRUST_BEFORE), (clean, [5] * 20)], "b")
    # the after wave answers both safety scales: each respondent counts once, with the mean of the two
    _answer(survey, beat, after_day, 20,
            [(safe, SAFETY_AFTER), (safe_day, SAFETY_AFTER), (trust, TRUST_AFTER), (clean, [1] * 20)], "a")
    # answers from a beat away from the target and the control, and one outside both periods: never counted
    _answer(survey, far, after_day, 20, [(safe, [1] * 20)], "far")
    _answer(survey, beat, start - timedelta(days=800), 20, [(safe, [5] * 20)], "old")
    form = {
        "title": "With the pulse",
        "kind": "crime",
        "before_start": (start - timedelta(days=180)).isoformat(),
        "before_end": (start - timedelta(days=1)).isoformat(),
        "after_start": start.isoformat(),
        "after_end": (start + timedelta(days=180)).isoformat(),
        "target_from": "polygon",
        "buffer_m": "0",
        "control_from": "geojson",
        "control_geojson": json.dumps(iv["control"]["polygon"]),
        "alpha": "0.05",
        "dispersion": "1",
    }
    return problem, form, beat, start


def test_assessment_reads_the_survey_pulse_of_the_target(client_for, pulse_case):
    problem, form, beat, _ = pulse_case
    response = client_for("analyst").post(reverse("problems:assessment_new", args=[problem.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    pulse = Assessment.objects.get().result["survey_pulse"]
    target = pulse["zones"]["target"]
    assert [a["code"] for a in target["areas"]] == [beat.code] and 0 < target["areas"][0]["share"] < 1
    rows = {(r["outcome"], r["kind"]): r for r in target["rows"]}
    assert set(rows) == {("safety", "scale"), ("trust", "yesno")}  # the unmarked question is not an outcome

    safety = rows[("safety", "scale")]
    assert safety["before"]["n"] == 20 and safety["after"]["n"] == 20  # one per respondent, not per answer
    assert safety["before"]["value"] == pytest.approx(statistics.mean(SAFETY_BEFORE))
    assert safety["after"]["value"] == pytest.approx(statistics.mean(SAFETY_AFTER))
    assert safety["before"]["low"] < safety["before"]["value"] < safety["before"]["high"]
    welch = stats.ttest_ind(SAFETY_AFTER, SAFETY_BEFORE, equal_var=False)
    assert safety["test"]["p"] == pytest.approx(welch.pvalue) and safety["test"]["p"] < 0.001
    assert safety["change"] == pytest.approx(statistics.mean(SAFETY_AFTER) - statistics.mean(SAFETY_BEFORE))

    trust = rows[("trust", "yesno")]
    assert trust["before"]["value"] == pytest.approx(6 / 20) and trust["after"]["value"] == pytest.approx(13 / 20)
    fisher = stats.fisher_exact([[13, 7], [6, 14]])
    assert trust["test"]["name"] == "Fisher's exact test" and trust["test"]["p"] == pytest.approx(fisher.pvalue)
    # the control's areas hold no outcome answers: it says so rather than showing empty figures
    assert pulse["zones"]["control"]["rows"] == []

    page = html.unescape(client_for("officer").get(response["Location"]).content.decode())
    assert "Survey pulse: perceived safety and trust" in page
    line = pulse_statement(safety)
    assert line in page and line.startswith("Perceived safety (mean on the 1–5 scale): 2.1 of 5 (95% CI")
    assert "up 1.5 points (Welch's t-test, p < 0.001)" in line
    assert "30% yes" in page and "65% yes" in page and "up 35 percentage points" in page
    assert f"beat {beat.code} (" in page and "% of it in the zone)" in page
    assert "No survey answers to an outcome question" in page  # the control

    report = html.unescape(client_for("supervisor").get(reverse("reports:sara", args=[problem.pk])).content.decode())
    assert line in re.sub(r"\s+", " ", report)


def test_a_period_under_the_minimum_is_withheld_and_not_tested(client_for, pulse_case, settings):
    problem, form, _, _ = pulse_case
    settings.COPPS_SURVEY_MIN_N = 25  # both waves hold 20 respondents
    client_for("analyst").post(reverse("problems:assessment_new", args=[problem.pk]), form)
    a = Assessment.objects.get()
    rows = a.result["survey_pulse"]["zones"]["target"]["rows"]
    assert rows and all(r["before"] == {"n": 20, "suppressed": True} for r in rows)
    assert all(r["test"] is None and r["change"] is None for r in rows)
    page = client_for("analyst").get(reverse("problems:assessment", args=[problem.pk, a.pk])).content.decode()
    assert "fewer than the minimum answers (n = 20): not shown" in page and "no test" in page
    assert "2.1 of 5" not in page


def test_the_form_fills_in_a_year_either_side_of_the_response(client_for, pulse_case, imported):
    problem, _, _, start = pulse_case
    page = client_for("analyst").get(reverse("problems:assessment_new", args=[problem.pk]))
    form = page.context["form"]
    year_before = start.replace(year=start.year - 1)
    first = date.fromisoformat(imported["start"])
    assert form.initial["after_start"] == start and form.initial["before_end"] == start - timedelta(days=1)
    assert form.initial["before_start"] == max(year_before, first)
    # the after period stops at the data's last complete day when the year after runs past it
    last_complete = coverage.complete_to("crime")
    assert last_complete == date(2024, 12, 30)  # the city's last event is on 31 December: a partial day
    year_after_end = start.replace(year=start.year + 1) - timedelta(days=1)
    assert form.initial["after_end"] == min(year_after_end, last_complete)
    note = html.unescape(page.content.decode())
    assert f"Periods filled in from the response's start on {start}" in note
    assert "Significance level" in note and "1 - confidence level" not in note


def test_without_a_response_there_are_no_default_periods(client_for, imported, cast):
    problem = Problem.objects.create(title="New", stage="analysis", owner=cast["officer"], created_by=cast["analyst"])
    page = client_for("analyst").get(reverse("problems:assessment_new", args=[problem.pk]))
    assert "before_start" not in page.context["form"].initial
    assert "The response has not started" in page.content.decode()


def test_only_scale_and_yes_no_questions_can_measure_an_outcome(client_for, imported):
    survey = Survey.objects.create(title="S", opens_on=date(2030, 1, 1), closes_on=date(2030, 2, 1))
    url = reverse("engagement:staff_survey", args=[survey.pk])
    bad = {"order": 1, "text": "Worst problem?", "kind": "choice", "choices_text": "A\nB", "required": "on",
           "outcome": "safety"}
    response = client_for("analyst").post(url, bad)
    assert response.status_code == 400 and "Only a scale or a yes/no question can measure an outcome." in (
        html.unescape(response.content.decode()))
    good = {**bad, "kind": "scale", "choices_text": "", "text": "How safe?"}
    assert client_for("analyst").post(url, good).status_code == 302
    assert Question.objects.get(survey=survey).outcome == "safety"


def test_the_form_suggests_controls_whose_before_trend_follows_the_target(client_for, pulse_case):
    problem, _, _, start = pulse_case
    page = client_for("analyst").get(reverse("problems:assessment_new", args=[problem.pk]))
    form = page.context["form"]
    suggestions = form.control_suggestions
    assert 1 <= len(suggestions) <= 3
    assert [s["r"] for s in suggestions] == sorted((s["r"] for s in suggestions), reverse=True)
    target = shape(problem.polygon)
    before = (form.initial["before_start"], form.initial["before_end"])
    for s in suggestions:
        assert shape(s["area"].geometry).intersection(target).area == 0  # a control never overlaps the target
        assert s["events"] >= 24 and -1 <= s["r"] <= 1
    # the score is the correlation of whole months' counts, recomputed here from the events
    from copps.geo.shapes import contains, to_metres
    from copps.incidents.models import Site
    from copps.incidents.scanning import ScanFilter, load_events

    first = date(before[0].year + before[0].month // 12, before[0].month % 12 + 1, 1) if before[0].day > 1 \
        else before[0]
    end = date(start.year, start.month, 1)  # the response began mid-month: its month is not whole
    ev = load_events(ScanFilter(kind="crime", date_from=first, date_to=end - timedelta(days=1))).geocoded()
    months = (end.year - first.year) * 12 + end.month - first.month
    idx = (ev.start.astype("datetime64[M]") - np.datetime64(first, "M")).astype(int)
    projector = Site.projector()

    def series(polygon):
        inside = contains(to_metres(polygon, projector), ev.x, ev.y)
        return np.bincount(idx[inside], minlength=months)[:months]

    best = suggestions[0]
    r = np.corrcoef(series(problem.polygon), series(best["area"].geometry))[0, 1]
    assert best["r"] == pytest.approx(r, abs=1e-3) and best["months"] == months
    assert form.initial["control_from"] == "areas"
    assert form.initial["control_areas"] == [s["area"].pk for s in suggestions]
    text = html.unescape(page.content.decode())
    assert "Suggested control areas" in text and f"Beat {best['area'].code}" in text


def test_control_suggestions_are_kept_until_the_beats_change(client_for, pulse_case, monkeypatch):
    """Opening the form twice scores the beats once; redrawing a beat scores them again."""
    from copps.problems import assessing

    problem = pulse_case[0]
    scored = []
    real = assessing.scored_controls
    monkeypatch.setattr(assessing, "scored_controls", lambda *a, **k: scored.append(1) or real(*a, **k))
    url = reverse("problems:assessment_new", args=[problem.pk])
    first = client_for("analyst").get(url).context["form"].control_suggestions
    again = client_for("analyst").get(url).context["form"].control_suggestions
    assert len(scored) == 1 and first and [(s["area"].pk, s["r"]) for s in again] == [
        (s["area"].pk, s["r"]) for s in first]
    beat = first[0]["area"]
    beat.geometry = problem.polygon  # the best control now overlaps the target: it can no longer be one
    beat.save()
    moved = client_for("analyst").get(url).context["form"].control_suggestions
    assert len(scored) == 2 and beat.pk not in [s["area"].pk for s in moved]


def test_the_parameters_read_as_a_sentence(client_for, pulse_case):
    problem, form, _, start = pulse_case
    problem.categories.set(OffenseCategory.objects.filter(code="larceny"))
    response = client_for("analyst").post(reverse("problems:assessment_new", args=[problem.pk]),
                                          {**form, "use_problem_categories": "on", "buffer_m": "250"})
    a = Assessment.objects.get()
    expected = (
        "Counted crimes of Larceny, other theft (geocoded events only) in the target (the problem's polygon), a 250 m "
        "buffer ring around it and the control (a drawn or pasted polygon); "
        f"before {form['before_start']} to {form['before_end']}; after {form['after_start']} to {form['after_end']}, "
        "both ends included, in the site's time zone; significance level 0.05, Poisson counts."
    )
    page = html.unescape(client_for("analyst").get(response["Location"]).content.decode())
    assert expected in page and "methods =" not in page and a.categories == ["larceny"]
    report = html.unescape(client_for("analyst").get(reverse("reports:sara", args=[problem.pk])).content.decode())
    assert expected in re.sub(r"\s+", " ", report)
