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


_MAPPED = models.Q(sensitive=False, lon__isnull=False)


class PublicRecord(models.Model):
    """One event as it may be published: generalised, classified, allow-listed (the stored
    output of the privacy pipeline, rebuilt by ``copps publish-refresh``).

    Public views, the API and the downloads read only this table (and :class:`PublicCount`),
    never ``Event``. A sensitive event is kept only as a count record: no date, block,
    location, beat or neighbourhood. The publication delay is applied when reading
    (``available_on`` against today's cut-off), so the table need not be rebuilt each day.
    """

    kind = models.CharField(max_length=16)
    category = models.CharField(max_length=120, help_text="public category name")
    category_ref = models.IntegerField(null=True, help_text="taxonomy category id, for the category filter")
    sensitive = models.BooleanField(default=False)
    date = models.DateField(null=True, help_text="local date; null for sensitive events")
    month = models.CharField(max_length=7)
    block = models.CharField(max_length=300, blank=True)
    lon = models.FloatField(null=True, help_text="the snap point, never the true location")
    lat = models.FloatField(null=True)
    cell_x = models.IntegerField(null=True, help_text="grid column of the snap point (GRID_M squares)")
    cell_y = models.IntegerField(null=True)
    district_code = models.CharField(max_length=64, blank=True)
    district = models.CharField(max_length=200, blank=True)
    beat_code = models.CharField(max_length=64, blank=True)
    beat = models.CharField(max_length=200, blank=True)
    neighbourhood = models.CharField(max_length=200, blank=True)
    district_ref = models.IntegerField(null=True)
    beat_ref = models.IntegerField(null=True)
    neighbourhood_ref = models.IntegerField(null=True)
    available_on = models.DateField(help_text="local date of the later of occurrence and report")
    event_ref = models.BigIntegerField(
        null=True, help_text="the event this record was made from (never published: an incremental refresh finds it)"
    )

    class Meta:
        indexes = [
            models.Index(fields=["event_ref"], name="pubrec_event"),
            models.Index(fields=["sensitive", "date"], name="pubrec_date"),
            models.Index(fields=["kind", "date"], name="pubrec_kind_date"),
            models.Index(fields=["category_ref", "date"], name="pubrec_cat_date"),
            models.Index(fields=["district_ref", "date"], name="pubrec_district_date"),
            models.Index(fields=["beat_ref", "date"], name="pubrec_beat_date"),
            models.Index(fields=["neighbourhood_ref", "date"], name="pubrec_nbhd_date"),
            # the mapped records only (what the map and the grid read): the newest points in
            # date order, and the grid's counts per cell read from the index alone
            models.Index(fields=["date"], name="pubrec_mapped_date", condition=_MAPPED),
            models.Index(
                fields=["cell_x", "cell_y", "kind", "date", "available_on"],
                name="pubrec_mapped_cells",
                condition=_MAPPED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.category} {self.month}"


class PublicCount(models.Model):
    """Monthly counts of :class:`PublicRecord` by kind, category, district and beat, built
    at refresh so the count tables and trends never scan the records.

    ``count_after`` is the first day these events may be counted: the day after the later
    of occurrence and report, and never before the month has ended.
    """

    kind = models.CharField(max_length=16)
    month = models.CharField(max_length=7)
    sensitive = models.BooleanField(default=False)
    category = models.CharField(max_length=120)
    district_code = models.CharField(max_length=64, blank=True)
    beat_code = models.CharField(max_length=64, blank=True)
    count_after = models.DateField()
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["count_after"], name="pubcount_after")]

    def __str__(self) -> str:
        return f"{self.n} {self.kind} {self.category} {self.month} {self.district_code}"


class PublicCellCount(models.Model):
    """Mapped records (non-sensitive, placed) per grid cell and month, built at refresh with the
    records, so that the public grid's first answer sums a few rows per cell and month instead of
    counting every record it covers.

    Each record is counted twice: in its taxonomy category's row (``category_ref``; none for an
    unclassified record, which no category filter selects) and in its kind's row for every
    category (``category_ref`` empty). The area columns are the record's own, so any area filter
    selects rows as it selects records. ``count_after`` is :class:`PublicCount`'s: the month's
    rows may be used once the month has ended and its records are past the publication delay.
    The grid reads whole months here and the days a filter cuts out of a month from the records
    themselves (``copps.publish.published.cell_counts``).
    """

    kind = models.CharField(max_length=16)
    category_ref = models.IntegerField(null=True, help_text="taxonomy category id; empty: every category of the kind")
    district_ref = models.IntegerField(null=True)
    beat_ref = models.IntegerField(null=True)
    neighbourhood_ref = models.IntegerField(null=True)
    cell_x = models.IntegerField()
    cell_y = models.IntegerField()
    month = models.CharField(max_length=7)
    count_after = models.DateField()
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["category_ref", "kind", "month"], name="pubcell_cat_month"),
            models.Index(fields=["month"], name="pubcell_month"),
        ]

    def __str__(self) -> str:
        return f"{self.n} {self.kind} in cell ({self.cell_x}, {self.cell_y}) in {self.month}"


