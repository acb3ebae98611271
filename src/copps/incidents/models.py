"""What the police data is, as copps keeps it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from copps.geo.crs import Projector
from copps.geo.shapes import GeometryError


class Kind(models.TextChoices):
    CRIME = "crime", "Crime"
    CALL = "call", "Call for service"
    COLLISION = "collision", "Traffic collision"


class Site(models.Model):
    """The one agency this database serves: its name, the projected CRS (metres) in which
    every event's x/y and every analysis grid are expressed, and the time zone in which its
    hours, weekdays, day edges, weeks and months are read. Both are chosen from the first data
    imported (the zone from that import's profile); an administrator may change the zone."""

    name = models.CharField(max_length=200, default="")
    crs = models.CharField(max_length=32, blank=True, help_text="e.g. EPSG:32610 (UTM 10N)")
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="IANA zone of the data, e.g. America/New_York; empty until the first import "
        "(COPPS_TIME_ZONE is used until then)",
    )

    def __str__(self) -> str:
        return f"{self.name or 'site'} ({self.crs or 'no CRS yet'})"

    @classmethod
    def get(cls) -> Site:
        site, _ = cls.objects.get_or_create(pk=1)
        return site

    @classmethod
    def projector(cls) -> Projector:
        """Lon/lat <-> the site's metres; a plain error before the first import chose the CRS."""
        crs = cls.get().crs
        if not crs:
            raise GeometryError("no site CRS yet: import events first")
        return Projector(crs)


