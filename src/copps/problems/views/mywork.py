"""An officer's "My work": their problems with the next gate, their tasks due and overdue, the
community requests routed to them and the DDACTS zones to patrol — one page, made for a phone.
Every member of staff has one (it lists what is theirs); it is the officers' starting page."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from copps.accounts import audit
from copps.accounts.permissions import staff_required
from copps.problems.work import officer_day

__all__ = ["my_work"]


@require_GET
@staff_required
def my_work(request):
    day = officer_day(request.user)
    # What was listed to whom: audited before the page is rendered (fail closed), as the lists are.
    audit.record(
        "problem.my_work",
        request=request,
        object_type="problem",
        params={
            "problems": [g.problem.pk for g in day.problems],
            "tasks": [t.pk for t in day.overdue + day.due],
            "requests": [r.public_id for r in day.requests],
            "zones": [z.pk for z in day.zones],
            "prevention_tasks": [t.pk for t in day.prevention],
        },
    )
    return render(request, "problems/my_work.html", {"day": day})
