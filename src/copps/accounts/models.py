"""Who uses copps, and the record of what they did with sensitive data."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


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
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.RESIDENT)

    @property
    def is_department_staff(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES


class AuditLog(models.Model):
    """One security-relevant action: who did what to which record, when, from where, and
    whether it was allowed. Written on every staff read or change of a sensitive event."""

    class Outcome(models.TextChoices):
        ALLOWED = "allowed"
        DENIED = "denied"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT)
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_type}:{self.object_id} {self.outcome}"
