"""What the public portal stores: the fixed snap points that published locations move to."""

from __future__ import annotations

from django.db import models


class SnapPoint(models.Model):
    """A published map location (police.uk's "anonymous map point").

    Built once from an address list (``copps publish_snap_points``); every public point
    is moved to the snap point whose catchment holds its true location. Each catchment
    held at least ``addresses`` address points when the set was built. The set must stay
    fixed: rebuilding it lets an observer intersect old and new catchments.
    """

    x = models.FloatField(help_text="metres east in the site CRS")
    y = models.FloatField(help_text="metres north in the site CRS")
    lon = models.FloatField()
    lat = models.FloatField()
    addresses = models.PositiveIntegerField(help_text="address points in the catchment when built")
    min_addresses = models.PositiveIntegerField(help_text="the N the set was built for")
    min_offset_m = models.FloatField(help_text="closest distance to any address point allowed when built")
    crs = models.CharField(max_length=32)
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"snap point {self.pk} ({self.lon:.5f}, {self.lat:.5f}, {self.addresses} addresses)"
