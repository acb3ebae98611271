"""Assessment: did the response work, and did crime move next door?"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from copps.incidents.models import Area

from .problem import Problem


class Assessment(models.Model):
    """An outcome evaluation of the response, kept with everything needed to repeat it.

    Events are counted in a target area (where the response happened), a buffer around it
    (where crime could be displaced to) and a control area (comparable, untouched) in a
    before and an after period. ``copps.analysis.assessment.before_after`` gives the relative
    effect with its confidence interval and p (difference in differences, Farrington et al.
    2007); ``wdq`` the weighted displacement quotient (Bowers & Johnson 2003). The geometries
    are stored as used (GeoJSON, WGS 84), with the counts, the parameters and the results, and
    the process evaluation (tasks done against planned) as it stood.
    """

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="assessments")
    title = models.CharField(max_length=200, blank=True)
    before_start = models.DateField()
    before_end = models.DateField()
    after_start = models.DateField()
    after_end = models.DateField()
    kind = models.CharField(max_length=16, default="crime")
    categories = models.JSONField(default=list, blank=True, help_text="taxonomy codes counted (empty: all)")
    target_areas = models.ManyToManyField(Area, blank=True, related_name="+")
    target = models.JSONField(help_text="GeoJSON geometry counted as the target")
    buffer = models.JSONField(null=True, blank=True)
    control = models.JSONField(help_text="GeoJSON geometry counted as the control")
    counts = models.JSONField(default=dict, help_text="zone -> {before, after}")
    parameters = models.JSONField(default=dict)
    result = models.JSONField(default=dict, help_text="before_after and wdq results")
    process = models.JSONField(default=dict, help_text="tasks planned, done, dropped when run")
    conclusion = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title or f"Assessment {self.pk}"