class PublishState(models.Model):
    """When the public tables were last rebuilt (one row). ``version`` changes at every
    refresh; it is part of every key of the shared cache (copps/publish/cache.py), so a refresh
    retires every derived entry at once.

    The durable "dirty" marker: every import that changes events adds one to ``changes`` in its
    own transaction; a rebuild records in ``published_changes`` the value it started from, in
    the transaction that replaces the tables. The tables are stale while ``changes`` is ahead,
    whatever was killed in between, so the next import or ``copps publish-refresh`` rebuilds."""

    version = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)
    records = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0.0)
    changes = models.PositiveBigIntegerField(default=0, help_text="imports that changed events")
    published_changes = models.PositiveBigIntegerField(
        default=0, help_text="the value of changes the last rebuild started from"
    )
    inputs = models.CharField(
        max_length=64,
        blank=True,
        help_text="digest of what every record depends on besides its event (snap points, taxonomy, areas, "
        "time zone, grid) at the last full rebuild: an incremental refresh needs it unchanged",
    )

    def __str__(self) -> str:
        return f"public tables v{self.version} ({self.records} records)"

    @property
    def dirty(self) -> bool:
        return self.changes > self.published_changes


class PublishPending(models.Model):
    """An event whose public record must be made again (it was inserted, updated or deleted), or,
    with no ``event_id``, every event (what changed is not known one by one: a rebuild is due).

    Written by ``store.mark_stale`` in the transaction that changed the events, with ``seq`` the
    value of ``PublishState.changes`` that transaction set; a refresh that started from
    ``changes = N`` handles and deletes the rows with ``seq <= N`` in its own transaction, so a
    crash in between leaves them for the next refresh. ``event_id`` is a plain number, not a
    foreign key: a deleted event is recorded too."""

    event_id = models.BigIntegerField(null=True, help_text="the changed event; empty: every event")
    seq = models.PositiveBigIntegerField(help_text="PublishState.changes as the recording transaction set it")

    class Meta:
        indexes = [models.Index(fields=["seq"], name="pubpending_seq")]

    def __str__(self) -> str:
        return f"event {self.event_id or 'all'} pending (change {self.seq})"


class ImprovementAnswer(models.Model):
    """A resident's answer to "has it improved?" on a public problem page.

    One per browser per problem (``browser`` is a keyed hash of a random cookie, never an
    address); the optional comment is held for review and never shown until approved.
    """

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    class Review(models.TextChoices):
        PENDING = "pending", "Held for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    problem = models.ForeignKey("problems.Problem", on_delete=models.CASCADE, related_name="improvement_answers")
    answer = models.CharField(max_length=16, choices=Answer.choices)
    comment = models.TextField(blank=True, max_length=1000)
    review = models.CharField(max_length=16, choices=Review.choices, default=Review.PENDING)
    browser = models.CharField(max_length=64, help_text="keyed hash of the answering browser's cookie")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["problem", "browser"], name="one_answer_per_browser")]

    def __str__(self) -> str:
        return f"{self.get_answer_display()} on problem {self.problem_id}"


class ProtectedCells(models.Model):
    """One count table's suppression, kept so that a table whose counts did not change is never
    protected again (secondary suppression is the costly part of the trends and count tables:
    seconds for the districts' lattice, most of a minute for the beats' at a city's scale).

    ``digest`` names the table's inner counts, its k and the suppression method's format
    (``copps.publish.counts.protect_kept``): the same digest always gives the same masks, so a
    kept entry is right whenever it is found. Refreshes add the entries of the day's lattice
    and drop those no longer used."""

    digest = models.CharField(max_length=64, unique=True)
    hidden = models.TextField(help_text="the augmented table's hidden cells, '0'/'1' row by row")
    primary = models.TextField(help_text="those hidden because 1..k-1, '0'/'1' row by row")

    def __str__(self) -> str:
        return f"protected table {self.digest[:12]}"


class PublicLattice(models.Model):
    """The day's whole lattice of protected count tables (by district, or by beat), as the trends
    and count answers read it, kept at refresh so a first answer reads one row instead of summing
    the count groups and building every table. ``key`` names the store's version, the cut-off
    and the rules it was built for; a lattice for another key is never read."""

    by_beat = models.BooleanField()
    key = models.CharField(max_length=64)
    body = models.TextField(help_text="the tables as JSON (copps.publish.published)")

    def __str__(self) -> str:
        return f"lattice {'by beat' if self.by_beat else 'by district'} {self.key[:12]}"