class OffenseCategory(models.Model):
    """One entry of the offence taxonomy that every source's offence codes map onto.

    Based on the NIBRS offence groups (Group A crimes against persons, property and
    society; Group B), with call-for-service and collision categories beside them.
    ``sensitive`` marks categories whose victims must never be identifiable in public
    output (sexual offences, domestic violence, offences against children...).
    """

    code = models.SlugField(max_length=48, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    group = models.CharField(max_length=32, help_text="persons, property, society, group-b, call, collision")
    nibrs_code = models.CharField(max_length=8, blank=True)
    sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "offense categories"

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A beat, district, neighbourhood (or the city): a polygon events are assigned to."""

    class Type(models.TextChoices):
        CITY = "city", "City"
        DISTRICT = "district", "District"
        BEAT = "beat", "Beat"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"

    type = models.CharField(max_length=16, choices=Type.choices)
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    geometry = models.JSONField(help_text="GeoJSON geometry, WGS 84")
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()

    class Meta:
        ordering = ["type", "name"]
        constraints = [models.UniqueConstraint(fields=["type", "code"], name="area_type_code_unique")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.name}"


class ImportBatch(models.Model):
    """One run of ``copps import``: which file (by checksum), with which profile, by whom,
    and what happened to each row."""

    # What happened to the rows, in the order the summary reports them.
    COUNTS = (
        "read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "duplicate",
        "superseded",
        "identical",
        "ungeocoded",
        "filtered",
        "incidents",
        "removed",
    )

    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    profile = models.CharField(max_length=200)
    source = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    read = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    duplicate = models.PositiveIntegerField(default=0)
    superseded = models.PositiveIntegerField(
        default=0, help_text="rows replaced by a later row with the same id in the same file"
    )
    identical = models.PositiveIntegerField(
        default=0, help_text="identical rows kept as separate events (formats without ids)"
    )
    ungeocoded = models.PositiveIntegerField(default=0)
    filtered = models.PositiveIntegerField(default=0, help_text="rows a profile [filter] rule removed")
    incidents = models.PositiveIntegerField(
        default=0, help_text="distinct incidents among the file's events (offences grouped by their incident key)"
    )
    errors = models.JSONField(default=list, blank=True)
    notes = models.JSONField(
        default=list,
        blank=True,
        help_text="every merge, filter, placeholder and extraction rule that fired, with counts and first lines",
    )
    # Undo and re-apply (importing/batches.py): a reprocess re-reads a file already imported
    # with the profile as it is now; a rolled-back batch stays listed with who undid it and when.
    reprocess = models.BooleanField(default=False, help_text="re-applied the profile to rows already imported")
    removed = models.PositiveIntegerField(
        default=0, help_text="events of earlier imports of this file that the profile no longer produces"
    )
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.profile}) {self.started_at:%Y-%m-%d %H:%M}"


class PriorVersion(models.Model):
    """An event as it was before a batch changed or removed it, so that rolling the batch back
    (``copps batches rollback``) restores it exactly. ``event_id`` is a plain number, not a key:
    the row outlives the event when a reprocess removed it."""

    class Change(models.TextChoices):
        UPDATED = "updated", "Updated"
        REMOVED = "removed", "Removed"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="prior_versions")
    change = models.CharField(max_length=8, choices=Change.choices)
    event_id = models.BigIntegerField(db_index=True)
    prior_batch_id = models.BigIntegerField(db_index=True, help_text="the batch the event came from before")
    # The event's columns as they were (same names as Event's, so SQL copies them across).
    kind = models.CharField(max_length=16)
    source = models.CharField(max_length=64)
    source_id = models.CharField(max_length=128)
    occurred_from = models.DateTimeField()
    occurred_to = models.DateTimeField(null=True)
    reported_at = models.DateTimeField(null=True)
    offense = models.CharField(max_length=300)
    category_id = models.BigIntegerField(null=True)
    sensitive = models.BooleanField()
    address = models.CharField(max_length=300)
    block_address = models.CharField(max_length=300)
    lat = models.FloatField(null=True)
    lon = models.FloatField(null=True)
    location = models.CharField(max_length=8)
    x = models.FloatField(null=True)
    y = models.FloatField(null=True)
    source_beat = models.CharField(max_length=64)
    beat_id = models.BigIntegerField(null=True)
    district_id = models.BigIntegerField(null=True)
    neighbourhood_id = models.BigIntegerField(null=True)
    raw = models.JSONField()
    row_hash = models.CharField(max_length=40)

    class Meta:
        ordering = ["batch", "event_id"]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} before batch {self.batch_id} ({self.change})"


class Location(models.TextChoices):
    """Where an event's coordinates put it with respect to the jurisdiction."""

    NONE = "", "Not geocoded"
    INSIDE = "inside", "Inside the jurisdiction"
    BUFFER = "buffer", "Just outside (within the buffer)"
    OUTSIDE = "outside", "Outside the jurisdiction"
    INVALID = "invalid", "Impossible or placeholder point"


class GeocodeQuality(models.TextChoices):
    """How copps found an event's point from its address (``copps.geo.geocode``); empty when
    the coordinates came with the file."""

    NONE = "", "Coordinates from the source"
    POINT = "point", "Address point"
    RANGE = "range", "Interpolated along a street's address range"
    INTERSECTION = "intersection", "Intersection"
    BLOCK = "block", "Middle of the hundred block"
    UNMATCHED = "unmatched", "Address not found in the reference data"


class Event(models.Model):
    """A police record of something that happened at a place and time: a crime report,
    a call for service, or a traffic collision.

    ``occurred_from``–``occurred_to`` is the window in which it happened (a burglary
    found on return from holiday is known only within that window: aoristic analysis
    spreads it over the window). The original row is kept as imported in ``raw``.
    """

    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=64, help_text="the data source, e.g. the profile name")
    source_id = models.CharField(max_length=128)
    incident_key = models.CharField(
        max_length=200,
        blank=True,
        db_default="",  # raw-SQL merges (importing/store.py) name it; other inserts may not
        help_text="the source's incident (case) number: the offences and supplements of one incident share it",
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="events")
    occurred_from = models.DateTimeField()
    occurred_to = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    offense = models.CharField(max_length=300, blank=True, help_text="as given by the source")
    category = models.ForeignKey(OffenseCategory, null=True, blank=True, on_delete=models.PROTECT)
    sensitive = models.BooleanField(default=False)
    address = models.CharField(max_length=300, blank=True, help_text="as given by the source")
    block_address = models.CharField(max_length=300, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    location = models.CharField(
        max_length=8,
        choices=Location.choices,
        blank=True,
        db_default="",  # raw-SQL merges (importing/store.py) insert rows without naming it
        help_text="inside, buffer, outside or invalid with respect to the jurisdiction; only "
        "inside (and, where an analysis asks, buffer) events feed spatial analysis",
    )
    geocode_quality = models.CharField(
        max_length=12,
        choices=GeocodeQuality.choices,
        blank=True,
        db_default="",  # raw-SQL merges (importing/store.py) insert rows without naming it
        help_text="how the point was found from the address (empty: the file gave coordinates)",
    )
    x = models.FloatField(null=True, blank=True, help_text="metres east in the site CRS")
    y = models.FloatField(null=True, blank=True, help_text="metres north in the site CRS")
    source_beat = models.CharField(max_length=64, blank=True, help_text="the beat named in the source row")
    beat = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    district = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    neighbourhood = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raw = models.JSONField(help_text="the original row")
    row_hash = models.CharField(max_length=40)

    class Meta:
        ordering = ["-occurred_from", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="event_source_id_unique")]
        indexes = [
            models.Index(fields=["kind", "occurred_from"]),
            models.Index(fields=["occurred_from"]),
            # events still to judge against the jurisdiction (location "" with a lat), and the
            # misplaced ones `copps events outside` lists: both found without a table scan
            models.Index(fields=["location", "lat"], name="event_location_lat"),
            models.Index(fields=["source", "incident_key"], name="event_source_incident"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source}:{self.source_id}"

    @property
    def geocoded(self) -> bool:
        return self.lat is not None and self.lon is not None


class Feed(models.Model):
    """A source that sends the department's data by itself, imported on a schedule with a
    profile: a folder a records system's nightly export drops files into, an open-data portal
    (Socrata, ArcGIS) or a file at a URL. Each run brings only what changed since the last one
    (the cursor) and is recorded as a ``FeedRun``; ``incidents/feeds/`` runs them."""

    class Kind(models.TextChoices):
        FOLDER = "folder", "watched folder"
        SOCRATA = "socrata", "Socrata SODA endpoint"
        ARCGIS = "arcgis", "ArcGIS FeatureServer layer"
        URL = "url", "CSV or JSON file at a URL"

    name = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    location = models.CharField(max_length=1000, help_text="the folder's path, or the URL")
    profile = models.CharField(max_length=500, help_text="a built-in import profile's name, or a TOML profile's path")
    source = models.CharField(max_length=64, blank=True, help_text="the data source's name (default: the profile's)")
    interval = models.PositiveIntegerField(default=3600, help_text="seconds between runs")
    cursor_field = models.CharField(
        max_length=200,
        blank=True,
        help_text="Socrata: the updated-at column (e.g. :updated_at); ArcGIS: an edit-date or object-id field",
    )
    cursor = models.CharField(
        max_length=200, blank=True, help_text="the largest cursor_field value imported so far (empty: from the start)"
    )
    page_size = models.PositiveIntegerField(default=1000, help_text="records per request (Socrata, ArcGIS)")
    skip_bad = models.BooleanField(default=False, help_text="import the good rows of a file with bad ones")
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True, help_text="empty: due now")
    failures = models.PositiveIntegerField(default=0, help_text="failed runs in a row (the retry back-off grows)")
    queued_job = models.UUIDField(null=True, blank=True, editable=False, help_text="the job that runs it next")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from copps.incidents.feeds.checks import problems

        found = problems(self)
        if found:
            raise ValidationError(found)


