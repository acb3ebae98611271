"""What a department's reference geography is, as copps keeps it."""

from __future__ import annotations

from django.db import models

__all__ = ["ReferenceLayer", "AddressPoint", "Park", "RoadClass", "StreetSegment"]


class ReferenceLayer(models.Model):
    """One reference file as loaded: a city's address points or its street centrelines (with
    address ranges). Loading a file again under the same name replaces the layer whole."""

    class Kind(models.TextChoices):
        POINTS = "points", "Address points"
        STREETS = "streets", "Street centrelines"
        PARKS = "parks", "Parks"

    name = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    fields = models.JSONField(default=dict, help_text="which of the file's fields gave each part")
    features = models.PositiveIntegerField(default=0, help_text="features stored")
    skipped = models.PositiveIntegerField(default=0, help_text="features without a usable address or geometry")
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.features:,})"


class AddressPoint(models.Model):
    """One address of the city's address-point file: a house number on a street (normal form,
    ``copps.geo.geocode.street_key``) and where the building or its entrance is. Staff data:
    never shown to the public."""

    layer = models.ForeignKey(ReferenceLayer, on_delete=models.CASCADE, related_name="points")
    number = models.PositiveIntegerField()
    street = models.CharField(max_length=200, help_text="normal form, e.g. N MAPLE CT")
    address = models.CharField(max_length=300, help_text="as given by the file")
    lon = models.FloatField()
    lat = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["street", "number"])]

    def __str__(self) -> str:
        return f"{self.number} {self.street}"


class RoadClass(models.TextChoices):
    """How prominent a street is on the base map: arterials widest and labelled first."""

    ARTERIAL = "arterial", "Arterial"
    COLLECTOR = "collector", "Collector"
    LOCAL = "local", "Local"


class StreetSegment(models.Model):
    """One street centreline segment with the house numbers on its left and right side
    (TIGER/Line ``LFROMHN``/``LTOHN``/``RFROMHN``/``RTOHN``; left and right as one walks from
    the first vertex to the last). Also the street layer maps draw."""

    layer = models.ForeignKey(ReferenceLayer, on_delete=models.CASCADE, related_name="segments")
    street = models.CharField(max_length=200, help_text="normal form, e.g. SUNRIDGE BLVD")
    name = models.CharField(max_length=300, help_text="as given by the file")
    coords = models.JSONField(help_text="[[lon, lat], ...] WGS 84, FROM end first")
    left_from = models.PositiveIntegerField(null=True, blank=True)
    left_to = models.PositiveIntegerField(null=True, blank=True)
    right_from = models.PositiveIntegerField(null=True, blank=True)
    right_to = models.PositiveIntegerField(null=True, blank=True)
    road_class = models.CharField(
        max_length=9,
        choices=RoadClass.choices,
        default=RoadClass.LOCAL,
        help_text="how the base map draws it (from the file's CLASS, MTFCC or functional class)",
    )
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["street"])]

    def __str__(self) -> str:
        return self.name or self.street


class Park(models.Model):
    """One park (or other open space) of a parks file: what the public base map draws in green,
    with its name."""

    layer = models.ForeignKey(ReferenceLayer, on_delete=models.CASCADE, related_name="parks")
    name = models.CharField(max_length=300, blank=True, help_text="as given by the file")
    geometry = models.JSONField(help_text="GeoJSON Polygon or MultiPolygon, WGS 84")
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()

    def __str__(self) -> str:
        return self.name or f"park {self.pk}"
