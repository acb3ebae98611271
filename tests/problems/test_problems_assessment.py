"""Assessment against the synthetic city's planted intervention: the target's crimes fell by
about 40% relative to the control, with some displacement into the ring; the page states the
change only with its interval and p."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from tests.problems.conftest import audit_actions

from copps.incidents.models import Area
from copps.problems.assessing import buffer_statement, effect_statement, net_statement
from copps.problems.models import Assessment, Problem, Task


@pytest.fixture
def intervention(imported, cast):
    truth = imported
    iv = truth["intervention"]
    problem = Problem.objects.create(
        title="Commercial corner disorder",
        polygon=iv["target"]["polygon"],
        stage="assessment",
        owner=cast["officer"],
        created_by=cast["analyst"],
    )
    Task.objects.create(problem=problem, title="Security patrols", status="done", owner=cast["officer"])
    Task.objects.create(problem=problem, title="Lighting", status="planned", owner=cast["officer"])
    start = date.fromisoformat(iv["start_date"])
    form = {
        "title": "Planted intervention",
        "kind": "crime",
        "before_start": truth["start"],
        "before_end": (start - timedelta(days=1)).isoformat(),
        "after_start": start.isoformat(),
        # the day before the city's last day: the last event's day counts as partial (copps cannot
        # tell an export that ends at midnight from one taken at noon), so a period must end before it
        "after_end": (date.fromisoformat(truth["end"]) - timedelta(days=2)).isoformat(),
        "target_from": "polygon",
        "buffer_m": iv["buffer"]["outer_radius_m"] - iv["buffer"]["inner_radius_m"],
        "control_from": "geojson",
        "control_geojson": json.dumps(iv["control"]["polygon"]),
        "alpha": "0.05",
        "dispersion": "1",
        "conclusion": "Down, with displacement into the ring",
    }
    return problem, form, iv


def test_assessment_recovers_the_planted_effect(client_for, intervention):
    problem, form, iv = intervention
    response = client_for("analyst").post(reverse("problems:assessment_new", args=[problem.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    a = Assessment.objects.get()
    realised = iv["realised"]
    for zone in ("target", "buffer", "control"):
        for period in ("before", "after"):
            # geocoded crimes only: a few of the realised (true-location) crimes have no coordinates
            assert 0.9 * realised[zone][period] <= a.counts[zone][period] <= realised[zone][period], (zone, period)
    ba = a.result["before_after"]
    assert ba["rate_ratio"] < 0.75 and ba["rate_ratio_upper"] < 1 and ba["p"] < 0.05  # planted: -40%
    assert ba["rate_ratio_lower"] < ba["rate_ratio"] < ba["rate_ratio_upper"]
    wdq = a.result["wdq"]
    assert wdq["success_measure"] < 0 and wdq["buffer_measure"] > 0 and wdq["wdq"] < 0  # planted: displacement
    # the displacement's significance: the buffer against the control, and the net effect (WDD)
    counts = a.counts
    bc = a.result["buffer_change"]
    expected_rr = (counts["buffer"]["after"] / counts["buffer"]["before"]) / (
        counts["control"]["after"] / counts["control"]["before"])
    assert bc["rate_ratio"] == pytest.approx(expected_rr) and bc["rate_ratio"] > 1  # planted: the ring rose
    assert bc["rate_ratio_lower"] < bc["rate_ratio"] < bc["rate_ratio_upper"] and 0 <= bc["p"] <= 1
    wdd = a.result["wdd"]
    d = {z: counts[z]["after"] - counts[z]["before"] for z in counts}
    assert wdd["estimate"] == d["target"] - d["control"] + d["buffer"]
    assert wdd["se"] == pytest.approx(sum(counts[z][p] for z in counts for p in ("before", "after")) ** 0.5)
    assert wdd["lower"] < wdd["estimate"] < wdd["upper"] and 0 <= wdd["p"] <= 1
    assert a.parameters["methods"]["wdd"] == "copps.analysis.assessment.wdd"
    assert a.process == {"tasks": 2, "planned": 2, "done": 1, "dropped": 0, "done_share": 0.5}
    assert a.parameters["periods"]["after"][0] == iv["start_date"] and a.parameters["buffer_m"] == 400
    assert a.target["type"] in ("Polygon", "MultiPolygon") and a.buffer and a.control
    assert audit_actions(object_type="problem") == ["problem.assessment.run"]

    page = client_for("officer").get(response["Location"]).content.decode()
    statement = effect_statement(ba)
    assert statement in page and "95% CI" in statement and "p = " in statement
    assert "some displacement to the buffer" in page and "1 of 2 planned tasks done" in page
    assert buffer_statement(a.result) in page and "relative to the control (95% CI" in buffer_statement(a.result)
    net = net_statement(a.result)
    assert net in html.unescape(page) and "than the control's trend predicts" in net and "; p " in net


def test_every_percentage_on_the_pages_comes_with_its_interval_and_p(client_for, intervention):
    problem, form, _ = intervention
    client_for("analyst").post(reverse("problems:assessment_new", args=[problem.pk]), form)
    a = Assessment.objects.get()
    bound = r"(?:(?:down|up) \d+%|no change|up without bound)"
    full = (
        r"(?:(?:down|up) \d+%|no change)(?: relative to the control)? "
        rf"\(\d+% CI: {bound} to {bound}; p [=<] [01]?\.\d+\)"
    )
    urls = (
        reverse("problems:assessment", args=[problem.pk, a.pk]),
        reverse("problems:detail", args=[problem.pk]),
        reverse("problems:dashboard"),
    )
    for url in urls:
        response = client_for("supervisor").get(url)
        text = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
        spans = [m.span() for m in re.finditer(full, text)]
        changes = [m.start() for m in re.finditer(r"(?:down|up) \d+%|[+−-]\d+%", text)]
        assert spans and changes, url
        for at in changes:  # every "down N%" or "+N%" sits inside a statement with its interval and p
            assert any(a <= at < b for a, b in spans), text[at - 80 : at + 80]
    # the dashboard's CompStat flags only the significant changes
    cells = [c for row in response.context["compstat"] for c in row["cells"]]
    flags = len(re.findall(r"significant (?:rise|fall)", text))
    assert flags == sum(c["significant"] for c in cells) and 0 < flags < len(cells)


def test_assessment_with_areas_and_validation(client_for, intervention):
    problem, form, _ = intervention
    beats = Area.objects.filter(type="beat").order_by("code")
    c = client_for("analyst")
    bad = {**form, "after_start": form["before_start"]}
    response = c.post(reverse("problems:assessment_new", args=[problem.pk]), bad)
    assert response.status_code == 200 and b"Periods must run" in response.content
    missing = {**form, "control_from": "areas"}
    response = c.post(reverse("problems:assessment_new", args=[problem.pk]), missing)
    assert b"Choose at least one area" in response.content
    by_area = {
        **form,
        "target_from": "areas",
        "target_areas": [beats[0].pk],
        "control_from": "areas",
        "control_areas": [beats[5].pk],
        "buffer_m": "0",
    }
    response = c.post(reverse("problems:assessment_new", args=[problem.pk]), by_area)
    assert response.status_code == 302
    a = Assessment.objects.get()
    assert "wdq" not in a.result and a.buffer is None and list(a.target_areas.all()) == [beats[0]]
    assert not Assessment.objects.exclude(pk=a.pk).exists()


def test_only_analysts_run_assessments(client_for, intervention):
    problem, form, _ = intervention
    for role in ("officer", "supervisor"):
        assert client_for(role).post(reverse("problems:assessment_new", args=[problem.pk]), form).status_code == 403
    assert not Assessment.objects.exists()


def test_effect_statement_wording():
    assert effect_statement({"rate_ratio": 0.6, "rate_ratio_lower": 0.4, "rate_ratio_upper": 0.9, "p": 0.012}) == (
        "down 40% relative to the control (95% CI: down 60% to down 10%; p = 0.012)"
    )
    assert (
        effect_statement({"rate_ratio": 1.25, "rate_ratio_lower": 0.95, "rate_ratio_upper": 1.6, "p": 0.31}, alpha=0.1)
        == "up 25% relative to the control (90% CI: down 5% to up 60%; p = 0.31)"
    )
    assert "p < 0.001" in effect_statement(
        {"rate_ratio": 0.5, "rate_ratio_lower": 0.4, "rate_ratio_upper": 0.6, "p": 1e-9}
    )
