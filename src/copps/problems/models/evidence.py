"""What shows that a problem exists and what it looks like: linked events, saved analyses,
and links to records of other apps (community requests, tips)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from copps.incidents.models import Event

from .problem import Problem


class EventLink(models.Model):
    """A police event (crime, call, collision) attached to a problem as evidence."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="event_links")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="problem_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["problem", "event"], name="problem_event_unique")]

    def __str__(self) -> str:
        return f"event {self.event_id} on problem {self.problem_id}"


class SavedAnalysis(models.Model):
    """An analysis kept with a problem so that anyone can see, and re-run, what was found:
    the method, every parameter (filters, bands, cell size, seed) and the result as JSON."""

    class Kind(models.TextChoices):
        HOTSPOTS = "hotspots", "Hot spots (Gi*)"
        PLACES = "places", "Risky places"
        NEAR_REPEAT = "near_repeat", "Near repeat (Knox)"
        TEMPORAL = "temporal", "Hour x weekday profile"
        TREND = "trend", "Trend and alerts"
        SEASONALITY = "seasonality", _("Seasonality (month and week of year)")
        REPEAT_VICTIMS = "repeat_victims", _("Repeat victimisation (addresses)")
        SEGMENTS = "segments", _("Street segments by events per km")
        CRASHES = "crashes", _("Crash analysis")
        EMERGING = "emerging", _("Emerging hot spots")
        CANDIDATE = "candidate", "Scanning evidence of the candidate"
        OTHER = "other", "Other"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="analyses")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    parameters = models.JSONField(default=dict, help_text="everything needed to run it again")
    result = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "saved analyses"

    def __str__(self) -> str:
        return self.title


class ExternalLink(models.Model):
    """A record of another app linked as evidence, by (app label, model, id): a community
    service request, an anonymous tip, a meeting. Generic on purpose, so problems need not
    import apps that are still being built; ``label`` keeps a staff-readable description."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="external_links")
    app_label = models.CharField(max_length=64)
    model = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    label = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "app_label", "model", "object_id"], name="problem_external_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label or f"{self.app_label}.{self.model}:{self.object_id}"
