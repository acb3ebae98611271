"""What the workspace views share: loading a problem for reading or for work."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import get_object_or_404

from copps.accounts.permissions import staff_required
from copps.problems.models import Problem
from copps.problems.permissions import WORK_WHO, can_work, deny

__all__ = ["problem_view"]


def problem_view(*, work: bool):
    """Load ``pk`` as ``problem``; with ``work``, refuse (403, audited) users who may not change it."""

    def decorate(view):
        @staff_required
        @wraps(view)
        def wrapper(request, pk: int, *args, **kwargs):
            problem = get_object_or_404(Problem.objects.select_related("owner").prefetch_related("officers"), pk=pk)
            if work and not can_work(request.user, problem):
                return deny(
                    request,
                    f"problem.{view.__name__}",
                    "problem",
                    problem.pk,
                    who=WORK_WHO,
                    why="This problem is not yours to change: it is neither assigned to you nor on your beat.",
                )
            return view(request, problem, *args, **kwargs)

        return wrapper

    return decorate
