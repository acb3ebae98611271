"""Who may do what in the problem-solving workspace. Views ask these functions only.

- every member of department staff (officer, analyst, supervisor, admin) may read problems;
- officers change the problems they own or are assigned to, and those on a beat they are
  actively assigned to (a chosen area of the problem, or a beat its drawn polygon overlaps):
  the beat officer works the beat's problems, an officer of another beat only reads them;
  analysts, supervisors and administrators may work on any problem;
- analysts (and administrators) run scans, promote or dismiss candidates and run assessments;
- supervisors (and administrators) assign officers and decide stage changes, never their own;
- everyone else (residents, auditors, anonymous) gets a bare 403 or the sign-in page.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q
from shapely import make_valid
from shapely.geometry import shape

from copps.accounts.models import Role
from copps.accounts.permissions import deny

__all__ = [
    "ANALYSE_WHO",
    "ASSIGN_WHO",
    "CREATE_WHO",
    "WORK_WHO",
    "can_analyse",
    "can_assign",
    "can_create",
    "can_decide",
    "can_work",
    "beats_of",
    "deny",
    "on_their_beat",
    "overlaps_beats",
    "their_problems",
]

# Who may, in words, for the 403 page (copps.accounts.permissions.deny's ``who``).
ANALYSE_WHO = "crime analysts and administrators"
ASSIGN_WHO = "supervisors and administrators"
CREATE_WHO = "crime analysts, supervisors and administrators"
WORK_WHO = (
    "the problem's owner and assigned officers, the officers of its beat, crime analysts, supervisors and "
    "administrators"
)

ANALYSE = frozenset({Role.ANALYST, Role.ADMIN})
ASSIGN = frozenset({Role.SUPERVISOR, Role.ADMIN})
CREATE = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})
WORK_ANY = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})


def _staff(user) -> bool:
    return bool(getattr(user, "is_department_staff", False))


def can_work(user, problem) -> bool:
    """Add notes, tasks, triangle entries, partners, plan; request stage changes."""
    if not _staff(user):
        return False
    return user.role in WORK_ANY or problem.is_assigned_to(user) or on_their_beat(user, problem)


def beats_of(user) -> list:
    """The beats ``user`` is actively assigned to, as ``Area`` rows."""
    assignments = apps.get_model("engagement", "BeatAssignment").objects.filter(
        officer_id=user.pk, active=True, beat__type="beat"
    )
    return [a.beat for a in assignments.select_related("beat")]


def on_their_beat(user, problem) -> bool:
    """Whether ``problem`` lies on a beat ``user`` is assigned to: one of its chosen areas is that
    beat, or its drawn polygon overlaps the beat's (touching at an edge is not overlapping)."""
    beats = beats_of(user)
    if not beats:
        return False
    ids = {b.pk for b in beats}
    if any(a.pk in ids for a in problem.areas.all()):
        return True
    return overlaps_beats(problem.polygon, beats)


def overlaps_beats(polygon: dict | None, beats: list) -> bool:
    if not polygon:
        return False
    drawn = make_valid(shape(polygon))
    return any(drawn.intersection(make_valid(shape(b.geometry))).area > 0 for b in beats if b.geometry)


def can_analyse(user) -> bool:
    return _staff(user) and user.role in ANALYSE


def can_assign(user) -> bool:
    return _staff(user) and user.role in ASSIGN


def can_create(user) -> bool:
    return _staff(user) and user.role in CREATE


def can_decide(user, change) -> bool:
    return _staff(user) and user.role in ASSIGN and change.requested_by_id != user.pk


def their_problems(user, queryset):
    """``queryset`` narrowed to the problems ``user`` may work as an officer: owned, assigned,
    or on one of their beats (the "Mine" filter of the list)."""
    mine = Q(owner=user) | Q(officers=user)
    beats = beats_of(user)
    if beats:
        mine |= Q(areas__in=[b.pk for b in beats])
        # a drawn polygon is matched in Python: problems are hundreds, not millions
        drawn = queryset.model.objects.filter(polygon__isnull=False).only("pk", "polygon")
        mine |= Q(pk__in=[p.pk for p in drawn if overlaps_beats(p.polygon, beats)])
    # by id, so that the joins of the test do not multiply the list's annotated counts
    return queryset.filter(pk__in=queryset.model.objects.filter(mine).values("pk"))

