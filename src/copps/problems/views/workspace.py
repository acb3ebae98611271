"""Adding to a problem: triangle, hypotheses, notes, partners, plan, objectives, tasks, evidence.

Each view takes a POST from a small form on the problem's page, records the change (audit row
and activity line) and goes back to the section it came from. Only users who may work on the
problem get here (officers: only problems assigned to them).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from copps.accounts import audit
from copps.incidents.models import Event
from copps.problems.changes import record_change
from copps.problems.forms import (
    ActivityForm,
    EventLinkForm,
    ExternalLinkForm,
    HypothesisForm,
    ObjectiveForm,
    PlanForm,
    ProblemPartnerForm,
    TaskForm,
    TaskStatusForm,
    TriangleForm,
)
from copps.problems.models import (
    EventLink,
    ExternalLink,
    Hypothesis,
    Problem,
    ProblemPartner,
    ResponsePlan,
    Task,
    TriangleEntry,
)
from copps.problems.views.common import problem_view

__all__ = [
    "add_triangle",
    "delete_triangle",
    "add_hypothesis",
    "edit_hypothesis",
    "add_note",
    "add_partner",
    "edit_plan",
    "add_objective",
    "add_task",
    "update_task",
    "link_events",
    "link_external",
]


def _back(problem: Problem, anchor: str):
    return redirect(reverse("problems:detail", args=[problem.pk]) + f"#{anchor}")


def _invalid(request, form, problem, anchor):
    errors = "; ".join(
        f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip() for k, v in form.errors.items()
    )
    messages.error(request, f"Not saved: {errors}")
    return _back(problem, anchor)


@require_POST
@problem_view(work=True)
def add_triangle(request, problem):
    form = TriangleForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, problem, "analysis")
    with transaction.atomic():
        entry = form.save(commit=False)
        entry.problem, entry.created_by = problem, request.user
        entry.save()
        record_change(
            request, problem, "triangle.add", f"Triangle: {entry.get_side_display()} added", {"entry": entry.pk}
        )
    return _back(problem, "analysis")


@require_POST
@problem_view(work=True)
def delete_triangle(request, problem, entry_id: int):
    entry = get_object_or_404(TriangleEntry, pk=entry_id, problem=problem)
    with transaction.atomic():
        record_change(
            request,
            problem,
            "triangle.delete",
            f"Triangle: {entry.get_side_display()} removed",
            {"entry": entry.pk, "description": entry.description[:200]},
        )
        entry.delete()
    return _back(problem, "analysis")


@require_POST
@problem_view(work=True)
def add_hypothesis(request, problem):
    form = HypothesisForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, problem, "analysis")
    with transaction.atomic():
        h = form.save(commit=False)
        h.problem, h.created_by = problem, request.user
        h.save()
        record_change(
            request, problem, "hypothesis.add", f"Hypothesis added: {h.statement[:100]}", {"hypothesis": h.pk}
        )
    return _back(problem, "analysis")


@require_POST
@problem_view(work=True)
def edit_hypothesis(request, problem, hypothesis_id: int):
    h = get_object_or_404(Hypothesis, pk=hypothesis_id, problem=problem)
    form = HypothesisForm(request.POST, instance=h)
    if not form.is_valid():
        return _invalid(request, form, problem, "analysis")
    with transaction.atomic():
        form.save()
        record_change(
            request,
            problem,
            "hypothesis.edit",
            f"Hypothesis {h.get_status_display().lower()}: {h.statement[:100]}",
            {"hypothesis": h.pk, "status": h.status},
        )
    return _back(problem, "analysis")


@require_POST
@problem_view(work=True)
def add_note(request, problem):
    form = ActivityForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, problem, "activity")
    with transaction.atomic():
        note = form.save(commit=False)
        note.problem, note.user = problem, request.user
        note.save()
        audit.record(
            "problem.note",
            request=request,
            object_type="problem",
            object_id=problem.pk,
            params={"activity": note.pk, "kind": note.kind},
        )
    return _back(problem, "activity")


@require_POST
@problem_view(work=True)
def add_partner(request, problem):
    form = ProblemPartnerForm(request.POST)
    if (
        form.is_valid()
        and ProblemPartner.objects.filter(problem=problem, partner=form.cleaned_data["partner"]).exists()
    ):
        form.add_error("partner", "is already on this problem")
    if not form.is_valid():
        return _invalid(request, form, problem, "response")
    with transaction.atomic():
        link = form.save(commit=False)
        link.problem = problem
        link.save()
        record_change(
            request, problem, "partner.add", f"Partner joined: {link.partner.name}", {"partner": link.partner_id}
        )
    return _back(problem, "response")


@require_POST
@problem_view(work=True)
def edit_plan(request, problem):
    plan = ResponsePlan.objects.filter(problem=problem).first() or ResponsePlan(problem=problem)
    form = PlanForm(request.POST, instance=plan)
    if not form.is_valid():
        return _invalid(request, form, problem, "response")
    with transaction.atomic():
        form.save()
        record_change(request, problem, "plan.edit", "Response plan updated", {"techniques": plan.techniques})
    return _back(problem, "response")


@require_POST
@problem_view(work=True)
def add_objective(request, problem):
    form = ObjectiveForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, problem, "response")
    with transaction.atomic():
        plan, _ = ResponsePlan.objects.get_or_create(problem=problem)
        objective = form.save(commit=False)
        objective.plan = plan
        objective.save()
        record_change(request, problem, "objective.add", f"Objective: {objective.text}", {"objective": objective.pk})
    return _back(problem, "response")


@require_POST
@problem_view(work=True)
def add_task(request, problem):
    form = TaskForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, problem, "response")
    with transaction.atomic():
        task = form.save(commit=False)
        task.problem = problem
        if task.status == Task.Status.DONE:
            task.completed_at = timezone.now()
        task.save()
        record_change(request, problem, "task.add", f"Task: {task.title}", {"task": task.pk})
    return _back(problem, "response")


@require_POST
@problem_view(work=True)
def update_task(request, problem, task_id: int):
    task = get_object_or_404(Task, pk=task_id, problem=problem)
    form = TaskStatusForm(request.POST, instance=task)
    if not form.is_valid():
        return _invalid(request, form, problem, "response")
    with transaction.atomic():
        task = form.save(commit=False)
        task.completed_at = timezone.now() if task.status == Task.Status.DONE else None
        task.save()
        record_change(
            request,
            problem,
            "task.status",
            f"Task {task.get_status_display().lower()}: {task.title}",
            {"task": task.pk, "status": task.status},
        )
    return _back(problem, "response")


@require_POST
@problem_view(work=True)
def link_events(request, problem):
    form = EventLinkForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, problem, "scanning")
    ids = form.cleaned_data["event_ids"]
    found = set(Event.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(set(ids) - found)
    with transaction.atomic():
        have = set(problem.event_links.filter(event_id__in=found).values_list("event_id", flat=True))
        EventLink.objects.bulk_create(
            [
                EventLink(problem=problem, event_id=i, added_by=request.user, note=form.cleaned_data["note"])
                for i in sorted(found - have)
            ]
        )
        record_change(
            request,
            problem,
            "events.link",
            f"{len(found - have)} events linked as evidence",
            {"events": sorted(found - have)[:200]},
        )
    if missing:
        messages.error(request, f"No events numbered {', '.join(map(str, missing[:20]))}.")
    return _back(problem, "scanning")


@require_POST
@problem_view(work=True)
def link_external(request, problem):
    form = ExternalLinkForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, problem, "scanning")
    app_label, model = form.cleaned_data["target"].split(".")
    with transaction.atomic():
        link, created = ExternalLink.objects.get_or_create(
            problem=problem,
            app_label=app_label,
            model=model,
            object_id=form.cleaned_data["object_id"],
            defaults={"label": form.cleaned_data["label"], "added_by": request.user},
        )
        if created:
            record_change(
                request,
                problem,
                "external.link",
                f"Linked {model} {link.object_id}",
                {"app_label": app_label, "model": model, "object_id": link.object_id},
            )
    return _back(problem, "scanning")
