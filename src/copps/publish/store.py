"""The stored public tables: rebuild them from the pipeline, and read them.

Generalising every event per request made the first public map request on the demo take
seconds. Instead :func:`refresh` runs the privacy pipeline once over every event and keeps
its output in :class:`~copps.publish.models.PublicRecord` (one row per event, already
generalised, classified and allow-listed) and :class:`~copps.publish.models.PublicCount`
(monthly counts of those rows). The public views, API and downloads read only these.

``refresh`` replaces both tables in one transaction, so a reader sees the old tables or
the new ones, never a mix, and running it twice gives the same rows. It runs after
``copps publish-points`` (so in the demo), and by ``copps publish-refresh --full``.

:func:`refresh_incremental` makes again only the records of the events that changed: it runs
after ``copps import`` (once the site publishes, and while the tables are stale:
:func:`refresh_if_stale`) and by ``copps publish-refresh``. Whatever changes events records
which (:func:`mark_stale`: a ``PublishPending`` row per event, inserted, updated or deleted)
and adds one to ``PublishState.changes``, in its own transaction; the refresh deletes the
records of those events, runs the same pipeline over them, moves the monthly counts by the
difference and deletes the pending rows it handled, in one transaction. A refresh killed
after its import committed therefore leaves the pending rows, and the next refresh (the next
import's, even of an unchanged file) handles them. When something every record depends on
changed (the snap set, taxonomy, areas, time zone or grid: :func:`inputs_digest`), when what
changed is not known one by one, or when more than ``FULL_FRACTION`` of the records are
pending, it rebuilds everything instead. The publication delay is applied when reading
(:func:`visible`), so the tables stay right as days pass without a rebuild.

Both kinds of refresh keep the staff day counts too (:mod:`copps.incidents.daycounts`: every
event, as staff see it, per local day, kind, category and area, for the dashboard), in the same
transaction: a full one counts every event again, an incremental one the (kind, month) slices its
changed events lay in before and after.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from copps import bulk
from copps.incidents import daycounts
from copps.incidents.models import Event
from copps.publish.conf import PublishRules
from copps.publish.conf import rules as current_rules
from copps.publish.models import PublicCellCount, PublicCount, PublicRecord, PublishPending, PublishState
from copps.publish.pipeline import cutoff, store_rows

__all__ = [
    "GRID_M",
    "RefreshResult",
    "refresh",
    "refresh_incremental",
    "refresh_if_published",
    "refresh_if_stale",
    "mark_stale",
    "is_stale",
    "inputs_digest",
    "pending",
    "state",
    "version",
    "stamp",
    "visible",
    "counts",
    "cut_date",
]

GRID_M = 400.0
#: What a refresh writes: the records and the counts made from them.
_TABLES = (PublicRecord, PublicCount, PublicCellCount)
_FIELDS = [f.name for f in PublicRecord._meta.concrete_fields if f.name != "id"]
# what a row leaves out is empty text (a sensitive event's block, beat...) or NULL
_EMPTY = {f.name: "" if f.get_internal_type() == "CharField" else None for f in PublicRecord._meta.concrete_fields}


#: More events pending than this share of the records: a full rebuild is about as quick.
FULL_FRACTION = 0.2
#: Bump when the pipeline makes different records from the same event: the next refresh is full.
#: (2: the staff day counts are kept with the records; a site's first refresh after it builds them.)
PIPELINE_FORMAT = 2


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did. A full rebuild counts every record it wrote; an incremental one the
    records it wrote (``records``, of ``events`` events made again) and removed, and the table's
    new size (``total``)."""

    records: int
    sensitive: int
    located: int
    counts: int
    seconds: float
    incremental: bool = False
    events: int = 0
    removed: int = 0
    total: int = 0
    why_full: str = ""

    def summary(self) -> str:
        if self.incremental:
            return (
                f"Public tables updated incrementally: {self.events:,} changed events made again, "
                f"{self.removed:,} records removed and {self.records:,} written ({self.sensitive:,} sensitive, "
                f"counted only; {self.located:,} mapped), {self.counts:,} count rows changed; "
                f"{self.total:,} records in all, in {self.seconds:.1f} s."
            )
        return (
            f"Public tables rebuilt in full{f' ({self.why_full})' if self.why_full else ''}: "
            f"{self.records:,} records ({self.sensitive:,} sensitive, counted only; "
            f"{self.located:,} mapped), {self.counts:,} count rows, in {self.seconds:.1f} s."
        )


