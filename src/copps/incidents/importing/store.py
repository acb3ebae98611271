"""Writing a batch: stream normalised rows into a staging table, then merge them into
``incidents_event`` with set-based SQL, on SQLite and PostgreSQL alike.

Staging first makes the merge exact and idempotent however the file orders its
rows: for each source id only the newest row counts, identical rows are counted
once, and a row is written only when its content differs from what is stored.
Everything happens inside the caller's transaction, so a killed import leaves
nothing behind.

The columnar path (``Stage.write_columns`` with ``direct``) skips the staging table for the
rows it can: a row whose source id is new to the events table goes straight into it, in file
order, and only rows whose id is already stored are staged and merged. That gives the merge's
result only while no source id repeats within the file (a repeat decides which version is kept
and where the event is numbered); the first repeat raises ``Repeated``, and the caller starts
the file again with everything staged.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import UTC
from itertools import repeat

from django.db import IntegrityError, connection

from copps import bulk
from copps.incidents.importing import batches
from copps.incidents.importing.normalize import RECORD_FIELDS, Record
from copps.incidents.models import Event

__all__ = ["Stage", "MergeCounts", "Repeated"]

_STAGE_COLUMNS = RECORD_FIELDS  # same order as Record
# Every staged column that is also an Event column (the rest only steer the merge).
_EVENT_COPY = [c for c in RECORD_FIELDS if c not in ("line", "source_id", "updated_at")]


@dataclass(frozen=True)
class MergeCounts:
    staged: int
    duplicate: int
    superseded: int
    identical: int
    inserted: int
    updated: int
    unchanged: int
    ungeocoded: int
    incidents: int = 0  # distinct incidents among the rows kept (a row without an incident key is one)
    examples: dict[str, list[str]] = field(default_factory=dict)  # merge rule -> its first cases
    removed: int = 0


_as_tuple = operator.attrgetter(*_STAGE_COLUMNS)
_DATETIME_POSITIONS = [
    i for i, c in enumerate(_STAGE_COLUMNS) if c in ("updated_at", "occurred_from", "occurred_to", "reported_at")
]


_DATETIME_COLUMNS = [_STAGE_COLUMNS[i] for i in _DATETIME_POSITIONS]


def _sqlite_datetimes(values: list) -> list:
    """A column of datetimes as ``_sqlite_row`` writes each, converted once per distinct object.

    Keyed by ``id``: the date parsers give one object per distinct text, and hashing an aware
    datetime asks its zone for the offset each time. The list keeps every object alive, so no
    id is reused while the dict lives."""
    objects = dict(zip(map(id, values), values, strict=True))
    text = {
        key: None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        for key, v in objects.items()
    }
    return list(map(text.__getitem__, map(id, values)))


def _sqlite_row(rec: Record) -> list:
    """Datetimes as Django's SQLite backend stores them: naive UTC in ISO form."""
    row = list(_as_tuple(rec))
    for i in _DATETIME_POSITIONS:
        value = row[i]
        if value is not None:
            row[i] = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return row


class Repeated(Exception):
    """A source id came again after its row went straight into the events table: the file has
    to be staged as a whole for the merge to decide which version is kept."""


@dataclass(frozen=True)
class Direct:
    """Where a batch's new rows go straight into the events table (``Stage.write_columns``)."""

    kind: str
    source: str
    batch_id: int


