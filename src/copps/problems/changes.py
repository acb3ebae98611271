"""Recording a change to a problem: one audit row (accounts.audit) and one line in the
problem's activity log, written together in the caller's transaction."""

from __future__ import annotations

from django.http import HttpRequest

from copps.accounts import audit
from copps.problems.models import Activity, Problem

__all__ = ["record_change"]


def record_change(
    request: HttpRequest | None, problem: Problem, action: str, text: str, params: dict | None = None, user=None
) -> None:
    """Audit ``problem.<action>`` and log ``text`` in the problem's activity.

    From a view pass the ``request``; from a command pass ``user`` (who the change is made as).
    """
    user = user if user is not None else (request.user if request is not None else None)
    audit.record(
        f"problem.{action}",
        request=request,
        user=user,
        object_type="problem",
        object_id=problem.pk,
        params=params or {},
    )
    Activity.objects.create(problem=problem, user=user, kind=Activity.Kind.CHANGE, text=text)
