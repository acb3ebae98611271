"""The problem admin: for correcting mistakes, never a way round the workflow. The stage is
read-only (it moves only through the gated stage requests), and every save is audited with a
line in the problem's activity log."""

from __future__ import annotations

import json
import re

from tests.problems.conftest import SQUARE, audit_actions

from copps.accounts.models import AuditLog
from copps.incidents.models import Area
from copps.problems.models import Problem


def change_form_data(admin, problem: Problem, **overrides) -> dict:
    """The change form as the admin shows it (opened_at to the second, as its widget has it)."""
    Problem.objects.filter(pk=problem.pk).update(opened_at=problem.opened_at.replace(microsecond=0))
    page = admin.get(f"/admin/problems/problem/{problem.pk}/change/").content.decode()
    opened = [re.search(rf'name="opened_at_{i}" value="([^"]+)"', page).group(1) for i in (0, 1)]
    # a field with a callable default (opened_at) carries its initial value in hidden inputs
    hidden = dict(re.findall(r'type="hidden" name="(initial-[\w-]+)" value="([^"]*)"', page))
    data = {
        "title": problem.title,
        "problem_type": problem.problem_type,
        "summary": problem.summary,
        "owner": problem.owner_id or "",
        "created_by": problem.created_by_id or "",
        "officers": [u.pk for u in problem.officers.all()],
        "areas": [a.pk for a in problem.areas.all()],
        "categories": [c.pk for c in problem.categories.all()],
        "polygon": "null" if problem.polygon is None else json.dumps(problem.polygon),
        "opened_at_0": opened[0],
        "opened_at_1": opened[1],
    }
    data.update(hidden)
    data.update(overrides)
    return data


def test_stage_is_read_only_in_the_admin(client_for, make_problem):
    problem = make_problem(stage="scanning")
    admin = client_for("admin")
    page = admin.get(f"/admin/problems/problem/{problem.pk}/change/")
    assert page.status_code == 200
    assert "stage" not in page.context["adminform"].form.fields
    data = change_form_data(admin, problem, stage="closed")
    response = admin.post(f"/admin/problems/problem/{problem.pk}/change/", data)
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.stage == "scanning" and problem.closed_at is None


def test_admin_edit_of_owner_and_areas_is_audited(client_for, cast, make_problem):
    problem = make_problem()
    beat = Area.objects.create(
        type="beat", code="B1", name="Beat 1", geometry=SQUARE, min_lon=-121.30, min_lat=38.70, max_lon=-121.29,
        max_lat=38.71,
    )
    admin = client_for("admin")
    response = admin.post(
        f"/admin/problems/problem/{problem.pk}/change/",
        change_form_data(admin, problem, owner=cast["supervisor"].pk, areas=[beat.pk]),
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.owner == cast["supervisor"] and list(problem.areas.all()) == [beat]
    row = AuditLog.objects.get(action="problem.admin_edit")
    assert (row.username, row.object_id) == ("admin", str(problem.pk))
    assert set(row.params["fields"]) == {"owner", "areas"}
    assert row.params["owner"] == cast["supervisor"].pk and row.params["areas"] == [beat.pk]
    assert problem.activities.filter(text__startswith="Edited in the admin: ").exists()


def test_problem_added_in_the_admin_starts_at_scanning_and_is_audited(client_for, cast):
    admin = client_for("admin")
    response = admin.post(
        "/admin/problems/problem/add/",
        {
            "title": "Graffiti on the underpass",
            "problem_type": "hot_spot",
            "summary": "",
            "owner": cast["officer"].pk,
            "created_by": "",
            "polygon": "null",
            "opened_at_0": "2026-01-05",
            "opened_at_1": "09:00:00",
            "stage": "response",
        },
    )
    assert response.status_code == 302
    problem = Problem.objects.get(title="Graffiti on the underpass")
    assert problem.stage == "scanning"
    assert audit_actions(object_type="problem", object_id=str(problem.pk)) == ["problem.admin_create"]


def test_problem_deleted_in_the_admin_leaves_an_audit_row(client_for, make_problem):
    problem = make_problem()
    pk = problem.pk
    admin = client_for("admin")
    response = admin.post(f"/admin/problems/problem/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Problem.objects.filter(pk=pk).exists()
    row = AuditLog.objects.get(action="problem.admin_delete")
    assert (row.username, row.object_id, row.params["title"]) == ("admin", str(pk), problem.title)
