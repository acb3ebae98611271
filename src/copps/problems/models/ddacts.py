"""DDACTS: zones where crime and traffic collisions are both hot, and the enforcement dosage there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .problem import Problem


class DdactsZone(models.Model):
    """A Data-Driven Approaches to Crime and Traffic Safety zone (NHTSA 2014): a few grid cells
    where crime and collisions are both hot spots, so that highly visible traffic enforcement
    there can reduce both. The zone is chosen from the overlay of the two Gi* maps (its
    ``parameters`` keep how), may belong to a problem, and is judged by outcomes — collisions
    and crimes before and during the deployment — never by tickets written."""

    name = models.CharField(max_length=200)
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="ddacts_zones")
    polygon = models.JSONField(help_text="GeoJSON Polygon or MultiPolygon, WGS 84")
    cells = models.JSONField(default=list, blank=True, help_text="[row, col] of the overlay grid")
    parameters = models.JSONField(default=dict, help_text="the overlay scan that found the zone")
    evidence = models.JSONField(default=dict, help_text="crimes, collisions and Gi* of the zone's cells")
    start = models.DateField(help_text="first day of the deployment")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "DDACTS zone"

    def __str__(self) -> str:
        return self.name


class Dosage(models.Model):
    """One spell of enforcement or visibility in a DDACTS zone: who, from when to when, what kind,
    and how many contacts (stops, warnings, conversations) it made. The dose is the time spent
    in the zone; the outcome is judged on collisions and crimes, not on contacts."""

    class Kind(models.TextChoices):
        TRAFFIC_ENFORCEMENT = "traffic_enforcement", "Traffic enforcement"
        VISIBILITY = "visibility", "High-visibility patrol"
        SATURATION = "saturation", "Saturation patrol"
        CHECKPOINT = "checkpoint", "Safety checkpoint"
        EDUCATION = "education", "Education and outreach"

    zone = models.ForeignKey(DdactsZone, on_delete=models.CASCADE, related_name="dosage")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.VISIBILITY)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    contacts = models.PositiveIntegerField(default=0, help_text="stops, warnings and conversations")
    note = models.CharField(max_length=300, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "dosage"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gt=models.F("started_at")), name="dosage_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.zone} ({self.minutes} min)"

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)
