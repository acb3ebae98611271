"""Forms are visible where the work is (issue 20): the problem page opens the form the current
stage needs while its section is still empty, and keeps the others folded away."""

from __future__ import annotations

import re

from django.urls import reverse

from copps.problems.models import ResponsePlan, Task


def _open_forms(client, problem) -> set[str]:
    response = client.get(reverse("problems:detail", args=[problem.pk]))
    assert response.status_code == 200  # the page itself is open to them: only its forms differ
    page = response.content.decode()
    assert "Problem triangle" in page
    return set(re.findall(r"<details open><summary>([^<]+)</summary>", page))


def test_each_stage_opens_the_forms_of_its_empty_sections(client_for, make_problem, cast):
    c = client_for("officer")
    assert _open_forms(c, make_problem(stage="scanning")) == {"Link events"}
    analysis = make_problem(stage="analysis", title="Analysis")
    assert _open_forms(c, analysis) == {"Add to the triangle", "Add a hypothesis"}
    analysis.triangle.create(side="offender", description="Two local teenagers")
    assert _open_forms(c, analysis) == {"Add a hypothesis"}  # done once, the form folds away
    response = make_problem(stage="response", title="Response")
    assert _open_forms(c, response) == {"Edit the plan and techniques", "Add a partner", "Add a task"}
    ResponsePlan.objects.create(problem=response, summary="Lights and patrols")
    Task.objects.create(problem=response, title="Repair the lamps", owner=cast["officer"])
    assert _open_forms(c, response) == {"Add a partner"}


def test_an_officer_who_cannot_work_the_problem_gets_no_forms_to_open(client, make_problem, other_officer):
    from tests.conftest import sign_in

    problem = make_problem(stage="analysis")  # the cast's officer's, on no beat of officer2
    assert _open_forms(sign_in(client, other_officer), problem) == set()
