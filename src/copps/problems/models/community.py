"""Community evidence linked to a problem: a service request residents sent, or an anonymous tip."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from copps.community.models import ServiceRequest, Tip

from .problem import Problem


class RequestLink(models.Model):
    """A community service request (Open311: graffiti, a dark streetlight, an abandoned car,
    drug dealing reported by a neighbour) attached to a problem as evidence that residents
    see the same trouble the police data shows. Staff link it from the problem page or from
    the community triage page; the link is audited."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="request_links")
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="problem_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["problem", "request"], name="problem_request_unique")]

    def __str__(self) -> str:
        return f"request {self.request_id} on problem {self.problem_id}"


class TipLink(models.Model):
    """An anonymous tip attached to a problem ("they deal from the motel's back stairs after
    midnight"). The problem page shows only the tip's number and topic; its text stays in the
    community app, where every staff read is audited, and nothing of it reaches the public."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="tip_links")
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="problem_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["problem", "tip"], name="problem_tip_unique")]

    def __str__(self) -> str:
        return f"tip {self.tip_id} on problem {self.problem_id}"
