"""Moving a problem through SARA: a request (checklist met for a forward move), and a
supervisor's decision on it (never on their own request)."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from copps.accounts.permissions import staff_required
from copps.problems import checklist
from copps.problems.changes import record_change
from copps.problems.forms import DecisionForm, StageRequestForm
from copps.problems.models import STAGE_ORDER, Problem, Stage, StageChange
from copps.problems.permissions import can_assign, can_decide, deny
from copps.problems.views.common import problem_view
from copps.problems.views.problems import _stage_targets

__all__ = ["request_stage", "stage_queue", "decide_stage"]


def _forward(from_stage: str, to_stage: str) -> bool:
    return STAGE_ORDER.index(to_stage) > STAGE_ORDER.index(from_stage)


@require_POST
@problem_view(work=True)
def request_stage(request, problem: Problem):
    form = StageRequestForm(request.POST, targets=_stage_targets(problem))
    if not form.is_valid():
        messages.error(request, "Choose a stage to move to.")
        return redirect("problems:detail", problem.pk)
    to_stage = form.cleaned_data["to_stage"]
    items = checklist.evaluate(problem)
    missing = [i["label"] for i in items if not i["met"]]
    if _forward(problem.stage, to_stage) and missing:
        record_change(
            request,
            problem,
            "stage.refused",
            f"Move to {Stage(to_stage).label} refused: checklist not met",
            {"missing": missing},
        )
        messages.error(request, "The checklist is not met yet: " + "; ".join(missing))
        return redirect("problems:detail", problem.pk)
    try:
        with transaction.atomic():
            change = StageChange.objects.create(
                problem=problem,
                from_stage=problem.stage,
                to_stage=to_stage,
                requested_by=request.user,
                note=form.cleaned_data["note"],
                checklist=items,
            )
            record_change(
                request,
                problem,
                "stage.request",
                f"Asked to move from {Stage(problem.stage).label} to {Stage(to_stage).label}",
                {"change": change.pk, "to": to_stage},
            )
    except IntegrityError:
        messages.error(request, "A stage change is already waiting for a supervisor.")
        return redirect("problems:detail", problem.pk)
    messages.success(request, "Sent to a supervisor for approval.")
    return redirect("problems:detail", problem.pk)


@staff_required
def stage_queue(request):
    if not can_assign(request.user):
        return deny(request, "stage.queue")
    pending = (
        StageChange.objects.filter(status=StageChange.Status.PENDING)
        .select_related("problem", "requested_by")
        .order_by("requested_at")
    )
    recent = (
        StageChange.objects.exclude(status=StageChange.Status.PENDING)
        .select_related("problem", "requested_by", "approved_by")
        .order_by("-decided_at")[:20]
    )
    return render(request, "problems/stage_queue.html", {"pending": pending, "recent": recent})


@staff_required
def decide_stage(request, change_id: int):
    change = get_object_or_404(StageChange.objects.select_related("problem", "requested_by"), pk=change_id)
    problem = change.problem
    if not can_decide(request.user, change):
        return deny(request, "problem.stage.decide", "problem", problem.pk)
    items = checklist.evaluate(problem, change.from_stage)
    missing = [i["label"] for i in items if not i["met"]]
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and change.status == StageChange.Status.PENDING and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        if approve and _forward(change.from_stage, change.to_stage) and missing:
            form.add_error(None, "The checklist is no longer met; it cannot be approved.")
        elif approve and problem.stage != change.from_stage:
            form.add_error(None, "The problem has moved since this request; refuse it.")
        else:
            now = timezone.now()
            with transaction.atomic():
                change.status = StageChange.Status.APPROVED if approve else StageChange.Status.REFUSED
                change.approved_by, change.decided_at = request.user, now
                change.decision_note = form.cleaned_data["note"]
                change.save()
                if approve:
                    problem.stage, problem.stage_entered_at = change.to_stage, now
                    problem.closed_at = now if change.to_stage == Stage.CLOSED else None
                    problem.save(update_fields=["stage", "stage_entered_at", "closed_at", "updated_at"])
                verb = "approved" if approve else "refused"
                record_change(
                    request,
                    problem,
                    f"stage.{verb}",
                    f"Move to {Stage(change.to_stage).label} {verb} by {request.user.get_username()}",
                    {"change": change.pk, "to": change.to_stage},
                )
            messages.success(request, f"Stage change {verb}.")
            return redirect("problems:stage_queue")
    return render(
        request,
        "problems/stage_decide.html",
        {"change": change, "problem": problem, "items": items, "missing": missing, "form": form},
    )
