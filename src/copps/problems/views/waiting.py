"""A supervisor's "Waiting for me": the stage changes waiting for a decision, each with its
checklist as it stood when asked, approved or refused several at once from the one list, and the open
problems that have gone quiet. Every decision is :func:`copps.problems.stages.decide` (audited
there); a change the supervisor may not decide (their own request) is refused and audited."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from copps.accounts.permissions import record_denial, staff_required
from copps.problems import stages
from copps.problems.forms import BulkDecisionForm
from copps.problems.permissions import ASSIGN_WHO, can_assign, can_decide, deny
from copps.problems.work import pending_changes, quiet_days, quiet_problems

__all__ = ["waiting"]


@require_http_methods(["GET", "POST"])
@staff_required
def waiting(request):
    if not can_assign(request.user):
        return deny(request, "stage.queue", who=ASSIGN_WHO)
    pending = pending_changes()
    form = BulkDecisionForm(request.POST or None, pending=pending)
    if request.method == "POST" and form.is_valid():
        _decide_all(request, form.cleaned_data)
        return redirect("problems:waiting")
    # the checklist as it stood when asked (kept on the request): the list costs the same few
    # queries however many wait; approving checks it again (stages.decide), and a change's own
    # page shows it as it is now
    rows = [
        (change, items, [i["label"] for i in items if not i["met"]], can_decide(request.user, change))
        for change in pending
        for items in [change.checklist]
    ]
    return render(
        request,
        "problems/waiting.html",
        {
            "form": form,
            "rows": rows,
            "quiet": quiet_problems(),
            "quiet_days": quiet_days(),
        },
        status=400 if form.is_bound else 200,
    )


def _decide_all(request, data: dict) -> None:
    """Each ticked change through the one stage service; what could not be decided is said."""
    approve = data["decision"] == "approve"
    done = 0
    for change in data["changes"]:
        if not can_decide(request.user, change):
            record_denial(request, "problem.stage.decide", "problem", change.problem_id, {"change": change.pk})
            messages.error(request, f"“{change.problem.title}”: your own request is for another supervisor.")
            continue
        try:
            stages.decide(change, by=request.user, approve=approve, note=data["note"].strip(), request=request)
        except stages.CannotApprove as exc:
            messages.error(request, f"“{change.problem.title}”: {exc}")
        else:
            done += 1
    if done:
        verb = "approved" if approve else "refused"
        messages.success(request, f"{done} stage change{'s' if done != 1 else ''} {verb}.")
