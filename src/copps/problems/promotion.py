"""Promoting a candidate to a problem: the one way it is done, by the view and by the demo."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from shapely.geometry import shape

from copps.accounts import audit
from copps.problems.changes import record_change
from copps.problems.models import Candidate, Problem, ProblemType, SavedAnalysis

__all__ = ["PROBLEM_TYPE", "AlreadyDecided", "promote"]

PROBLEM_TYPE = {
    Candidate.Kind.HOT_SPOT: ProblemType.HOT_SPOT,
    Candidate.Kind.RISKY_PLACE: ProblemType.RISKY_FACILITY,
    Candidate.Kind.NEAR_REPEAT: ProblemType.NEAR_REPEAT,
    Candidate.Kind.COLLISION_CORRIDOR: ProblemType.TRAFFIC,
    Candidate.Kind.REQUEST_CLUSTER: ProblemType.DISORDER,
}


class AlreadyDecided(Exception):
    """The candidate was promoted or dismissed already."""


def promote(candidate_id: int, user, request: HttpRequest | None = None) -> Problem:
    """Open a problem in Scanning from an open candidate: its title, its geometry as the problem's
    polygon, and its evidence and parameters as a saved analysis."""
    with transaction.atomic():
        c = Candidate.objects.select_for_update().get(pk=candidate_id)
        if c.status != Candidate.Status.OPEN:
            raise AlreadyDecided(c.get_status_display())
        polygon = c.geometry if shape(c.geometry).geom_type in ("Polygon", "MultiPolygon") else None
        problem = Problem.objects.create(
            title=c.title[:200], problem_type=PROBLEM_TYPE[c.kind], polygon=polygon, created_by=user
        )
        SavedAnalysis.objects.create(
            problem=problem,
            kind=SavedAnalysis.Kind.CANDIDATE,
            title=f"Scanning: {c.title}"[:200],
            parameters=c.parameters,
            result=c.evidence,
            created_by=user,
        )
        c.status, c.problem, c.decided_by, c.decided_at = Candidate.Status.PROMOTED, problem, user, timezone.now()
        c.save()
        audit.record(
            "candidate.promote",
            request=request,
            user=user,
            object_type="candidate",
            object_id=c.pk,
            params={"problem": problem.pk},
        )
        record_change(
            request,
            problem,
            "create",
            f"Problem opened from candidate {c.pk}: {c.title}",
            {"candidate": c.pk},
            user=user,
        )
    return problem
