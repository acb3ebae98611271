"""Candidate problems proposed by scanning."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .problem import Problem


class Candidate(models.Model):
    """A possible problem found by scanning the data, waiting for an analyst's decision.

    Scanning looks for patterns that recur at places: a persistent hot spot, a risky place
    with far more events than places like it, a wave of near-repeat burglaries, a stretch of
    road with a cluster of collisions, a cluster of community requests. Each candidate keeps
    the numbers that made it (``evidence``) and the scan parameters, so the decision can be
    checked. An analyst promotes it to a :class:`Problem` or dismisses it with a reason;
    re-scanning updates open candidates instead of duplicating them.
    """

    class Kind(models.TextChoices):
        HOT_SPOT = "hot_spot", "Hot spot"
        RISKY_PLACE = "risky_place", "Risky place"
        NEAR_REPEAT = "near_repeat", "Near-repeat wave"
        COLLISION_CORRIDOR = "collision_corridor", "Collision corridor"
        REQUEST_CLUSTER = "request_cluster", "Community request cluster"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PROMOTED = "promoted", "Promoted to a problem"
        DISMISSED = "dismissed", "Dismissed"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=200)
    key = models.CharField(max_length=200, blank=True, help_text="the place, for matching re-scans")
    lon = models.FloatField()
    lat = models.FloatField()
    x = models.FloatField(help_text="metres east in the site CRS")
    y = models.FloatField(help_text="metres north in the site CRS")
    geometry = models.JSONField(help_text="GeoJSON geometry, WGS 84")
    score = models.FloatField(help_text="events accounted for, raised when community data agree")
    evidence = models.JSONField(default=dict)
    parameters = models.JSONField(default=dict)
    corroborated = models.BooleanField(default=False, help_text="community reports point at the same place")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField(blank=True, help_text="why it was dismissed")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates")
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    times_seen = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-score", "-id"]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.title