def _insert(rows: list[dict]) -> None:
    """Append stored rows fast (:func:`copps.bulk.append`)."""
    if rows:
        bulk.append(PublicRecord._meta.db_table, _FIELDS, [tuple(r.get(f, _EMPTY[f]) for f in _FIELDS) for r in rows])


def _next_month(month: str) -> date:
    year, mon = map(int, month.split("-"))
    return date(year + mon // 12, mon % 12 + 1, 1)


def _count_key(row: dict) -> tuple:
    """A record's count group, with the first day it may be counted."""
    return (
        row["kind"],
        row["month"],
        row["sensitive"],
        row["category"],
        row["district_code"],
        row.get("beat_code", ""),
        _count_after(row),
    )


def _count_after(row: dict) -> date:
    """The first day a record may be counted: after its own day and after its month."""
    return max(row["available_on"] + timedelta(days=1), _next_month(row["month"]))


_COUNT_COLUMNS = ("kind", "month", "sensitive", "category", "district_code", "beat_code", "count_after")
_CELL_COLUMNS = (
    "kind", "category_ref", "district_ref", "beat_ref", "neighbourhood_ref", "cell_x", "cell_y", "month", "count_after",
)  # fmt: skip


def _cell_keys(row: dict) -> list[tuple]:
    """A record's groups in :class:`PublicCellCount` (none unless it is mapped): its kind's row for
    every category and, when it has one, its taxonomy category's row."""
    if row["sensitive"] or row.get("lon") is None:
        return []
    rest = (row["district_ref"], row["beat_ref"], row["neighbourhood_ref"], row["cell_x"], row["cell_y"])
    tail = (*rest, row["month"], _count_after(row))
    keys = [(row["kind"], None, *tail)]
    if row.get("category_ref") is not None:
        keys.append((row["kind"], row["category_ref"], *tail))
    return keys


@dataclass
class _Tallies:
    """Records added (+1) or removed (-1) per count group and per cell group."""

    counts: dict[tuple, int]
    cells: dict[tuple, int]

    def add(self, row: dict, step: int) -> None:
        key = _count_key(row)
        self.counts[key] = self.counts.get(key, 0) + step
        for key in _cell_keys(row):
            self.cells[key] = self.cells.get(key, 0) + step


def _save_counts(counts: dict[tuple, int], model=PublicCount, columns: tuple[str, ...] = _COUNT_COLUMNS) -> None:
    table = model._meta.db_table
    marks = ", ".join(["%s"] * (len(columns) + 1))
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}, n) VALUES ({marks})",
            [(*key, n) for key, n in counts.items()],
        )


