"""problems/stages.py, the one way to move a problem through SARA, called as a job or the demo
would call it (no request): the same gates and the same audit rows as the pages."""

from __future__ import annotations

import pytest
from tests.problems.conftest import audit_actions

from copps.problems import stages
from copps.problems.models import Problem, StageChange


def test_a_forward_move_with_the_checklist_unmet_is_refused_and_recorded(make_problem, cast):
    problem = make_problem(owner=None)
    with pytest.raises(stages.ChecklistNotMet) as refused:
        stages.request_move(problem, "analysis", by=cast["analyst"])
    assert any(m.startswith("An owner officer") for m in refused.value.missing)
    assert not StageChange.objects.exists()
    assert audit_actions(object_type="problem", action__startswith="problem.stage") == ["problem.stage.refused"]


def test_request_and_approve_move_the_problem_as_the_named_users(make_problem, cast):
    problem = make_problem()
    change = stages.request_move(problem, "analysis", by=cast["officer"], note="evidence is in")
    with pytest.raises(stages.AlreadyPending):
        stages.request_move(problem, "analysis", by=cast["officer"])
    stages.decide(change, by=cast["supervisor"], approve=True, note="good")
    problem.refresh_from_db()
    change.refresh_from_db()
    assert problem.stage == "analysis" and change.status == "approved" and change.approved_by == cast["supervisor"]
    assert audit_actions(object_type="problem", action__startswith="problem.stage") == [
        "problem.stage.request",
        "problem.stage.approved",
    ]
    with pytest.raises(stages.CannotApprove, match="decided already"):
        stages.decide(change, by=cast["supervisor"], approve=True)


def test_a_request_overtaken_by_another_move_cannot_be_approved(make_problem, cast):
    problem = make_problem()
    change = stages.request_move(problem, "analysis", by=cast["officer"])
    Problem.objects.filter(pk=problem.pk).update(stage="response")
    change.problem.refresh_from_db()
    with pytest.raises(stages.CannotApprove, match="has moved"):
        stages.decide(change, by=cast["supervisor"], approve=True)
    stages.decide(change, by=cast["supervisor"], approve=False)
    change.refresh_from_db()
    assert change.status == "refused"


def test_closing_records_when_and_open_problems_leave_it_out(make_problem, cast, monkeypatch):
    monkeypatch.setattr(stages.checklist, "evaluate", lambda problem, stage=None: [])  # every item met
    problem = make_problem(stage="assessment")
    change = stages.request_move(problem, "closed", by=cast["supervisor"])
    stages.decide(change, by=cast["admin"], approve=True)
    problem.refresh_from_db()
    assert problem.stage == "closed" and problem.closed_at is not None
    assert problem not in Problem.objects.open()
    assert make_problem(title="Still open") in Problem.objects.open()
