"""A supervisor's "Waiting for me": stage changes with their checklists, approved or refused
several at once (a refusal needs its reason), each through the one stage service and audited;
the menu's count badge; open problems gone quiet for COPPS_PROBLEMS_QUIET_DAYS days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.problems.conftest import audit_actions

from copps.accounts.models import AuditLog
from copps.problems import stages
from copps.problems.models import Activity, Problem, StageChange

URL = reverse("problems:waiting")


@pytest.fixture
def asked(make_problem, cast):
    """Two problems whose officer asked to move them from scanning to analysis (checklists met)."""
    problems = [make_problem(title="Car break-ins at the Sunridge lot"), make_problem(title="Bike thefts at Elm")]
    return [stages.request_move(p, "analysis", by=cast["officer"]) for p in problems]


def test_the_supervisor_sees_each_request_with_its_checklist(client_for, asked):
    body = client_for("supervisor").get(URL).content.decode()
    assert "Move “Car break-ins at the Sunridge lot” from Scanning to Analysis" in body
    assert "Move “Bike thefts at Elm” from Scanning to Analysis" in body
    assert body.count("Evidence that it recurs: linked events or a saved analysis") == 2
    assert body.count('name="changes"') == 2


def test_two_requests_approved_at_once_through_the_stage_service(client_for, asked):
    response = client_for("supervisor").post(URL, {"changes": [c.pk for c in asked], "decision": "approve"})
    assert response.status_code == 302 and response["Location"] == URL
    assert list(Problem.objects.order_by("id").values_list("stage", flat=True)) == ["analysis", "analysis"]
    assert set(StageChange.objects.values_list("status", "approved_by__username")) == {("approved", "supervisor")}
    assert audit_actions(action="problem.stage.approved", username="supervisor") == ["problem.stage.approved"] * 2
    assert Activity.objects.filter(text__startswith="Move to Analysis approved by supervisor").count() == 2


def test_refusing_needs_a_reason(client_for, asked):
    c = client_for("supervisor")
    response = c.post(URL, {"changes": [asked[0].pk], "decision": "refuse", "note": "  "})
    assert response.status_code == 400 and "Say why you refuse" in response.content.decode()
    assert StageChange.objects.filter(status="pending").count() == 2
    c.post(URL, {"changes": [c.pk for c in asked], "decision": "refuse", "note": "Link the calls first"})
    assert set(StageChange.objects.values_list("status", "decision_note")) == {("refused", "Link the calls first")}
    assert set(Problem.objects.values_list("stage", flat=True)) == {"scanning"}


def test_nothing_ticked_is_refused_and_nothing_changes(client_for, asked):
    response = client_for("supervisor").post(URL, {"decision": "approve"})
    assert response.status_code == 400 and "Tick at least one stage change" in response.content.decode()
    assert StageChange.objects.filter(status="pending").count() == 2


def test_a_supervisors_own_request_is_not_theirs_to_decide(client_for, make_problem, cast, asked):
    own = stages.request_move(make_problem(title="Their own"), "analysis", by=cast["supervisor"])
    c = client_for("supervisor")
    assert "your own request: another supervisor decides" in c.get(URL).content.decode()
    c.post(URL, {"changes": [own.pk, asked[0].pk], "decision": "approve"})
    own.refresh_from_db()
    asked[0].refresh_from_db()
    assert own.status == "pending" and asked[0].status == "approved"
    denied = AuditLog.objects.get(outcome="denied")
    assert (denied.action, denied.object_id, denied.params) == ("problem.stage.decide", str(own.problem_id),
                                                               {"change": own.pk})


def test_a_request_whose_checklist_broke_stays_pending_and_the_others_are_approved(client_for, asked):
    Problem.objects.filter(pk=asked[0].problem_id).update(owner=None)
    response = client_for("supervisor").post(
        URL, {"changes": [c.pk for c in asked], "decision": "approve"}, follow=True
    )
    body = response.content.decode()
    assert "The checklist is no longer met" in body and "1 stage change approved." in body
    assert list(StageChange.objects.order_by("id").values_list("status", flat=True)) == ["pending", "approved"]


def test_the_menu_badge_counts_what_the_supervisor_may_decide(client_for, asked, make_problem, cast):
    stages.request_move(make_problem(title="Their own"), "analysis", by=cast["supervisor"])
    body = client_for("supervisor").get(reverse("problems:list")).content.decode()
    assert '<span class="badge">2<span class="sr"> stage changes to decide</span></span>' in body


@pytest.mark.parametrize(
    ("role", "who"),
    [
        ("officer", "Supervisors and administrators."),
        ("analyst", "Supervisors and administrators."),
        ("auditor", "Department staff"),
        ("resident", "Department staff"),
    ],
)
def test_other_roles_get_no_badge_and_a_helpful_refusal(client_for, asked, role, who):
    c = client_for(role)
    response = c.get(URL)
    assert response.status_code == 403 and who in response.content.decode()
    assert 'class="badge"' not in response.content.decode() and "Waiting for me" not in response.content.decode()
    assert c.post(URL, {"changes": [asked[0].pk], "decision": "approve"}).status_code == 403
    assert StageChange.objects.filter(status="pending").count() == 2


def test_anonymous_visitors_sign_in_first(asked):
    response = Client().post(URL, {"changes": [asked[0].pk], "decision": "approve"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert StageChange.objects.filter(status="pending").count() == 2


def test_the_old_stage_requests_address_leads_here(client_for, asked):
    response = client_for("supervisor").get(reverse("problems:stage_queue"))
    assert response.status_code == 302 and response["Location"] == URL


def test_the_single_decision_page_also_needs_a_reason_to_refuse(client_for, asked):
    url = reverse("problems:decide_stage", args=[asked[0].pk])
    response = client_for("supervisor").post(url, {"decision": "refuse"})
    assert response.status_code == 200 and "Say why you refuse" in response.content.decode()
    assert StageChange.objects.filter(status="pending").count() == 2


def _quiet_for(problem, days):
    Problem.objects.filter(pk=problem.pk).update(opened_at=timezone.now() - timedelta(days=days + 30))
    Activity.objects.create(problem=problem, text="Visited the lot", at=timezone.now() - timedelta(days=days))


def test_problems_gone_quiet_are_listed(client_for, make_problem):
    _quiet_for(make_problem(title="Quiet since October"), 20)
    _quiet_for(make_problem(title="Busy this week"), 2)
    Problem.objects.filter(pk=make_problem(title="Quiet but closed", stage="closed").pk).update(
        opened_at=timezone.now() - timedelta(days=90)
    )
    body = client_for("supervisor").get(URL).content.decode()
    assert "Quiet since October" in body and "Busy this week" not in body and "Quiet but closed" not in body
    assert "no activity for 14 days or more" in body


def test_the_quiet_days_are_a_setting(client_for, make_problem, settings):
    _quiet_for(make_problem(title="Quiet since October"), 20)
    settings.COPPS_PROBLEMS_QUIET_DAYS = "30"
    body = client_for("supervisor").get(URL).content.decode()
    assert "Quiet since October" not in body and "no activity for 30 days or more" in body
    settings.COPPS_PROBLEMS_QUIET_DAYS = "0"
    with pytest.raises(ImproperlyConfigured, match="COPPS_PROBLEMS_QUIET_DAYS"):
        client_for("supervisor").get(URL)
