"""Moving a problem through SARA, as pages: a request (checklist met for a forward move), and a
supervisor's decision on it (never on their own request). The move itself is
:mod:`copps.problems.stages`, the one way every caller makes it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from copps.accounts.permissions import staff_required
from copps.problems import stages
from copps.problems.forms import DecisionForm, StageRequestForm
from copps.problems.models import Problem, StageChange
from copps.problems.permissions import ASSIGN_WHO, can_assign, can_decide, deny
from copps.problems.views.common import problem_view
from copps.problems.views.problems import _stage_targets

__all__ = ["request_stage", "stage_queue", "decide_stage"]


@require_POST
@problem_view(work=True)
def request_stage(request, problem: Problem):
    form = StageRequestForm(request.POST, targets=_stage_targets(problem))
    if not form.is_valid():
        messages.error(request, "Choose a stage to move to.")
        return redirect("problems:detail", problem.pk)
    try:
        stages.request_move(
            problem, form.cleaned_data["to_stage"], by=request.user, note=form.cleaned_data["note"], request=request
        )
    except stages.StageError as exc:
        messages.error(request, str(exc))
        return redirect("problems:detail", problem.pk)
    messages.success(request, "Sent to a supervisor for approval.")
    return redirect("problems:detail", problem.pk)


@staff_required
def stage_queue(request):
    """The old address of the stage requests: they are on "Waiting for me" now."""
    if not can_assign(request.user):
        return deny(request, "stage.queue", who=ASSIGN_WHO)
    return redirect("problems:waiting")


@staff_required
def decide_stage(request, change_id: int):
    change = get_object_or_404(StageChange.objects.select_related("problem", "requested_by"), pk=change_id)
    problem = change.problem
    if not can_decide(request.user, change):
        return deny(
            request,
            "problem.stage.decide",
            "problem",
            problem.pk,
            who="supervisors and administrators, other than the person who asked",
        )
    items, missing = stages.missing_for(change)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and change.status == StageChange.Status.PENDING and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            stages.decide(change, by=request.user, approve=approve, note=form.cleaned_data["note"], request=request)
        except stages.CannotApprove as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Stage change {'approved' if approve else 'refused'}.")
            return redirect("problems:waiting")
    return render(
        request,
        "problems/stage_decide.html",
        {"change": change, "problem": problem, "items": items, "missing": missing, "form": form},
    )
