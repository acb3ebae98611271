"""Failed sign-ins: staff accounts lock after 5 failures in 15 minutes until an administrator
releases them; everyone else (residents, and names that match no account, so that the two
cannot be told apart) waits longer after each failure, but is never locked out for good.

Failures are counted from the audit log, which records every one of them anyway. A staff
account's attempts are checked one at a time (``attempt_slot``): checked side by side, six
simultaneous wrong passwords all passed the "not locked yet" test before any was counted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from copps.accounts.models import AuditLog, User

__all__ = [
    "STAFF_MAX_FAILURES", "STAFF_WINDOW", "PUBLIC_FREE_FAILURES", "PUBLIC_MAX_DELAY",
    "Verdict", "audit_name", "attempt_slot", "before_attempt", "after_failure", "public_delay",
]

STAFF_MAX_FAILURES = 5
STAFF_WINDOW = timedelta(minutes=15)
PUBLIC_WINDOW = timedelta(hours=24)
PUBLIC_FREE_FAILURES = 3
PUBLIC_FIRST_DELAY = timedelta(seconds=15)
PUBLIC_MAX_DELAY = timedelta(minutes=15)

FAILED = "login.failed"
RESETS = ("login.success", "account.unlock")


def audit_name(username: str, user: User | None) -> str:
    """The name a sign-in attempt is recorded (and counted) under. A name that matches no account
    is often a password typed into the wrong box, so only a digest of it is kept."""
    if user is not None:
        return user.get_username()
    return "unknown:" + hashlib.sha256(username.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""  # for the audit row only, never shown to the person signing in


def _failures_since(username: str, user: User | None, since: datetime) -> list[datetime]:
    """Times of failures for ``username`` after ``since`` and after the account's last sign-in
    or release of its lock, newest first."""
    reset = None
    if user is not None:
        reset = (
            AuditLog.objects.filter(object_type="user", object_id=str(user.pk), action__in=RESETS,
                                    at__gte=since)
            .order_by("-at").values_list("at", flat=True).first()
        )
    return list(
        AuditLog.objects.filter(username=username, action=FAILED, at__gt=reset or since)
        .order_by("-at").values_list("at", flat=True)
    )


def public_delay(failures: int) -> timedelta:
    """How long to wait after the latest failure: nothing for the first few, then doubling from
    15 seconds up to 15 minutes."""
    if failures < PUBLIC_FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - PUBLIC_FREE_FAILURES, 16)  # past the cap anyway; keeps the number small
    return min(PUBLIC_FIRST_DELAY * 2**doublings, PUBLIC_MAX_DELAY)


def _is_staff_account(user: User | None) -> bool:
    return user is not None and user.requires_mfa


@contextmanager
def attempt_slot(user: User | None) -> Iterator[None]:
    """Hold a staff account's row while one attempt is judged, checked and, if it failed,
    counted (and the account locked): concurrent attempts on the account wait their turn, so
    each sees every failure before it and the lock falls after exactly ``STAFF_MAX_FAILURES``.
    (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write transaction serialises them.)
    Other names are not held: they are delayed, never locked."""
    if not _is_staff_account(user):
        yield
        return
    with transaction.atomic():
        user.locked_at = User.objects.select_for_update().filter(pk=user.pk).values_list("locked_at", flat=True).get()
        yield


def before_attempt(username: str, user: User | None, now: datetime | None = None) -> Verdict:
    """May ``username`` try a password (or second-factor code) now?"""
    now = now or timezone.now()
    if _is_staff_account(user):
        return Verdict(False, "locked") if user.locked_at else Verdict(True)
    failures = _failures_since(username, user, now - PUBLIC_WINDOW)
    if failures and now < failures[0] + public_delay(len(failures)):
        return Verdict(False, "delayed")
    return Verdict(True)


def after_failure(username: str, user: User | None, now: datetime | None = None) -> bool:
    """Call after a failure has been audited. Locks a staff account that has reached the limit;
    returns True when it did."""
    now = now or timezone.now()
    if not _is_staff_account(user) or user.locked_at:
        return False
    if len(_failures_since(username, user, now - STAFF_WINDOW)) < STAFF_MAX_FAILURES:
        return False
    User.objects.filter(pk=user.pk, locked_at__isnull=True).update(locked_at=now)
    user.locked_at = now
    return True
