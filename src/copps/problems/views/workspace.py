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


def _save(request, problem: Problem, form, anchor: str, describe, /, **fields):
    """The shape every small form here shares: validate (or go back with the errors), then in one
    transaction save the object with ``fields`` set (a callable is called at save time), record the
    change that ``describe(obj)`` words as ``(action, text, params)``, and go back to ``anchor``."""
    if not form.is_valid():
        return _invalid(request, form, problem, anchor)
    with transaction.atomic():
        obj = form.save(commit=False)
        for name, value in fields.items():
            setattr(obj, name, value() if callable(value) else value)
        obj.save()
        form.save_m2m()
        action, text, params = describe(obj)
        if action == "note":  # a note is itself the activity line: audit only
            audit.record("problem.note", request=request, object_type="problem", object_id=problem.pk, params=params)
        else:
            record_change(request, problem, action, text, params)
    return _back(problem, anchor)


@require_POST
@problem_view(work=True)
def add_triangle(request, problem):
    return _save(
        request,
        problem,
        TriangleForm(request.POST),
        "analysis",
        lambda e: ("triangle.add", f"Triangle: {e.get_side_display()} added", {"entry": e.pk}),
        problem=problem,
        created_by=request.user,
    )


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
    return _save(
        request,
        problem,
        HypothesisForm(request.POST),
        "analysis",
        lambda h: ("hypothesis.add", f"Hypothesis added: {h.statement[:100]}", {"hypothesis": h.pk}),
        problem=problem,
        created_by=request.user,
    )


@require_POST
@problem_view(work=True)
def edit_hypothesis(request, problem, hypothesis_id: int):
    h = get_object_or_404(Hypothesis, pk=hypothesis_id, problem=problem)
    return _save(
        request,
        problem,
        HypothesisForm(request.POST, instance=h),
        "analysis",
        lambda h: (
            "hypothesis.edit",
            f"Hypothesis {h.get_status_display().lower()}: {h.statement[:100]}",
            {"hypothesis": h.pk, "status": h.status},
        ),
    )


@require_POST
@problem_view(work=True)
def add_note(request, problem):
    return _save(
        request,
        problem,
        ActivityForm(request.POST),
        "activity",
        lambda n: ("note", n.text, {"activity": n.pk, "kind": n.kind}),
        problem=problem,
        user=request.user,
    )


@require_POST
@problem_view(work=True)
def add_partner(request, problem):
    form = ProblemPartnerForm(request.POST)
    if (
        form.is_valid()
        and ProblemPartner.objects.filter(problem=problem, partner=form.cleaned_data["partner"]).exists()
    ):
        form.add_error("partner", "is already on this problem")
    return _save(
        request,
        problem,
        form,
        "response",
        lambda link: ("partner.add", f"Partner joined: {link.partner.name}", {"partner": link.partner_id}),
        problem=problem,
    )


@require_POST
@problem_view(work=True)
def edit_plan(request, problem):
    plan = ResponsePlan.objects.filter(problem=problem).first() or ResponsePlan(problem=problem)
    return _save(
        request,
        problem,
        PlanForm(request.POST, instance=plan),
        "response",
        lambda plan: ("plan.edit", "Response plan updated", {"techniques": plan.techniques}),
    )


@require_POST
@problem_view(work=True)
def add_objective(request, problem):
    return _save(
        request,
        problem,
        ObjectiveForm(request.POST),
        "response",
        lambda o: ("objective.add", f"Objective: {o.text}", {"objective": o.pk}),
        plan=lambda: ResponsePlan.objects.get_or_create(problem=problem)[0],
    )


@require_POST
@problem_view(work=True)
def add_task(request, problem):
    form = TaskForm(request.POST)
    done = form.is_valid() and form.cleaned_data["status"] == Task.Status.DONE
    return _save(
        request,
        problem,
        form,
        "response",
        lambda t: ("task.add", f"Task: {t.title}", {"task": t.pk}),
        problem=problem,
        completed_at=timezone.now() if done else None,
    )


@require_POST
@problem_view(work=True)
def update_task(request, problem, task_id: int):
    task = get_object_or_404(Task, pk=task_id, problem=problem)
    form = TaskStatusForm(request.POST, instance=task)
    done = form.is_valid() and form.cleaned_data["status"] == Task.Status.DONE
    return _save(
        request,
        problem,
        form,
        "response",
        lambda t: (
            "task.status",
            f"Task {t.get_status_display().lower()}: {t.title}",
            {"task": t.pk, "status": t.status},
        ),
        completed_at=timezone.now() if done else None,
    )


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