class FeedRun(models.Model):
    """One run of a feed: when, how it ended, what it did to the events, and when it is tried
    again after a failure."""

    class State(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        UNCHANGED = "unchanged", "nothing new"
        FAILED = "failed"

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    attempt = models.PositiveIntegerField(default=1, help_text="1 for a first try, n for the n-th in a row")
    files = models.PositiveIntegerField(default=0, help_text="files or downloads imported")
    records = models.PositiveIntegerField(default=0, help_text="rows downloaded or read")
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    cursor_before = models.CharField(max_length=200, blank=True)
    cursor_after = models.CharField(max_length=200, blank=True)
    batches = models.JSONField(default=list, blank=True, help_text="the import batches the run made")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.feed.name} {self.started_at:%Y-%m-%d %H:%M} {self.state}"


class EventDayCount(models.Model):
    """Events counted per local day, kind, taxonomy category and area: what the staff dashboard's
    CompStat table and alerts read instead of counting two years of events at every request.

    Each event is counted once at each level: in the city's row (``level`` "city", no area) and in
    its district's and beat's rows when it has them (the dashboard's areas). Staff see every event, so
    every event is counted here (sensitive ones too: this table never reaches the public). Days
    are local days in the zone the table was built in (:class:`EventDayCountState`). Kept by the
    public refresh, in full and incrementally (``copps.incidents.daycounts``); read only while
    :class:`EventDayCountState` says it is in step with the events."""

    level = models.CharField(max_length=16, help_text="city, district or beat")
    area_id = models.BigIntegerField(null=True, help_text="the district or beat; empty for the city")
    kind = models.CharField(max_length=16)
    day = models.DateField(help_text="local day of occurred_from")
    category_id = models.BigIntegerField(null=True, help_text="taxonomy category; empty: unclassified")
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["level", "area_id", "kind", "day"], name="daycount_area_day"),  # a dashboard's read
            models.Index(fields=["kind", "day"], name="daycount_kind_day"),  # a month counted again
        ]

    def __str__(self) -> str:
        return f"{self.n} {self.kind} on {self.day} ({self.level} {self.area_id or ''})"


class EventDayCountState(models.Model):
    """Whether :class:`EventDayCount` is in step with the events (one row). ``changes`` goes up by
    one in every transaction that changes events (``signals.events_changed``); a build records the
    value it started from in ``counted`` and the zone its days are in. The table is read only
    while the two are equal and the zone is the site's: until then scans count the events."""

    changes = models.PositiveBigIntegerField(default=0)
    counted = models.BigIntegerField(default=-1, help_text="changes when the table was last made; -1: never")
    zone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"day counts at change {self.counted} of {self.changes} ({self.zone or 'never built'})"
