"""Near-repeat prevention pages: the windows copps opened (``copps prevention scan``), one window
with what its radius and days rest on, its tasks and its outcome, and marking a task done (from
"My work", on a phone). Department staff read them; a task is done by its owner, or by an analyst,
a supervisor or an administrator. Every read and every change is audited."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from copps.accounts import audit
from copps.accounts.permissions import deny, staff_required
from copps.problems.models import PreventionTask, PreventionWindow
from copps.problems.permissions import WORK_ANY
from copps.problems.prevention import human_category

__all__ = ["prevention_list", "prevention_detail", "prevention_task_done"]

TASK_WHO = "the task's officer, crime analysts, supervisors and administrators"


@require_GET
@staff_required
def prevention_list(request):
    windows = list(
        PreventionWindow.objects.select_related("category", "beat", "zone", "officer")
        .order_by("-status", "-starts", "-id")[:200]
    )
    audit.record("prevention.list", request=request, object_type="prevention_window",
                 params={"windows": [w.pk for w in windows]})
    return render(request, "problems/prevention_list.html", {"windows": windows})


@require_GET
@staff_required
def prevention_detail(request, pk: int):
    from copps.geo.gazetteer.models import AddressPoint

    window = get_object_or_404(
        PreventionWindow.objects.select_related("category", "beat", "zone", "officer", "source"), pk=pk
    )
    audit.record("prevention.read", request=request, object_type="prevention_window", object_id=window.pk)
    return render(request, "problems/prevention_detail.html", {
        "w": window,
        "tasks": list(window.tasks.select_related("owner", "done_by")),
        "k": window.knox,
        "o": window.outcome,
        "what": human_category(window.category.code),
        "addresses_loaded": AddressPoint.objects.exists(),
        "today": timezone.localdate(),
    })


def _next(request) -> str:
    """Back where the officer was (a path on this site only), else "My work"."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("problems:my_work")


@require_POST
@staff_required
def prevention_task_done(request, pk: int):
    task = get_object_or_404(PreventionTask.objects.select_related("window"), pk=pk)
    if not (task.owner_id == request.user.pk or request.user.role in WORK_ANY):
        return deny(request, "prevention.task_done", "prevention_task", task.pk, who=TASK_WHO,
                    why="This prevention task is another officer's.")
    if task.status != PreventionTask.Status.DONE:
        task.status = PreventionTask.Status.DONE
        task.done_at = timezone.now()
        task.done_by = request.user
        task.save(update_fields=["status", "done_at", "done_by"])
        audit.record("prevention.task_done", request=request, object_type="prevention_task", object_id=task.pk,
                     params={"window": task.window_id, "kind": task.kind})
    return HttpResponseRedirect(_next(request))
