"""Who may do what in the problem-solving workspace. Views ask these functions only.

- every member of department staff (officer, analyst, supervisor, admin) may read problems;
- officers change only the problems they own or are assigned to; analysts, supervisors and
  administrators may work on any problem;
- analysts (and administrators) run scans, promote or dismiss candidates and run assessments;
- supervisors (and administrators) assign officers and decide stage changes, never their own;
- everyone else (residents, auditors, anonymous) gets a bare 403 or the sign-in page.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest

from copps.accounts.models import Role
from copps.accounts.permissions import deny, deny_path

__all__ = [
    "can_analyse",
    "can_assign",
    "can_create",
    "can_decide",
    "can_work",
    "deny",
    "staff_only",
]

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
    return user.role in WORK_ANY or problem.is_assigned_to(user)


def can_analyse(user) -> bool:
    return _staff(user) and user.role in ANALYSE


def can_assign(user) -> bool:
    return _staff(user) and user.role in ASSIGN


def can_create(user) -> bool:
    return _staff(user) and user.role in CREATE


def can_decide(user, change) -> bool:
    return _staff(user) and user.role in ASSIGN and change.requested_by_id != user.pk


def staff_only(view):
    """Department staff only: anonymous users go to sign-in, others get a bare 403 (audited)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not _staff(request.user):
            return deny_path(request, "problems.access")
        return view(request, *args, **kwargs)

    return wrapper
