"""Outcome assessments of a problem's response: the form that runs one, and its result."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render

from copps.geo.shapes import GeometryError
from copps.problems.assessing import run_assessment
from copps.problems.changes import record_change
from copps.problems.forms import AssessmentForm
from copps.problems.models import Assessment, Problem
from copps.problems.permissions import can_analyse, deny
from copps.problems.views.common import problem_view

__all__ = ["assessment_new", "assessment_detail"]


@problem_view(work=False)
def assessment_new(request, problem: Problem):
    if not can_analyse(request.user):
        return deny(request, "problem.assessment", "problem", problem.pk)
    form = AssessmentForm(request.POST or None, problem=problem)
    if request.method == "POST" and form.is_valid():
        try:
            a = run_assessment(problem, form.cleaned_data, request.user)
        except (GeometryError, ValueError) as exc:
            form.add_error(None, str(exc))
        else:
            ba = a.result["before_after"]
            record_change(
                request,
                problem,
                "assessment.run",
                f"Assessment run: target {a.counts['target']['before']} -> {a.counts['target']['after']}",
                {"assessment": a.pk, "rate_ratio": ba["rate_ratio"], "p": ba["p"]},
            )
            return redirect("problems:assessment", problem.pk, a.pk)
    return render(
        request,
        "problems/assessment_form.html",
        {"form": form, "problem": problem, "geo": {"polygon": problem.polygon}},
    )


@problem_view(work=False)
def assessment_detail(request, problem: Problem, assessment_id: int):
    a = get_object_or_404(Assessment, pk=assessment_id, problem=problem)
    geo = {"target": a.target, "buffer": a.buffer, "control": a.control}
    return render(request, "problems/assessment_detail.html", {"problem": problem, "a": a, "geo": geo})
