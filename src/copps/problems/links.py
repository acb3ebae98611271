"""What problems offer the community room: the open problems a request or tip may be linked to."""

from __future__ import annotations

from copps.problems.models import Problem

__all__ = ["open_problem_choices"]


def open_problem_choices(limit: int) -> list[tuple[int, str]]:
    """``(pk, title)`` of the ``limit`` most recently updated open problems."""
    return list(Problem.objects.open().order_by("-updated_at", "-id").values_list("pk", "title")[:limit])
