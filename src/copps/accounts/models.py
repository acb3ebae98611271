"""Who uses copps, how staff prove who they are, and the record of what they did."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    RESIDENT = "resident", "Resident"
    OFFICER = "officer", "Officer"
    ANALYST = "analyst", "Crime analyst"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Administrator"
    AUDITOR = "auditor", "Auditor"


STAFF_ROLES = frozenset({Role.OFFICER, Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})


class User(AbstractUser):
    """A person with an account: a resident, or department staff in one role.

    Staff (officers, analysts, supervisors, administrators) see police records;
    residents see only what the public portal shows plus their own reports.
    Auditors read the audit log and nothing else.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.RESIDENT)
    locked_at = models.DateTimeField(
        null=True, blank=True,
        help_text="Set after repeated failed sign-ins by staff; only an administrator releases it.",
    )

    @property
    def is_department_staff(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES

    @property
    def requires_mfa(self) -> bool:
        """Anyone who can see police records, the audit log or the admin signs in with two factors."""
        return self.role in STAFF_ROLES or self.role == Role.AUDITOR or self.is_staff or self.is_superuser


class RecoveryCode(models.Model):
    """A one-time code shown once at enrolment, for when the phone is lost. Only a salted SHA-256
    is kept: the codes carry 80 random bits, so a fast hash is enough (no dictionary to try)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=96)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user}{' (used)' if self.used_at else ''}"


class EnrolmentCode(models.Model):
    """The one-time code an administrator hands a staff member who has no authenticator yet (a
    new account, or after a lost phone): enrolling an authenticator takes the password *and*
    this code, so a stolen password alone never yields a staff session. Shown once to the
    administrator, valid for 72 hours, spent on use. Like recovery codes, only a salted SHA-256
    is kept (80 random bits)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=96)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"enrolment code of {self.user}{' (used)' if self.used_at else ''}"


class UserSession(models.Model):
    """Which database sessions belong to which user, so that signing out or disabling an
    account can end every one of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session of {self.user} since {self.created_at:%Y-%m-%d %H:%M}"


class AuditLog(models.Model):
    """One security-relevant action: who did what to which record, when (UTC), from where, and
    whether it was allowed. Rows are hash-chained (see ``copps.accounts.chain``): each stores
    the hash of the row before it, so an edited or deleted row breaks the chain."""

    class Outcome(models.TextChoices):
        ALLOWED = "allowed"
        DENIED = "denied"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT)
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False, default="")
    row_hash = models.CharField(max_length=64, editable=False, default="")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["username", "action", "at"]),
        ]

    def __str__(self) -> str:
        return (f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} "
                f"{self.object_type}:{self.object_id} {self.outcome}")


class AuditChainHead(models.Model):
    """The single row that holds the end of the audit chain. Writers lock it, so rows join the
    chain one at a time even with several app servers."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head at row {self.last_id}"


class RateLimitWindow(models.Model):
    """One client's (or one route's) request count in one minute of one rate-limit scope, when
    the counts are shared by every app-server worker (``COPPS_RATE_LIMIT_STORE=database``).

    ``key`` holds the scope, a keyed hash of the client (never its address) and the minute;
    the rows of minutes that have passed are deleted when the next window is opened. The tips'
    route-wide bucket is never kept here (it would record when tips came in)."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "copps_rate_limits"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
