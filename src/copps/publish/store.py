"""The stored public tables: rebuild them from the pipeline, and read them.

Generalising every event per request made the first public map request on the demo take
seconds. Instead :func:`refresh` runs the privacy pipeline once over every event and keeps
its output in :class:`~copps.publish.models.PublicRecord` (one row per event, already
generalised, classified and allow-listed) and :class:`~copps.publish.models.PublicCount`
(monthly counts of those rows). The public views, API and downloads read only these.

``refresh`` replaces both tables in one transaction, so a reader sees the old tables or
the new ones, never a mix, and running it twice gives the same rows. It runs after
``copps import`` (once the site publishes, and while the tables are stale:
:func:`refresh_if_stale`), after ``copps publish-points`` (so in the demo), and by
``copps publish-refresh``. Staleness is a durable marker (``PublishState.changes``) that an
import sets in its own transaction and only a committed rebuild clears, so a rebuild killed
after its import committed is done by the next import, even of an unchanged file. The
publication delay is applied when reading (:func:`visible`), so the tables stay right as
days pass without a rebuild.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from copps.incidents.models import Event
from copps.publish.conf import PublishRules
from copps.publish.conf import rules as current_rules
from copps.publish.models import PublicCount, PublicRecord, PublishState
from copps.publish.pipeline import cutoff, store_rows

__all__ = [
    "GRID_M",
    "RefreshResult",
    "refresh",
    "refresh_if_published",
    "refresh_if_stale",
    "mark_stale",
    "is_stale",
    "state",
    "version",
    "stamp",
    "visible",
    "counts",
    "cut_date",
]

GRID_M = 400.0
_FIELDS = [f.name for f in PublicRecord._meta.concrete_fields if f.name != "id"]
# what a row leaves out is empty text (a sensitive event's block, beat...) or NULL
_EMPTY = {f.name: "" if f.get_internal_type() == "CharField" else None for f in PublicRecord._meta.concrete_fields}


@dataclass(frozen=True)
class RefreshResult:
    records: int
    sensitive: int
    located: int
    counts: int
    seconds: float

    def summary(self) -> str:
        return (
            f"Public tables rebuilt: {self.records:,} records ({self.sensitive:,} sensitive, counted only; "
            f"{self.located:,} mapped), {self.counts:,} count rows, in {self.seconds:.1f} s."
        )


def _insert(rows: list[dict]) -> None:
    """Append stored rows fast: COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    table = PublicRecord._meta.db_table
    values = [tuple(r.get(f, _EMPTY[f]) for f in _FIELDS) for r in rows]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({', '.join(_FIELDS)}) FROM STDIN") as copy:
                for v in values:
                    copy.write_row(v)
        else:
            marks = ", ".join(["%s"] * len(_FIELDS))
            cur.executemany(f"INSERT INTO {table} ({', '.join(_FIELDS)}) VALUES ({marks})", values)


def _next_month(month: str) -> date:
    year, mon = map(int, month.split("-"))
    return date(year + mon // 12, mon % 12 + 1, 1)


def _count_key(row: dict) -> tuple:
    """A record's count group, with the first day it may be counted."""
    after = max(row["available_on"] + timedelta(days=1), _next_month(row["month"]))
    return (
        row["kind"],
        row["month"],
        row["sensitive"],
        row["category"],
        row["district_code"],
        row.get("beat_code", ""),
        after,
    )


def _save_counts(counts: dict[tuple, int]) -> None:
    table = PublicCount._meta.db_table
    cols = "kind, month, sensitive, category, district_code, beat_code, count_after, n"
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(*key, n) for key, n in counts.items()],
        )


def refresh(qs: QuerySet[Event] | None = None) -> RefreshResult:
    """Rebuild the public tables from every event (idempotent, one transaction)."""
    start = time.perf_counter()
    qs = Event.objects.all() if qs is None else qs
    total = sensitive = located = 0
    with transaction.atomic():
        # Read before the events: an import committing after this read leaves the marker ahead,
        # so the tables stay marked stale even if this rebuild missed its events.
        started_from = PublishState.objects.values_list("changes", flat=True).first() or 0
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"TRUNCATE {PublicRecord._meta.db_table}, {PublicCount._meta.db_table}")
        else:
            PublicRecord.objects.all().delete()  # nothing refers to these rows: one DELETE each
            PublicCount.objects.all().delete()
        groups: dict[tuple, int] = {}
        for chunk in store_rows(qs, grid_m=GRID_M):
            _insert(chunk)
            total += len(chunk)
            sensitive += sum(1 for r in chunk if r["sensitive"])
            located += sum(1 for r in chunk if r.get("lon") is not None)
            for row in chunk:
                key = _count_key(row)
                groups[key] = groups.get(key, 0) + 1
        _save_counts(groups)
        n_counts = len(groups)
        seconds = time.perf_counter() - start
        st = PublishState.objects.select_for_update().first() or PublishState()
        st.version += 1
        st.refreshed_at = timezone.now()
        st.records = total
        st.seconds = seconds
        st.published_changes = max(st.published_changes, started_from)
        st.save()
        transaction.on_commit(forget_stamp)
    forget_stamp()
    _analyse()
    return RefreshResult(total, sensitive, located, n_counts, seconds)


def _analyse() -> None:
    """Fresh planner statistics for the rebuilt tables: SQLite gathers none on its own, and
    without them it reads the map's newest points through the grid's index instead of the
    date index (20 s instead of 30 ms at 10M records). SQLite samples (analysis_limit), so
    this takes a moment however large the tables."""
    tables = [PublicRecord._meta.db_table, PublicCount._meta.db_table]
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
    return refresh() if _publishes() else None


def mark_stale() -> None:
    """Mark the public tables stale, in the caller's transaction (an import's: the marker
    commits or rolls back with the events). Before the first rebuild there is no row to mark:
    a site without tables has nothing stale to serve."""
    PublishState.objects.update(changes=F("changes") + 1)


def is_stale() -> bool:
    """The site publishes and its tables miss events an import committed (or were never built)."""
    if not _publishes():
        return False
    st = PublishState.objects.first()
    return st is None or st.dirty


def refresh_if_stale() -> RefreshResult | None:
    """Rebuild when :func:`is_stale`; after every import, so that re-running an import whose
    rebuild was killed (an unchanged file included) converges."""
    return refresh() if is_stale() else None


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
