"""Each person's day: what an officer has to do ("My work") and what waits for a supervisor
("Waiting for me"). These are the domain's questions, asked once here; the pages only show them.

An officer's problems are the open ones they may work (owned, assigned, or on their beat:
:func:`copps.problems.permissions.their_problems`), each with its next gate — the checklist of
the stage it is in (:mod:`copps.problems.checklist`) and any move waiting for a supervisor.
Their tasks are the open tasks they own on open problems; a task is overdue when its due day
is before today in the site's time zone. Requests routed to them are the community requests
triage gave them (``assigned_to``) that are not closed. The DDACTS zones to patrol are the
active zones of their problems or over their beats. Their near-repeat prevention tasks are the
planned door-knocks and revisits of the open prevention windows on their beat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, Prefetch
from django.db.models.functions import Coalesce
from django.utils import timezone

from copps.community.models import ServiceRequest, Tip
from copps.community.states import CLOSED_STATES
from copps.config import setting_int
from copps.problems import checklist
from copps.problems.models import (
    STAGE_ORDER,
    DdactsZone,
    PreventionTask,
    PreventionWindow,
    Problem,
    Stage,
    StageChange,
    Task,
)
from copps.problems.permissions import beats_of, overlaps_beats, their_problems

__all__ = [
    "Gate",
    "OfficerDay",
    "officer_day",
    "pending_changes",
    "quiet_days",
    "quiet_problems",
    "waiting_count",
]

OPEN_TASK = [Task.Status.PLANNED, Task.Status.IN_PROGRESS]


@dataclass(frozen=True)
class Gate:
    """Where a problem stands: its stage, the stage after it, the checklist for leaving, and the
    move waiting for a supervisor (if one is)."""

    problem: Problem
    next_stage: str  # the label of the next stage ("" when closed)
    items: list[dict]
    pending: StageChange | None

    @property
    def unmet(self) -> list[str]:
        return [i["label"] for i in self.items if not i["met"]]

    @property
    def met(self) -> int:
        return sum(1 for i in self.items if i["met"])


@dataclass(frozen=True)
class OfficerDay:
    problems: list[Gate] = field(default_factory=list)
    overdue: list[Task] = field(default_factory=list)
    due: list[Task] = field(default_factory=list)
    requests: list = field(default_factory=list)
    tips: int = 0
    zones: list[DdactsZone] = field(default_factory=list)
    prevention: list[PreventionTask] = field(default_factory=list)
    today: date | None = None


def _gate(problem: Problem) -> Gate:
    index = STAGE_ORDER.index(problem.stage)
    following = Stage(STAGE_ORDER[index + 1]).label if index + 1 < len(STAGE_ORDER) else ""
    pending = next(iter(problem.pending_changes), None)
    # one small query per checklist item: an officer works a handful of problems, not hundreds
    return Gate(problem, following, checklist.evaluate(problem), pending)


def officer_day(user, today: date | None = None) -> OfficerDay:
    """Everything ``user`` has to do, for the "My work" page."""
    today = today or timezone.localdate()
    pending = Prefetch(
        "stage_changes",
        queryset=StageChange.objects.filter(status=StageChange.Status.PENDING),
        to_attr="pending_changes",
    )
    problems = list(
        their_problems(user, Problem.objects.open()).prefetch_related(pending).order_by("stage_entered_at", "id")
    )
    tasks = list(
        Task.objects.filter(owner=user, status__in=OPEN_TASK)
        .exclude(problem__stage=Stage.CLOSED)
        .select_related("problem")
        .order_by(Coalesce("due", date.max), "id")
    )
    requests = list(
        ServiceRequest.objects.filter(assigned_to=user)
        .exclude(state__in=CLOSED_STATES)
        .select_related("service", "beat")
        .order_by("requested_at", "id")
    )
    tips = Tip.objects.filter(assigned_to=user).exclude(state=Tip.State.CLOSED).count()
    return OfficerDay(
        problems=[_gate(p) for p in problems],
        overdue=[t for t in tasks if t.due and t.due < today],
        due=[t for t in tasks if not (t.due and t.due < today)],
        requests=requests,
        tips=tips,
        zones=_zones(user, [p.pk for p in problems]),
        prevention=list(
            PreventionTask.objects.filter(
                owner=user, status=PreventionTask.Status.PLANNED, window__status=PreventionWindow.Status.OPEN
            )
            .select_related("window__category", "window__beat")
            .order_by("due", "id")
        ),
        today=today,
    )


def _zones(user, problem_ids: list[int]) -> list[DdactsZone]:
    """Active DDACTS zones of ``user``'s problems or over one of their beats."""
    beats = beats_of(user)
    zones = DdactsZone.objects.filter(active=True).select_related("problem").order_by("name", "id")
    return [z for z in zones if z.problem_id in problem_ids or overlaps_beats(z.polygon, beats)]


def pending_changes():
    """Stage changes waiting for a decision, oldest first. A supervisor's own requests among them
    are for another supervisor (:func:`copps.problems.permissions.can_decide`)."""
    return (
        StageChange.objects.filter(status=StageChange.Status.PENDING)
        .select_related("problem", "requested_by")
        .order_by("requested_at", "id")
    )


def waiting_count(user) -> int:
    """How many stage changes ``user`` may decide now (the menu's badge)."""
    return pending_changes().exclude(requested_by=user).count()


def quiet_days() -> int:
    """``COPPS_PROBLEMS_QUIET_DAYS``: an open problem with no activity for this many days is
    listed for its supervisor."""
    return setting_int("COPPS_PROBLEMS_QUIET_DAYS", low=1)


def quiet_problems(days: int | None = None, now=None) -> list[Problem]:
    """Open problems with no line in their activity log (a note, a contact, a visit or any
    change copps records) for ``days`` days, quietest first; ``last_activity`` on each."""
    days = days or quiet_days()
    now = now or timezone.now()
    return list(
        Problem.objects.open()
        .select_related("owner")
        .annotate(last_activity=Coalesce(Max("activities__at"), "opened_at"))
        .filter(last_activity__lt=now - timedelta(days=days))
        .order_by("last_activity", "id")
    )
