"""Moving a problem through SARA, the one way every caller does it (views, the demo, any job).

A move is asked for (:func:`request_move`) and then decided by a supervisor (:func:`decide`).
Moving forward needs the current stage's checklist met, when asked and again when approved; a
request is approved only while the problem still stands where it stood when asked. Each step
writes one audit row and one activity line (:func:`copps.problems.changes.record_change`) in the
transaction that makes the change. Who may ask and who may decide is the caller's check
(:mod:`copps.problems.permissions`): the view answers 403, a command acts as a named user.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from copps.problems import checklist
from copps.problems.changes import record_change
from copps.problems.models import STAGE_ORDER, Problem, Stage, StageChange

__all__ = [
    "StageError",
    "ChecklistNotMet",
    "AlreadyPending",
    "CannotApprove",
    "is_forward",
    "request_move",
    "missing_for",
    "decide",
    "response_started",
]


class StageError(Exception):
    """A move that cannot be made; the message says why, in words for the page."""


class ChecklistNotMet(StageError):
    def __init__(self, missing: list[str]):
        super().__init__("The checklist is not met yet: " + "; ".join(missing))
        self.missing = missing


class AlreadyPending(StageError):
    def __init__(self):
        super().__init__("A stage change is already waiting for a supervisor.")


class CannotApprove(StageError):
    pass


def response_started(problem: Problem):
    """The local day the problem's response began: its latest approved move into Response (None
    before it got there). Reads ``problem.stage_changes.all()``, so a prefetch serves it."""
    started = [
        c.decided_at
        for c in problem.stage_changes.all()
        if c.status == StageChange.Status.APPROVED and c.to_stage == Stage.RESPONSE and c.decided_at
    ]
    return timezone.localtime(max(started)).date() if started else None


def is_forward(from_stage: str, to_stage: str) -> bool:
    return STAGE_ORDER.index(to_stage) > STAGE_ORDER.index(from_stage)


def request_move(
    problem: Problem, to_stage: str, *, by, note: str = "", request: HttpRequest | None = None
) -> StageChange:
    """Ask to move ``problem`` to ``to_stage`` as user ``by``; the pending request.

    Raises :class:`ChecklistNotMet` (and records the refusal) for a forward move whose checklist
    is not met, :class:`AlreadyPending` when a request already waits."""
    items = checklist.evaluate(problem)
    missing = [i["label"] for i in items if not i["met"]]
    if is_forward(problem.stage, to_stage) and missing:
        record_change(
            request,
            problem,
            "stage.refused",
            f"Move to {Stage(to_stage).label} refused: checklist not met",
            {"missing": missing},
            user=by,
        )
        raise ChecklistNotMet(missing)
    try:
        with transaction.atomic():
            change = StageChange.objects.create(
                problem=problem,
                from_stage=problem.stage,
                to_stage=to_stage,
                requested_by=by,
                note=note,
                checklist=items,
            )
            record_change(
                request,
                problem,
                "stage.request",
                f"Asked to move from {Stage(problem.stage).label} to {Stage(to_stage).label}",
                {"change": change.pk, "to": to_stage},
                user=by,
            )
    except IntegrityError:
        raise AlreadyPending() from None
    return change


def missing_for(change: StageChange) -> tuple[list[dict], list[str]]:
    """The checklist of the stage the change leaves, and the labels of its unmet items."""
    items = checklist.evaluate(change.problem, change.from_stage)
    return items, [i["label"] for i in items if not i["met"]]


def decide(
    change: StageChange, *, by, approve: bool, note: str = "", request: HttpRequest | None = None
) -> StageChange:
    """Approve or refuse a pending ``change`` as supervisor ``by``; on approval the problem moves
    (and is closed, with ``closed_at``, when it moves to the closed stage).

    Raises :class:`CannotApprove` when the change is no longer pending, when a forward move's
    checklist is no longer met, or when the problem has moved since the request."""
    problem = change.problem
    if change.status != StageChange.Status.PENDING:
        raise CannotApprove("This stage change has been decided already.")
    if approve:
        _, missing = missing_for(change)
        if is_forward(change.from_stage, change.to_stage) and missing:
            raise CannotApprove("The checklist is no longer met; it cannot be approved.")
        if problem.stage != change.from_stage:
            raise CannotApprove("The problem has moved since this request; refuse it.")
    now = timezone.now()
    with transaction.atomic():
        change.status = StageChange.Status.APPROVED if approve else StageChange.Status.REFUSED
        change.approved_by, change.decided_at = by, now
        change.decision_note = note
        change.save()
        if approve:
            problem.stage, problem.stage_entered_at = change.to_stage, now
            problem.closed_at = now if change.to_stage == Stage.CLOSED else None
            problem.save(update_fields=["stage", "stage_entered_at", "closed_at", "updated_at"])
        verb = "approved" if approve else "refused"
        record_change(
            request,
            problem,
            f"stage.{verb}",
            f"Move to {Stage(change.to_stage).label} {verb} by {by.get_username()}",
            {"change": change.pk, "to": change.to_stage},
            user=by,
        )
    return change