def inputs_digest() -> str:
    """What every record depends on besides its own event: the snap set, the taxonomy's names and
    sensitivity, the areas' codes and names, the time zone, the grid and the pipeline's format.
    A full rebuild keeps it (``PublishState.inputs``); while it is unchanged, making a few
    events again gives the records a full rebuild would."""
    from copps.incidents.models import Area, OffenseCategory
    from copps.publish.snaps import snaps_state

    parts = [
        PIPELINE_FORMAT,
        GRID_M,
        timezone.get_current_timezone_name(),
        snaps_state(),
        list(OffenseCategory.objects.order_by("id").values_list("id", "kind", "name", "sensitive")),
        list(Area.objects.order_by("id").values_list("id", "type", "code", "name")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _write_records(events: QuerySet[Event], tally: _Tallies) -> tuple[int, int, int]:
    """Generalise ``events`` through the pipeline into records, adding one to ``tally`` for each
    record's count group and cell groups; returns (records written, sensitive, with a location)."""
    written = sensitive = located = 0
    for chunk in store_rows(events, grid_m=GRID_M):
        _insert(chunk)
        written += len(chunk)
        sensitive += sum(1 for r in chunk if r["sensitive"])
        located += sum(1 for r in chunk if r.get("lon") is not None)
        for row in chunk:
            tally.add(row, 1)
    return written, sensitive, located


def refresh(qs: QuerySet[Event] | None = None, *, why: str = "") -> RefreshResult:
    """Rebuild the public tables from every event (idempotent, one transaction)."""
    start = time.perf_counter()
    qs = Event.objects.all() if qs is None else qs
    with transaction.atomic():
        # Read before the events: an import committing after this read leaves the marker ahead,
        # so the tables stay marked stale even if this rebuild missed its events (and its
        # pending rows, recorded under a later value, stay for the next refresh). The staff day
        # counts' marker likewise, and first (see _apply_pending).
        staff_from = daycounts.begin()
        started_from = PublishState.objects.values_list("changes", flat=True).first() or 0
        inputs = inputs_digest()
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"TRUNCATE {', '.join(m._meta.db_table for m in _TABLES)}")
        else:
            for model in _TABLES:  # nothing refers to these rows: one DELETE each
                model.objects.all().delete()
        groups = _Tallies({}, {})
        total, sensitive, located = _write_records(qs, groups)
        _save_counts(groups.counts)
        _save_counts(groups.cells, PublicCellCount, _CELL_COLUMNS)
        n_counts = len(groups.counts)
        daycounts.rebuild(staff_from)  # the staff dashboard's counts: every event, as staff see them
        seconds = time.perf_counter() - start
        st = PublishState.objects.select_for_update().first() or PublishState()
        st.version += 1
        st.refreshed_at = timezone.now()
        st.records = total
        st.seconds = seconds
        st.published_changes = max(st.published_changes, started_from)
        st.inputs = inputs
        st.save()
        PublishPending.objects.filter(seq__lte=started_from).delete()
        transaction.on_commit(forget_stamp)
    forget_stamp()
    _analyse()
    _keep_protected()
    return RefreshResult(total, sensitive, located, n_counts, seconds, total=total, why_full=why)


class _Full(Exception):
    """An incremental refresh found it must rebuild everything (the reason is its message)."""


def _why_full(st: PublishState | None, full_above: float) -> str:
    """Why the pending events cannot be made again one by one ("" when they can)."""
    if st is None or not st.refreshed_at:
        return "first build"
    if st.inputs != inputs_digest():
        return "snap points, taxonomy, areas, time zone or grid changed since the last full rebuild"
    todo = PublishPending.objects.filter(seq__lte=st.changes)
    if todo.filter(event_id__isnull=True).exists():
        return "events changed that were not recorded one by one"
    n = todo.values("event_id").distinct().count()
    if n > full_above * max(st.records, 1):
        return f"{n:,} events changed, more than {full_above:.0%} of the {st.records:,} records"
    return ""


def _lock_tables() -> None:
    """One refresh at a time (PostgreSQL): readers go on reading the committed tables, and a full
    rebuild's TRUNCATE waits, taking the tables before the state row as the rebuild does."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {', '.join(m._meta.db_table for m in _TABLES)} IN EXCLUSIVE MODE")


_KEY_FIELDS = (
    "kind", "month", "sensitive", "category", "district_code", "beat_code", "available_on",
    "lon", "category_ref", "district_ref", "beat_ref", "neighbourhood_ref", "cell_x", "cell_y",
)  # fmt: skip


def _adjust_counts(delta: dict[tuple, int], model=PublicCount, columns: tuple[str, ...] = _COUNT_COLUMNS) -> int:
    """Move the stored count groups of ``model`` by ``delta`` (group -> records added minus
    removed): update the groups that exist, add the new ones, drop those that reach 0. Returns the
    rows changed."""
    delta = {k: d for k, d in delta.items() if d}
    if not delta:
        return 0
    at = columns.index("month")
    months = sorted({k[at] for k in delta})
    stored = {}
    for row in model.objects.filter(month__in=months).values_list("id", *columns, "n"):
        stored[tuple(row[1:-1])] = (row[0], row[-1])
    updates, drops, adds = [], [], {}
    for key, d in delta.items():
        if key in stored:
            pk, n = stored[key]
            if n + d > 0:
                updates.append((n + d, pk))
            else:
                drops.append(pk)
        elif d > 0:
            adds[key] = d
        else:  # the counts disagree with the records (edited by hand?): never store a negative count
            raise _Full("the stored counts disagreed with the records")
    table = model._meta.db_table
    with connection.cursor() as cur:
        if updates:
            cur.executemany(f"UPDATE {table} SET n = %s WHERE id = %s", updates)
        for start in range(0, len(drops), 900):
            part = drops[start : start + 900]
            cur.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(part))})", part)
    _save_counts(adds, model, columns)
    return len(updates) + len(drops) + len(adds)


def refresh_incremental(*, full_above: float = FULL_FRACTION) -> RefreshResult:
    """Make again the records of the pending events only (see the module docstring), in one
    transaction; a full :func:`refresh` when they cannot be (:func:`_why_full`). The result
    equals a full rebuild's: the same pipeline makes each record from its event alone."""
    start = time.perf_counter()
    why = _why_full(PublishState.objects.first(), full_above)
    if why:
        return refresh(why=why)
    try:
        with transaction.atomic():
            result = _apply_pending(start)
    except _Full as full:
        return refresh(why=str(full))
    forget_stamp()
    _keep_protected()
    return result


def _keep_protected() -> None:
    """The day's count tables protected now, so no first answer protects them
    (``published.keep_protected``; only the tables whose counts changed cost anything)."""
    from copps.publish.published import keep_protected  # published reads this module's tables

    keep_protected()


def _apply_pending(start: float) -> RefreshResult:
    _lock_tables()
    # The staff day counts' marker is read before the pending rows: a change committing between
    # the two reads is counted below but leaves that table marked behind (never the reverse).
    staff_from = daycounts.begin()
    # The pending rows recorded under this value or before are committed (each was written in the
    # transaction that set it, and those transactions take the state row in turn); later ones
    # stay for the next refresh.
    started_from = PublishState.objects.values_list("changes", flat=True).first() or 0
    todo = PublishPending.objects.filter(seq__lte=started_from)
    if todo.filter(event_id__isnull=True).exists():
        raise _Full("events changed that were not recorded one by one")
    ids = todo.values("event_id")
    delta = _Tallies({}, {})
    old = PublicRecord.objects.filter(event_ref__in=ids)
    removed = 0
    for values in old.values_list(*_KEY_FIELDS).iterator(2000):
        delta.add(dict(zip(_KEY_FIELDS, values, strict=True)), -1)
        removed += 1
    old.delete()
    written, sensitive, located = _write_records(Event.objects.filter(id__in=ids), delta)
    changed_counts = _adjust_counts(delta.counts)
    _adjust_counts(delta.cells, PublicCellCount, _CELL_COLUMNS)
    # every (kind, local month) a changed event lay in, before or after: the staff day counts of
    # those months are counted again from the events (every event: staff see what the public not)
    daycounts.recount({key[:2] for key in delta.counts}, staff_from)
    n_events = todo.values("event_id").distinct().count()
    todo.delete()
    st = PublishState.objects.select_for_update().order_by("pk").first()
    st.version += 1
    st.refreshed_at = timezone.now()
    st.records = st.records + written - removed
    st.seconds = time.perf_counter() - start
    st.published_changes = max(st.published_changes, started_from)
    st.save()
    transaction.on_commit(forget_stamp)
    return RefreshResult(
        written, sensitive, located, changed_counts, st.seconds,
        incremental=True, events=n_events, removed=removed, total=st.records,
    )  # fmt: skip


def _analyse() -> None:
    """Fresh planner statistics for the rebuilt tables: SQLite gathers none on its own, and
    without them it reads the map's newest points through the grid's index instead of the
    date index (20 s instead of 30 ms at 10M records). SQLite samples (analysis_limit), so
    this takes a moment however large the tables."""
    tables = [m._meta.db_table for m in _TABLES]
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA analysis_limit=1000")
        for table in tables:
            cur.execute(f"ANALYZE {table}")


def _publishes() -> bool:
    """The site publishes once its tables or snap points exist. Before that (a new site, or the
    demo loading its files before it builds snap points) an import does not pay for a rebuild
    that the first ``copps publish-points`` or ``copps publish-refresh`` does anyway."""
    from copps.publish.models import SnapPoint

    return PublishState.objects.exists() or SnapPoint.objects.exists()


def refresh_if_published() -> RefreshResult | None:
    """Refresh once the site publishes, whether or not the tables are stale."""
    return refresh_incremental() if _publishes() else None


def mark_stale(events: Iterable | None = None) -> None:
    """Mark the public tables stale, in the caller's transaction (an import's: the marker and the
    pending events commit or roll back with the events). Before the first rebuild there is no
    row to mark: a site without tables has nothing stale to serve.

    ``events`` says which events changed (inserted, updated or deleted): an iterable of sources,
    each a QuerySet of event ids (``values_list("id", flat=True)``: copied in the database) or a
    collection of ids. ``None``: any event may have changed, so the next refresh is full."""
    if not PublishState.objects.update(changes=F("changes") + 1):
        return
    # the row is ours until commit: no other transaction records under this value
    seq = PublishState.objects.values_list("changes", flat=True).first()
    table = PublishPending._meta.db_table
    if events is None:
        PublishPending.objects.create(event_id=None, seq=seq)
        return
    with connection.cursor() as cur:
        for source in events:
            if isinstance(source, QuerySet):
                sql, params = source.query.sql_with_params()
                cur.execute(f"INSERT INTO {table} (seq, event_id) SELECT %s, q.* FROM ({sql}) q", [seq, *params])
            else:
                ids = sorted({int(i) for i in source})
                cur.executemany(f"INSERT INTO {table} (seq, event_id) VALUES (%s, %s)", [(seq, i) for i in ids])


def pending() -> int:
    """Events waiting to be made again (each counted once; a whole-site mark counts as one)."""
    return PublishPending.objects.values("event_id").distinct().count()


def is_stale() -> bool:
    """The site publishes and its tables miss events an import committed (or were never built)."""
    if not _publishes():
        return False
    st = PublishState.objects.first()
    return st is None or st.dirty


def refresh_if_stale() -> RefreshResult | None:
    """Refresh (incrementally when it can) when :func:`is_stale`; after every import, so that
    re-running an import whose refresh was killed (an unchanged file included) converges."""
    return refresh_incremental() if is_stale() else None


def state() -> PublishState:
    return PublishState.objects.first() or PublishState()


def version() -> int:
    """The store's version (0 before the first refresh)."""
    return PublishState.objects.values_list("version", flat=True).first() or 0


_stamp: list = [0.0, None]  # (read at, stamp): remembered for STAMP_TTL_S
STAMP_TTL_S = 1.0


def stamp() -> tuple:
    """What identifies the stored tables' contents: part of every derived cache key. The time of
    the refresh makes it unique across databases too (a version number alone restarts at 1).

    Remembered for a second, so a cached public response costs no database query; another
    process's refresh is seen within that second, this process's at once."""
    now = time.monotonic()
    if _stamp[1] is None or now - _stamp[0] > STAMP_TTL_S:
        _stamp[:] = [now, PublishState.objects.values_list("version", "refreshed_at").first() or (0, None)]
    return _stamp[1]


def forget_stamp() -> None:
    _stamp[:] = [0.0, None]


def cut_date(rules: PublishRules | None = None, now: datetime | None = None) -> date:
    """The first local date not yet published (the cut-off is its midnight), today or at ``now``."""
    return timezone.localtime(cutoff(rules or current_rules(), now)).date()


def visible(rules: PublishRules | None = None, now: datetime | None = None) -> QuerySet[PublicRecord]:
    """Records past the publication delay (sensitive ones included: callers select), today or
    at ``now`` (the digest's run time)."""
    return PublicRecord.objects.filter(available_on__lt=cut_date(rules, now))


def counts(rules: PublishRules | None = None, *, by_beat: bool = False) -> list[dict]:
    """Monthly counts that may be counted today (months ended and delay passed), summed
    over the stored groups: kind, month, sensitive, category, district_code (and beat_code)."""
    keys = ["kind", "month", "sensitive", "category", "district_code"] + (["beat_code"] if by_beat else [])
    rules = rules or current_rules()
    qs = PublicCount.objects.filter(count_after__lte=cut_date(rules))
    if rules.sensitive == "none":
        qs = qs.filter(sensitive=False)
    return list(qs.values(*keys).annotate(n=Sum("n")).order_by())
