"""The problem list, a problem's page with its SARA sections, creating, editing, assigning."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse

from copps.accounts import audit
from copps.accounts.permissions import staff_required
from copps.problems import checklist, hotspot_workspace
from copps.problems.changes import record_change
from copps.problems.forms import (
    ActivityForm,
    AnalysisRunForm,
    AssignForm,
    EventLinkForm,
    ExternalLinkForm,
    HypothesisForm,
    ObjectiveForm,
    PlanForm,
    ProblemForm,
    ProblemPartnerForm,
    RequestLinkForm,
    StageRequestForm,
    TaskForm,
    TipLinkForm,
    TriangleForm,
)
from copps.problems.models import STAGE_ORDER, Problem, Stage, StageChange
from copps.problems.permissions import (
    can_analyse,
    can_assign,
    can_create,
    can_work,
    deny,
    their_problems,
)
from copps.problems.views.common import problem_view

__all__ = ["problem_list", "problem_new", "problem_detail", "problem_edit", "problem_assign"]

EVENTS_SHOWN = 50


@staff_required
def problem_list(request):
    stage = request.GET.get("stage", "")
    qs = (
        Problem.objects.select_related("owner")
        .annotate(open_tasks=Count("tasks", filter=~Q(tasks__status__in=["done", "dropped"])))
        .order_by("-opened_at", "-id")
    )
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    elif stage != "all":
        qs = qs.open()
    if request.GET.get("mine"):
        qs = their_problems(request.user, qs)
    pending = StageChange.objects.filter(status=StageChange.Status.PENDING).count() if can_assign(request.user) else 0
    problems = list(qs[:500])
    # Who listed which problems, with what filters: audited before the page is rendered (fail closed).
    audit.record(
        "problem.list",
        request=request,
        object_type="problem",
        params={**request.GET.dict(), "shown": [p.pk for p in problems]},
    )
    return render(
        request,
        "problems/problem_list.html",
        {
            "problems": problems,
            "stage": stage,
            "stages": Stage.choices,
            "mine": bool(request.GET.get("mine")),
            "can_create": can_create(request.user),
            "pending": pending,
        },
    )


@staff_required
def problem_new(request):
    if not can_create(request.user):
        return deny(request, "problem.create", "problem")
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            problem = form.save(commit=False)
            problem.created_by = request.user
            problem.save()
            form.save_m2m()
            record_change(request, problem, "create", f"Problem opened: {problem.title}")
        return redirect("problems:detail", problem.pk)
    return render(request, "problems/problem_form.html", {"form": form, "heading": "New problem", "map": True})


def _stage_targets(problem: Problem) -> list[tuple[str, str]]:
    i = STAGE_ORDER.index(problem.stage)
    labels = dict(Stage.choices)
    targets = []
    if i + 1 < len(STAGE_ORDER):
        targets.append((STAGE_ORDER[i + 1], f"Forward to {labels[STAGE_ORDER[i + 1]]}"))
    targets += [(s, f"Back to {labels[s]}") for s in reversed(STAGE_ORDER[: min(i, len(STAGE_ORDER) - 1)])]
    return targets


@problem_view(work=False)
def problem_detail(request, problem: Problem):
    # The read is audited before anything of the problem is rendered (fail closed).
    audit.record("problem.read", request=request, object_type="problem", object_id=problem.pk)
    p = Problem.objects.with_record().get(pk=problem.pk)
    links = list(p.event_links.select_related("event__category")[:EVENTS_SHOWN])
    sensitive = [link.event_id for link in links if link.event.sensitive]
    if sensitive:
        audit.record_many(
            "event.list", request=request, object_type="event", object_ids=sensitive, params={"problem": p.pk}
        )
    tips = [link.tip_id for link in p.tip_links.all()]
    if tips:  # only the number and topic are shown, but a tip is a sensitive record: say who looked
        audit.record_many("tip.list", request=request, object_type="tip", object_ids=tips, params={"problem": p.pk})
    work = can_work(request.user, p)
    plan = getattr(p, "plan", None)
    pending = next((c for c in p.stage_changes.all() if c.status == StageChange.Status.PENDING), None)
    geo = {"polygon": p.polygon, "areas": [{"name": str(a), "geometry": a.geometry} for a in p.areas.all()]}
    context = {
        "problem": p,
        "links": links,
        "links_total": p.event_links.count(),
        "work": work,
        "plan": plan,
        "can_analyse": can_analyse(request.user),
        "can_assign": can_assign(request.user),
        "checklist": checklist.evaluate(p),
        "pending": pending,
        "geo": geo,
        "activities": p.activities.select_related("user")[:30],
        "stages": STAGE_ORDER,
        "analysis_form": AnalysisRunForm(auto_id="an-%s"),
        "workspace_url": reverse("problems:dashboard") + hotspot_workspace.problem_query(p),
    }
    if work:
        context |= {
            "triangle_form": TriangleForm(),
            "hypothesis_form": HypothesisForm(),
            "note_form": ActivityForm(),
            "partner_form": ProblemPartnerForm(),
            "plan_form": PlanForm(instance=plan),
            "objective_form": ObjectiveForm(),
            "task_form": TaskForm(),
            "event_form": EventLinkForm(),
            "external_form": ExternalLinkForm(),
            "request_form": RequestLinkForm(),
            "tip_form": TipLinkForm(),
            "stage_form": StageRequestForm(targets=_stage_targets(p)) if not pending else None,
        }
    return render(request, "problems/problem_detail.html", context)


@problem_view(work=True)
def problem_edit(request, problem: Problem):
    form = ProblemForm(request.POST or None, instance=problem)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record_change(request, problem, "edit", "Problem details edited", {"fields": form.changed_data})
        return redirect("problems:detail", problem.pk)
    return render(
        request,
        "problems/problem_form.html",
        {"form": form, "heading": f"Edit: {problem.title}", "problem": problem, "map": True},
    )


@problem_view(work=False)
def problem_assign(request, problem: Problem):
    if not can_assign(request.user):
        return deny(request, "problem.assign", "problem", problem.pk)
    form = AssignForm(request.POST or None, instance=problem)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            names = ", ".join(u.get_username() for u in form.cleaned_data["officers"])
            owner = form.cleaned_data["owner"]
            record_change(
                request,
                problem,
                "assign",
                f"Assigned: owner {owner.get_username() if owner else 'none'}; officers {names or 'none'}",
                {"owner": owner.pk if owner else None, "officers": [u.pk for u in form.cleaned_data["officers"]]},
            )
        messages.success(request, "Assignment saved.")
        return redirect("problems:detail", problem.pk)
    return render(
        request, "problems/problem_form.html", {"form": form, "heading": f"Assign: {problem.title}", "problem": problem}
    )
