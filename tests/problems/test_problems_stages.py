"""The stage gates: a move forward needs the stage's checklist met and a supervisor's approval;
the requester never approves their own move; every step is audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from tests.problems.conftest import audit_actions, fill_analysis, fill_response

from copps.problems import checklist
from copps.problems.models import STAGE_ORDER, Problem, StageChange

DOCS = Path(__file__).resolve().parents[2] / "docs" / "problems.md"


def ask(c, problem, to_stage, note="ready"):
    return c.post(
        reverse("problems:request_stage", args=[problem.pk]), {"to_stage": to_stage, "note": note}, follow=True
    )


def decide(c, change, decision, note=""):
    return c.post(reverse("problems:decide_stage", args=[change.pk]), {"decision": decision, "note": note})


def test_gate_refuses_a_forward_move_while_the_checklist_is_unmet(client_for, make_problem):
    problem = make_problem(owner=None)  # no owner: the scanning checklist is not met
    response = ask(client_for("analyst"), problem, "analysis")
    assert b"The checklist is not met yet" in response.content and b"An owner officer" in response.content
    assert not StageChange.objects.exists()
    problem.refresh_from_db()
    assert problem.stage == "scanning"
    assert audit_actions(object_type="problem", action__startswith="problem.stage") == ["problem.stage.refused"]


def test_request_then_supervisor_approval_moves_the_problem(client_for, make_problem, cast):
    problem = make_problem()
    response = ask(client_for("officer"), problem, "analysis", "evidence is in")
    assert b"Sent to a supervisor" in response.content
    change = StageChange.objects.get()
    assert change.status == "pending" and all(item["met"] for item in change.checklist)
    problem.refresh_from_db()
    assert problem.stage == "scanning"  # not until a supervisor approves
    page = client_for("officer").get(reverse("problems:detail", args=[problem.pk]))
    assert b"Waiting for a supervisor" in page.content
    # a second request while one waits is refused
    assert b"already waiting" in ask(client_for("officer"), problem, "analysis").content

    queue = client_for("supervisor").get(reverse("problems:waiting"))
    assert problem.title.encode() in queue.content
    page = client_for("supervisor").get(reverse("problems:decide_stage", args=[change.pk]))
    assert page.status_code == 200 and b"Record the decision" in page.content
    assert decide(client_for("supervisor"), change, "approve", "good work").status_code == 302
    problem.refresh_from_db()
    change.refresh_from_db()
    assert problem.stage == "analysis" and change.status == "approved" and change.approved_by == cast["supervisor"]
    assert change.decided_at is not None
    assert audit_actions(object_type="problem", action__startswith="problem.stage") == [
        "problem.stage.request", "problem.stage.approved"]
    assert "Move to Analysis approved by supervisor" in problem.activities.values_list("text", flat=True)


@pytest.mark.parametrize("role", ["officer", "analyst"])
def test_only_supervisors_decide(client_for, make_problem, cast, role):
    problem = make_problem()
    change = StageChange.objects.create(
        problem=problem, from_stage="scanning", to_stage="analysis", requested_by=cast["officer"]
    )
    assert decide(client_for(role), change, "approve").status_code == 403
    problem.refresh_from_db()
    assert problem.stage == "scanning"
    assert audit_actions(outcome="denied") == ["problem.stage.decide"]


def test_a_supervisor_cannot_approve_their_own_request(client_for, make_problem, cast):
    problem = make_problem()
    ask(client_for("supervisor"), problem, "analysis")
    change = StageChange.objects.get()
    assert decide(client_for("supervisor"), change, "approve").status_code == 403
    assert decide(client_for("admin"), change, "approve").status_code == 302  # another approver
    problem.refresh_from_db()
    assert problem.stage == "analysis"


def test_refusal_keeps_the_stage(client_for, make_problem):
    problem = make_problem()
    ask(client_for("officer"), problem, "analysis")
    change = StageChange.objects.get()
    decide(client_for("supervisor"), change, "refuse", "add the calls too")
    change.refresh_from_db()
    problem.refresh_from_db()
    assert change.status == "refused" and problem.stage == "scanning" and change.decision_note == "add the calls too"


def test_approval_rechecks_the_checklist(client_for, make_problem):
    problem = make_problem()
    ask(client_for("officer"), problem, "analysis")
    problem.analyses.all().delete()  # the evidence went away after the request
    response = decide(client_for("supervisor"), StageChange.objects.get(), "approve")
    assert response.status_code == 200 and b"no longer met" in response.content
    problem.refresh_from_db()
    assert problem.stage == "scanning"


def test_moving_back_needs_no_checklist_but_still_approval(client_for, make_problem):
    problem = make_problem(stage="response")
    ask(client_for("officer"), problem, "analysis", "the response did not fit the analysis")
    decide(client_for("supervisor"), StageChange.objects.get(), "approve")
    problem.refresh_from_db()
    assert problem.stage == "analysis"


def test_the_whole_road_to_closed(client_for, make_problem, cast):
    problem = make_problem()
    fill_analysis(problem)
    fill_response(problem, cast["officer"])
    assessment_checks = {row["check"]: row["met"] for row in checklist.evaluate(problem, "assessment")}
    assert assessment_checks == {"assessment_run": False, "conclusion": False}
    for to_stage in ["analysis", "response", "assessment"]:
        ask(client_for("officer"), problem, to_stage)
        decide(client_for("supervisor"), StageChange.objects.get(status="pending"), "approve")
        problem.refresh_from_db()
        assert problem.stage == to_stage
    # no assessment yet: the last gate holds
    assert b"The checklist is not met yet" in ask(client_for("officer"), problem, "closed").content
    problem.assessments.create(
        before_start="2023-01-01",
        before_end="2023-12-31",
        after_start="2024-01-01",
        after_end="2024-06-30",
        target={},
        control={},
        conclusion="Down, with the CI",
    )
    ask(client_for("officer"), problem, "closed")
    decide(client_for("supervisor"), StageChange.objects.get(status="pending"), "approve")
    problem.refresh_from_db()
    assert problem.stage == "closed" and problem.closed_at is not None
    assert Problem.objects.filter(stage="closed").count() == 1


def test_every_checklist_item_is_a_known_check_and_documented():
    text = DOCS.read_text()
    for stage in STAGE_ORDER[:-1]:
        items = checklist.items_for(stage)
        assert items, stage
        for item in items:
            assert item.check in checklist.CHECKS
            assert item.label in text, f"{item.label!r} missing from docs/problems.md"
    assert checklist.items_for("closed") == ()