class Stage:
    """A temporary table holding one batch's rows until they are merged."""

    def __init__(
        self,
        *,
        distinct: bool,
        newest_by_updated: bool,
        reprocess: bool = False,
        file_batches: tuple[int, ...] = (),
        direct: Direct | None = None,
    ):
        self.vendor = connection.vendor
        self.direct = None if reprocess else direct
        self.direct_rows = self.direct_ungeocoded = 0
        # whether events of the source were stored before this batch: if not, a new row can only
        # meet its own batch's rows, which the unique (source, source_id) constraint catches
        self.stored_before = self.direct is not None and Event.objects.filter(source=self.direct.source).exists()
        # reprocess: re-apply the profile to stored rows (importing/batches.py); file_batches are
        # the earlier imports of this file, whose events the profile may no longer produce
        self.reprocess, self.file_batches, self.changes = reprocess, list(file_batches), {}
        self.distinct = distinct
        self.newest_by_updated = newest_by_updated
        ts = "TIMESTAMP WITH TIME ZONE" if self.vendor == "postgresql" else "DATETIME"
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS copps_stage")
            cur.execute("DROP TABLE IF EXISTS copps_final")
            cur.execute(
                f"""CREATE TEMP TABLE copps_stage (
                    line INTEGER NOT NULL, source_id VARCHAR(200) NOT NULL, row_hash VARCHAR(40) NOT NULL,
                    updated_at {ts}, occurred_from {ts} NOT NULL, occurred_to {ts}, reported_at {ts},
                    offense VARCHAR(300), category_id BIGINT, sensitive BOOLEAN, address VARCHAR(300),
                    block_address VARCHAR(300), lat DOUBLE PRECISION, lon DOUBLE PRECISION,
                    x DOUBLE PRECISION, y DOUBLE PRECISION, source_beat VARCHAR(64), beat_id BIGINT,
                    district_id BIGINT, neighbourhood_id BIGINT, raw TEXT, location VARCHAR(8) NOT NULL,
                    incident_key VARCHAR(200) NOT NULL,
                    geocode_quality VARCHAR(12) NOT NULL)"""
            )

    def write(self, records: list[Record]) -> None:
        if not records:
            return
        if self.vendor == "postgresql":
            self._load(map(_as_tuple, records))
        else:
            self._load(map(_sqlite_row, records))

    def write_columns(self, cols: dict[str, list]) -> None:
        """Stage a chunk given as columns (importing/columnar.py), one list per staged column;
        with ``direct``, its rows of new source ids go straight into the events table."""
        if not cols["line"]:
            return
        if self.vendor != "postgresql":
            cols = dict(cols)
            for name in _DATETIME_COLUMNS:
                cols[name] = _sqlite_datetimes(cols[name])
        if self.direct is not None:
            cols = self._insert_new(cols)
            if not cols["line"]:
                return
        self._load(zip(*(cols[c] for c in _STAGE_COLUMNS), strict=True))

    def _insert_new(self, cols: dict[str, list]) -> dict[str, list]:
        """Insert the chunk's rows whose source id is new, in file order; return the others (ids
        stored by earlier batches) to stage. Raise ``Repeated`` when an id repeats in the file."""
        lines = cols["line"]
        order = list(range(len(lines)))
        in_order = all(a < b for a, b in zip(lines, lines[1:], strict=False))
        if not in_order:  # the rows the row path read come last
            order.sort(key=lines.__getitem__)
        distinct = self.distinct
        sids = [
            f"{sid}#1" if distinct and sid == h else sid
            for sid, h in zip(cols["source_id"], cols["row_hash"], strict=True)
        ]
        if len(set(sids)) < len(sids):
            raise Repeated
        stored = self._stored(sids) if self.stored_before else {}
        if self.direct.batch_id in stored.values():
            raise Repeated
        new = [k for k in order if sids[k] not in stored]
        d = self.direct
        if in_order and len(new) == len(lines):  # every row, in file order already
            columns = [sids, *(cols[c] for c in _EVENT_COPY)]
        else:
            columns = [[values[k] for k in new] for values in (sids, *(cols[c] for c in _EVENT_COPY))]
        rows = zip(repeat(d.kind), repeat(d.source), columns[0], repeat(d.batch_id), *columns[1:])
        try:
            bulk.append(Event._meta.db_table, ["kind", "source", "source_id", "batch_id", *_EVENT_COPY], rows)
        except (IntegrityError, connection.Database.IntegrityError) as exc:  # an id this batch inserted before
            raise Repeated from exc
        self.direct_rows += len(new)
        lat = cols["lat"]
        self.direct_ungeocoded += sum(1 for k in new if lat[k] is None)
        if len(new) == len(lines):
            return {name: [] for name in cols}
        old = [k for k in order if sids[k] in stored]
        return {name: [values[k] for k in old] for name, values in cols.items()}

    def _stored(self, sids: list[str]) -> dict[str, int]:
        """The batch of each of ``sids`` already in the events table (for the source)."""
        table = Event._meta.db_table
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute(
                    f"SELECT source_id, batch_id FROM {table} WHERE source = %s AND source_id = ANY(%s)",
                    [self.direct.source, sids],
                )
                return dict(cur.fetchall())
            found = {}
            for start in range(0, len(sids), 900):
                part = sids[start : start + 900]
                marks = ", ".join(["%s"] * len(part))
                cur.execute(
                    f"SELECT source_id, batch_id FROM {table} WHERE source = %s AND source_id IN ({marks})",
                    [self.direct.source, *part],
                )
                found.update(cur.fetchall())
            return found

    def _load(self, rows) -> None:
        """Bulk-load tuples in staging order."""
        bulk.append("copps_stage", _STAGE_COLUMNS, rows)

    def merge(self, *, source: str, kind: str, batch_id: int) -> MergeCounts:
        """Merge the staged rows into incidents_event; return what happened to them."""
        raw_cast = "f.raw::jsonb" if self.vendor == "postgresql" else "f.raw"
        with connection.cursor() as cur:

            def scalar(sql: str, params=()) -> int:
                cur.execute(sql, params)
                return int(cur.fetchone()[0] or 0)

            cur.execute("CREATE INDEX copps_stage_sid ON copps_stage (source_id, line)")
            staged = scalar("SELECT count(*) FROM copps_stage")
            ungeocoded = scalar("SELECT count(*) FROM copps_stage WHERE lat IS NULL")
            pairs = scalar("SELECT count(*) FROM (SELECT DISTINCT source_id, row_hash FROM copps_stage) t")
            ids = scalar("SELECT count(DISTINCT source_id) FROM copps_stage")
            cols = ", ".join(c for c in _STAGE_COLUMNS if c != "source_id")
            order = "updated_at DESC NULLS LAST, line DESC" if self.newest_by_updated else "line DESC"
            if self.distinct:
                # Rows identified by their content (no id in the source): identical rows are separate
                # events, numbered in file order. Rows with a real id keep only their newest version.
                content_rows = scalar("SELECT count(*) FROM copps_stage WHERE source_id = row_hash")
                content_ids = scalar("SELECT count(DISTINCT source_id) FROM copps_stage WHERE source_id = row_hash")
                identical = content_rows - content_ids
                duplicate = (staged - content_rows) - (pairs - content_ids)
                superseded = pairs - ids
                keep = "source_id = row_hash OR rn = 1"
                sid = "CASE WHEN source_id = row_hash THEN source_id || '#' || nth ELSE source_id END"
            else:
                identical, duplicate, superseded = 0, staged - pairs, pairs - ids
                keep, sid = "rn = 1", "source_id"
            if ids == staged:
                # Every source id once (the common case): each row is its id's newest and first
                # row (rn = nth = 1), so the window functions' two sorts are left out.
                cur.execute(
                    f"""CREATE TEMP TABLE copps_final AS SELECT {sid.replace("nth", "1")} AS sid, {cols}
                    FROM copps_stage"""
                )
            else:
                cur.execute(
                    f"""CREATE TEMP TABLE copps_final AS
                    SELECT {sid} AS sid, {cols} FROM (
                        SELECT source_id, {cols},
                               ROW_NUMBER() OVER (PARTITION BY source_id ORDER BY {order}) AS rn,
                               ROW_NUMBER() OVER (PARTITION BY source_id ORDER BY line) AS nth
                        FROM copps_stage) t
                    WHERE {keep}"""
                )
            cur.execute("CREATE INDEX copps_final_sid ON copps_final (sid)")
            examples = self._examples(cur)
            inserted = scalar(
                """SELECT count(*) FROM copps_final f WHERE NOT EXISTS (
                   SELECT 1 FROM incidents_event e WHERE e.source = %s AND e.source_id = f.sid)""",
                [source],
            )
            if inserted and self.direct_rows:
                raise Repeated  # a repeated row without an id numbered anew: its event would come last
            key = "CASE WHEN incident_key <> '' THEN 'i' || incident_key ELSE 'r' || {} END"
            if self.direct_rows:
                # the rows inserted straight away carry the batch (before the merge's own rows do)
                incidents = scalar(
                    f"""SELECT count(DISTINCT k) FROM (SELECT {key.format("sid")} AS k FROM copps_final
                    UNION ALL SELECT {key.format("source_id")} FROM incidents_event WHERE batch_id = %s) t""",
                    [batch_id],
                )
            else:
                incidents = scalar(f"SELECT count(DISTINCT {key.format('sid')}) FROM copps_final")
            changed = batches.changed_sql("e", reprocess=self.reprocess)
            updated = scalar(
                f"""SELECT count(*) FROM copps_final f JOIN incidents_event e
                   ON e.source = %s AND e.source_id = f.sid WHERE {changed}""",
                [source],
            )
            if self.reprocess:
                self.changes = batches.describe_changes(cur, source=source, changed=changed)
            batches.keep_prior_versions(cur, source=source, batch_id=batch_id, changed=changed)
            removed = batches.remove_unproduced(
                cur, source=source, batch_id=batch_id, file_batches=self.file_batches if self.reprocess else []
            )
            final = scalar("SELECT count(*) FROM copps_final")
            copy_cols = ", ".join(_EVENT_COPY)
            select_cols = ", ".join(raw_cast if c == "raw" else f"f.{c}" for c in _EVENT_COPY)
            cur.execute(
                f"""INSERT INTO incidents_event (kind, source, source_id, batch_id, {copy_cols})
                SELECT %s, %s, f.sid, %s, {select_cols} FROM copps_final f
                WHERE NOT EXISTS (SELECT 1 FROM incidents_event e WHERE e.source = %s AND e.source_id = f.sid)
                ORDER BY f.line""",
                [kind, source, batch_id, source],
            )
            assignments = ", ".join(f"{c} = {raw_cast if c == 'raw' else 'f.' + c}" for c in _EVENT_COPY)
            cur.execute(
                f"""UPDATE incidents_event SET kind = %s, batch_id = %s, {assignments}
                FROM copps_final f
                WHERE incidents_event.source = %s AND incidents_event.source_id = f.sid
                  AND {batches.changed_sql("incidents_event", reprocess=self.reprocess)}""",
                [kind, batch_id, source],
            )
            cur.execute("DROP TABLE copps_final")
            cur.execute("DROP TABLE copps_stage")
        return MergeCounts(
            staged=staged + self.direct_rows,
            duplicate=duplicate,
            superseded=superseded,
            identical=identical,
            inserted=inserted + self.direct_rows,
            updated=updated,
            unchanged=final - inserted - updated,
            ungeocoded=ungeocoded + self.direct_ungeocoded,
            incidents=incidents,
            examples=examples,
            removed=removed,
        )

    def _examples(self, cur, limit: int = 3) -> dict[str, list[str]]:
        """The first cases of each merge rule that fired, as a person finds them in the file."""
        content = "source_id = row_hash" if self.distinct else "1 = 0"
        out: dict[str, list[str]] = {}
        cur.execute(
            f"""SELECT max(CASE WHEN source_id = row_hash THEN '' ELSE source_id END), min(line), max(line), count(*)
            FROM copps_stage WHERE NOT ({content}) GROUP BY source_id, row_hash HAVING count(*) > 1
            ORDER BY min(line) LIMIT {limit}"""
        )
        out["duplicate"] = [
            f"{_named(sid)}: line{'s' if n > 2 else ''} {last if n == 2 else f'{first + 1}..{last}'} "
            f"repeat{'s' if n == 2 else ''} line {first}"
            for sid, first, last, n in cur.fetchall()
        ]
        cur.execute(
            f"""SELECT source_id, min(line), max(line), count(DISTINCT row_hash) FROM copps_stage
            WHERE NOT ({content}) GROUP BY source_id HAVING count(DISTINCT row_hash) > 1
            ORDER BY min(line) LIMIT {limit}"""
        )
        out["superseded"] = [
            f"{_named(sid)}: {n} versions between lines {first} and {last}, one kept"
            for sid, first, last, n in cur.fetchall()
        ]
        if self.distinct:
            cur.execute(
                f"""SELECT min(line), max(line), count(*) FROM copps_stage WHERE {content}
                GROUP BY source_id HAVING count(*) > 1 ORDER BY min(line) LIMIT {limit}"""
            )
            out["identical"] = [f"lines {first}..{last}: {n} identical rows" for first, last, n in cur.fetchall()]
        return {k: v for k, v in out.items() if v}


def _named(source_id: str) -> str:
    return f"id {source_id}" if source_id else "no id"
