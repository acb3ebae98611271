"""Analysis of why a problem persists: the problem triangle and the hypotheses tested."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .partners import Partner
from .problem import Problem


class TriangleEntry(models.Model):
    """One side of the problem triangle (crime triangle): a crime happens when a likely
    offender and a suitable target/victim meet at a place, and the handler (of the offender),
    the guardian (of the target) and the manager (of the place) are absent or ineffective
    (Clarke & Eck, *Crime Analysis for Problem Solvers in 60 Small Steps*, step 8).

    Entries describe people without naming them (``description``), places by address, and
    controllers by a link to a registered partner where one exists.
    """

    class Side(models.TextChoices):
        OFFENDER = "offender", "Offender"
        VICTIM = "victim", "Victim / target"
        PLACE = "place", "Place"
        HANDLER = "handler", "Handler"
        GUARDIAN = "guardian", "Guardian"
        MANAGER = "manager", "Manager"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="triangle")
    side = models.CharField(max_length=16, choices=Side.choices)
    description = models.TextField(help_text="who or what, without names of private persons")
    place = models.CharField(max_length=300, blank=True, help_text="address or block, for places")
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["side", "id"]
        verbose_name_plural = "triangle entries"

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.description[:60]}"


class Hypothesis(models.Model):
    """A testable explanation of the problem ("the break-ins follow the motel's weekly-rate
    guests"), and what the evidence said about it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SUPPORTED = "supported", "Supported"
        REJECTED = "rejected", "Rejected"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="hypotheses")
    statement = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(blank=True, help_text="what supports or rejects it")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "hypotheses"

    def __str__(self) -> str:
        return self.statement[:80]
