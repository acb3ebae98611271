"""Promoting a candidate to a problem: the one way it is done, by the view and by the demo."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from shapely.geometry import shape

from copps.accounts import audit
from copps.incidents.models import Event, OffenseCategory
from copps.problems.changes import record_change
from copps.problems.models import Candidate, EventLink, Problem, ProblemType, SavedAnalysis

__all__ = ["PROBLEM_TYPE", "CATEGORY_KEYS", "EVENTS_LINKED", "AlreadyDecided", "candidate_categories", "promote"]

PROBLEM_TYPE = {
    Candidate.Kind.HOT_SPOT: ProblemType.HOT_SPOT,
    Candidate.Kind.RISKY_PLACE: ProblemType.RISKY_FACILITY,
    Candidate.Kind.NEAR_REPEAT: ProblemType.NEAR_REPEAT,
    Candidate.Kind.COLLISION_CORRIDOR: ProblemType.TRAFFIC,
    Candidate.Kind.REQUEST_CLUSTER: ProblemType.DISORDER,
}


#: the evidence lists of ``[category code, events]`` each scanner keeps (request clusters keep
#: services, which are not offence categories: their problem's categories stay for the analyst)
CATEGORY_KEYS = ("top_categories", "categories", "severity")
#: at most this many of a candidate's own events are linked to the new problem as evidence
EVENTS_LINKED = 500


def candidate_categories(c: Candidate) -> list[str]:
    """The offence categories the candidate's evidence names (codes), commonest first: those of
    its events, and for a near-repeat wave the categories its scan read."""
    codes: list[str] = []
    for key in CATEGORY_KEYS:
        for pair in c.evidence.get(key) or []:
            if isinstance(pair, list | tuple) and pair and pair[0] not in codes:
                codes.append(str(pair[0]))
    for code in (c.parameters or {}).get("categories") or []:
        if code not in codes:
            codes.append(str(code))
    return codes


def _summary(c: Candidate) -> str:
    """The candidate's finding in plain words, for the new problem's summary (the analyst edits it)."""
    ev = c.evidence
    when = f" from {ev['first_day']} to {ev['last_day']}" if ev.get("first_day") and ev.get("last_day") else ""
    return (
        f"Proposed by scanning ({c.get_kind_display().lower()}): {c.title}{when}. "
        "Check this summary and say in plain words what happens, where, to whom and since when."
    )


class AlreadyDecided(Exception):
    """The candidate was promoted or dismissed already."""


def promote(candidate_id: int, user, request: HttpRequest | None = None) -> Problem:
    """Open a problem in Scanning from an open candidate: its title, a summary of its finding, its
    geometry as the problem's polygon, the offence categories its events fall in, its own events
    (when it lists them) as linked evidence, and its evidence and parameters as a saved analysis;
    so the Scanning gate is met wherever the candidate answers it (the owner stays a supervisor's
    choice)."""
    with transaction.atomic():
        c = Candidate.objects.select_for_update().get(pk=candidate_id)
        if c.status != Candidate.Status.OPEN:
            raise AlreadyDecided(c.get_status_display())
        polygon = c.geometry if shape(c.geometry).geom_type in ("Polygon", "MultiPolygon") else None
        problem = Problem.objects.create(
            title=c.title[:200],
            summary=_summary(c),
            problem_type=PROBLEM_TYPE[c.kind],
            polygon=polygon,
            created_by=user,
        )
        codes = candidate_categories(c)
        known = {o.code: o for o in OffenseCategory.objects.filter(code__in=codes)}
        problem.categories.set([known[code] for code in codes if code in known])
        listed = [int(i) for i in (c.evidence.get("event_ids") or [])[:EVENTS_LINKED]]
        # an event re-imported away since the scan is left out, never linked as a dangling number
        event_ids = sorted(Event.objects.filter(pk__in=listed).values_list("pk", flat=True))
        EventLink.objects.bulk_create(
            [EventLink(problem=problem, event_id=i, added_by=user, note=f"from candidate {c.pk}") for i in event_ids]
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
            {"candidate": c.pk, "categories": sorted(known), "events_linked": len(event_ids)},
            user=user,
        )
    return problem
