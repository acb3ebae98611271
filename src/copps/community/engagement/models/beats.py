"""Beat officers: who residents can call about their beat, and the gazetteer that finds it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from copps.incidents.models import Area


class BeatAssignment(models.Model):
    """An officer assigned to a beat, as residents see it: a display name and a work contact
    (the station desk, a work e-mail) — never the officer's own phone, address or account."""

    beat = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="beat_assignments", limit_choices_to={"type": Area.Type.BEAT}
    )
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="beat_assignments")
    display_name = models.CharField(max_length=120, help_text='as the public sees it, e.g. "Officer J. Ramos"')
    role = models.CharField(max_length=80, default="Beat officer")
    work_contact = models.CharField(max_length=200, help_text="work phone or work e-mail, shown publicly")
    active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["beat", "order", "display_name"]
        constraints = [models.UniqueConstraint(fields=["beat", "officer"], name="one_assignment_per_beat_officer")]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.beat})"


class GazetteerBlock(models.Model):
    """One hundred block of a street with a representative point: the mean location of the
    geocoded police events recorded on it. copps has no street address file, so its
    gazetteer is built from what it has (``copps gazetteer``); it is only used to find the
    beat holding an address, and its points are never shown."""

    street = models.CharField(max_length=200, help_text="normalised street name, e.g. MAPLE CT")
    hundred = models.PositiveIntegerField(help_text="the block's hundred: 75 for 75XX")
    lon = models.FloatField()
    lat = models.FloatField()
    events = models.PositiveIntegerField(help_text="events the point is the mean of")

    class Meta:
        ordering = ["street", "hundred"]
        constraints = [models.UniqueConstraint(fields=["street", "hundred"], name="gazetteer_block_unique")]

    def __str__(self) -> str:
        return f"{self.hundred}XX {self.street}"
