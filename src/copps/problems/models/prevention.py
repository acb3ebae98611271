"""Near-repeat prevention: a window of raised risk around a new event, and the work it asks for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from copps.incidents.models import Area, Event, OffenseCategory


class PreventionWindow(models.Model):
    """The days and metres around a new burglary (or theft) in which the homes nearby run a raised
    risk of the same crime, as the area's own Knox table shows it (the near-repeat pattern).

    copps opens one when an event of a prevention category falls in an area whose Knox table over
    the past year has significant close-space, close-time cells: the radius and the window are the
    outer edges of those cells, and ``knox`` keeps what they rest on (the area, the dates, the
    events, the observed and expected pairs). The beat officer gets door-knock and revisit tasks
    and a cocoon-notice letter for the addresses nearby. When the data covers the window's last
    day, ``outcome`` records how many events of the category fell inside it, against the Knox
    expectation. Staff data: the source event stays a police record; letters name a hundred
    block at most."""

    class Status(models.TextChoices):
        OPEN = "open", _("Still open")
        ENDED = "ended", _("Ended")

    source = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="prevention_window")
    category = models.ForeignKey(OffenseCategory, on_delete=models.PROTECT, related_name="+")
    beat = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    zone = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="the area whose Knox table gave the window (empty: the whole city)",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="the beat officer the tasks went to",
    )
    x = models.FloatField(help_text="metres east in the site CRS")
    y = models.FloatField(help_text="metres north in the site CRS")
    lon = models.FloatField()
    lat = models.FloatField()
    block = models.CharField(max_length=300, blank=True, help_text="the event's hundred block")
    radius_m = models.PositiveIntegerField()
    window_days = models.PositiveIntegerField()
    starts = models.DateField(help_text="the day of the source event")
    ends = models.DateField(help_text="the last day of the window")
    knox = models.JSONField(help_text="the Knox table behind the window: zone, dates, cells, pairs")
    merged = models.JSONField(default=list, blank=True, help_text="later events inside the window (ids)")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.JSONField(null=True, blank=True, help_text="repeats inside the window against the expectation")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts", "-id"]
        indexes = [models.Index(fields=["status", "category"])]

    def __str__(self) -> str:
        return f"{self.category} near-repeat window from {self.starts} ({self.radius_m} m, {self.window_days} days)"


class PreventionTask(models.Model):
    """A door-knock or a revisit the beat officer owes the homes of a prevention window, due
    inside it. Done from "My work" on a phone."""

    class Kind(models.TextChoices):
        DOOR_KNOCK = "door_knock", _("Door-knock the homes nearby")
        REVISIT = "revisit", _("Revisit the area")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")

    window = models.ForeignKey(PreventionWindow, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="prevention_tasks"
    )
    due = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due", "id"]
        constraints = [models.UniqueConstraint(fields=["window", "kind"], name="one_prevention_task_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.due}"
