"""Working a problem: every form adds its record, writes an audit row and a line in the log;
officers work only the problems assigned to them; bad input is explained, not saved."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from tests.conftest import sign_in
from tests.problems.conftest import audit_actions

from copps.accounts.models import AuditLog
from copps.incidents.models import Event, ImportBatch
from copps.problems.models import (
    Activity,
    EventLink,
    ExternalLink,
    Hypothesis,
    Partner,
    ProblemPartner,
    ResponsePlan,
    Task,
    TriangleEntry,
)


@pytest.fixture
def problem(make_problem):
    return make_problem()


@pytest.fixture
def partner(db):
    return Partner.objects.create(
        name="Sunridge Plaza management", kind="landlord", role="manager", contact_name="Front desk", phone="555-0100"
    )


def post(c, name, problem, data, *args):
    return c.post(reverse(f"problems:{name}", args=[problem.pk, *args]), data)


def forms(partner, cast):
    return [
        (
            "add_triangle",
            {"side": "place", "description": "east parking lot", "place": "70XX SUNRIDGE BLVD"},
            TriangleEntry,
        ),
        ("add_hypothesis", {"statement": "Break-ins follow the broken lights", "status": "open"}, Hypothesis),
        ("add_partner", {"partner": partner.pk, "role": "manager", "note": "owns the lot"}, ProblemPartner),
        (
            "edit_plan",
            {"summary": "Lights and signs", "techniques": ["natural-surveillance", "set-rules"]},
            ResponsePlan,
        ),
        (
            "add_task",
            {"title": "Meet the owner", "owner": cast["officer"].pk, "due": "2026-12-01", "status": "planned"},
            Task,
        ),
        ("add_note", {"kind": "contact", "text": "Called the owner, meeting Tuesday"}, Activity),
        (
            "link_external",
            {"target": "community.servicerequest", "object_id": "abc123", "label": "Streetlight out"},
            ExternalLink,
        ),
    ]


def test_assigned_officer_fills_every_section_and_each_change_is_audited(client_for, problem, partner, cast):
    c = client_for("officer")
    for name, data, model in forms(partner, cast):
        before = model.objects.count()
        response = post(c, name, problem, data)
        assert response.status_code == 302, name
        assert model.objects.count() == before + 1, name
    actions = audit_actions(object_type="problem", object_id=str(problem.pk), outcome="allowed")
    assert actions == [
        "problem.triangle.add",
        "problem.hypothesis.add",
        "problem.partner.add",
        "problem.plan.edit",
        "problem.task.add",
        "problem.note",
        "problem.external.link",
    ]
    assert set(AuditLog.objects.filter(action__startswith="problem.").values_list("username", flat=True)) == {"officer"}
    plan = ResponsePlan.objects.get(problem=problem)
    assert plan.techniques == ["natural-surveillance", "set-rules"]
    page = c.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    for text in (
        "east parking lot",
        "Break-ins follow the broken lights",
        "Sunridge Plaza management",
        "7. Assist natural surveillance",
        "21. Set rules",
        "Meet the owner",
        "Called the owner",
        "Streetlight out",
    ):
        assert text in page, text
    log = list(problem.activities.values_list("text", flat=True))
    assert "Task: Meet the owner" in log and "Partner joined: Sunridge Plaza management" in log


def test_officer_not_assigned_cannot_change_the_problem(client, problem, partner, cast, other_officer):
    sign_in(client, other_officer)
    for name, data, model in forms(partner, cast):
        before = model.objects.count()
        response = post(client, name, problem, data)
        assert response.status_code == 403, name
        assert model.objects.count() == before
    task = Task.objects.create(problem=problem, title="x", owner=cast["officer"])
    assert post(client, "update_task", problem, {"status": "done"}, task.pk).status_code == 403
    assert post(client, "request_stage", problem, {"to_stage": "analysis"}).status_code == 403
    assert client.get(reverse("problems:edit", args=[problem.pk])).status_code == 403
    denied = AuditLog.objects.filter(username="officer2", outcome="denied", object_id=str(problem.pk))
    assert denied.count() == len(forms(partner, cast)) + 3
    page = client.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert "Add to the triangle" not in page and "Add a task" not in page  # read only


def test_an_officer_added_to_the_team_may_work_on_it(client, problem, other_officer):
    problem.officers.add(other_officer)
    sign_in(client, other_officer)
    assert post(client, "add_note", problem, {"kind": "visit", "text": "Walked the lot at 22:00"}).status_code == 302


@pytest.mark.parametrize("role", ["analyst", "supervisor", "admin"])
def test_analysts_supervisors_and_admins_work_on_any_problem(client_for, make_problem, role):
    problem = make_problem(owner=None)
    response = post(client_for(role), "add_hypothesis", problem, {"statement": "Weekly-rate guests", "status": "open"})
    assert response.status_code == 302 and problem.hypotheses.count() == 1


def test_bad_input_is_explained_and_not_saved(client_for, problem):
    c = client_for("officer")
    response = post(c, "add_triangle", problem, {"side": "nobody", "description": ""})
    assert response.status_code == 302 and not TriangleEntry.objects.exists()
    page = c.get(response["Location"]).content.decode()
    assert "Not saved" in page
    assert post(c, "edit_plan", problem, {"techniques": ["not-a-technique"]}).status_code == 302
    assert not ResponsePlan.objects.exists()
    response = c.post(
        reverse("problems:edit", args=[problem.pk]),
        {"title": "x", "problem_type": "hot_spot", "polygon": '{"type": "Point", "coordinates": [0, 0]}'},
    )
    assert response.status_code == 200 and b"expected a GeoJSON Polygon" in response.content


def test_edit_saves_the_drawn_polygon_and_areas(client_for, problem):
    ring = [[-121.3, 38.7], [-121.29, 38.7], [-121.29, 38.705], [-121.3, 38.7]]
    response = client_for("officer").post(
        reverse("problems:edit", args=[problem.pk]),
        {
            "title": "Lot break-ins",
            "problem_type": "hot_spot",
            "summary": "Nightly",
            "polygon": json.dumps({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}),
        },
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.title == "Lot break-ins" and problem.polygon["type"] == "Polygon"
    assert audit_actions(action="problem.edit") == ["problem.edit"]


def test_task_status_and_hypothesis_updates(client_for, problem, cast):
    c = client_for("officer")
    task = Task.objects.create(problem=problem, title="Ask for lights", owner=cast["officer"])
    assert post(c, "update_task", problem, {"status": "done"}, task.pk).status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    h = Hypothesis.objects.create(problem=problem, statement="Lights")
    assert (
        post(
            c, "edit_hypothesis", problem, {"statement": "Lights", "status": "supported", "evidence": "14 of 20"}, h.pk
        ).status_code
        == 302
    )
    h.refresh_from_db()
    assert h.status == "supported"
    entry = TriangleEntry.objects.create(problem=problem, side="offender", description="x")
    assert post(c, "delete_triangle", problem, {}, entry.pk).status_code == 302
    assert not TriangleEntry.objects.exists()
    assert audit_actions(object_type="problem", object_id=str(problem.pk)) == [
        "problem.task.status",
        "problem.hypothesis.edit",
        "problem.triangle.delete",
    ]


def test_linking_events_is_idempotent_and_sensitive_reads_are_audited(client_for, problem):
    batch = ImportBatch.objects.create(
        file_name="f.csv", sha256="0" * 64, profile="sfpd", source="sfpd", started_at="2024-01-01T00:00:00Z"
    )
    events = [
        Event.objects.create(
            kind="crime",
            source="sfpd",
            source_id=str(i),
            batch=batch,
            occurred_from=f"2024-01-0{i + 1}T22:00:00Z",
            block_address="70XX SUNRIDGE BLVD",
            raw={},
            row_hash="x",
            sensitive=i == 2,
        )
        for i in range(3)
    ]
    c = client_for("officer")
    ids = " ".join(str(e.pk) for e in events)
    assert post(c, "link_events", problem, {"event_ids": ids + " 999999"}).status_code == 302
    assert post(c, "link_events", problem, {"event_ids": ids}).status_code == 302
    assert EventLink.objects.filter(problem=problem).count() == 3
    page = c.get(reverse("problems:detail", args=[problem.pk]))
    assert b"Linked events (3)" in page.content
    assert list(AuditLog.objects.filter(action="event.list").values_list("object_id", flat=True)) == [str(events[2].pk)]


def test_partner_registry(client_for):
    c = client_for("officer")
    response = c.post(
        reverse("problems:partner_new"),
        {
            "name": "Citrus Heights Code Enforcement",
            "kind": "city_department",
            "role": "manager",
            "email": "code@example.org",
            "active": "on",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get()
    assert (
        c.post(
            reverse("problems:partner_edit", args=[partner.pk]),
            {"name": partner.name, "kind": "city_department", "phone": "555-0199"},
        ).status_code
        == 302
    )
    partner.refresh_from_db()
    assert partner.phone == "555-0199" and not partner.active
    assert audit_actions(object_type="partner") == ["partner.create", "partner.edit"]
    assert b"Citrus Heights Code Enforcement" in c.get(reverse("problems:partners") + "?all=1").content
