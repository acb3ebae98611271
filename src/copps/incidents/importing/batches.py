"""Undo and re-apply: what a batch changed, kept so that it can be rolled back, and the SQL that
re-applies a changed profile to rows already imported.

Every import keeps the prior version of each event it updates (``PriorVersion``), and a
reprocess also keeps each event it removes (rows of the same file the profile no longer
produces, e.g. a new ``[filter]``). Rolling a batch back then deletes exactly the events it
inserted, writes back the prior versions of those it updated and re-inserts those it removed,
in one transaction, with an audit row. A batch whose events a later batch changed again is not
rolled back: the later batch must be rolled back first (newest first, like ``git revert`` of a
stack), so no rollback ever overwrites a newer version it did not make.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from copps.geo.jurisdiction import invalid_reasons
from copps.incidents import jurisdiction, signals
from copps.incidents.areas import area_indexes
from copps.incidents.models import Event, ImportBatch, Location, PriorVersion

__all__ = [
    "BatchError",
    "RollbackResult",
    "rollback",
    "later_batches",
    "changed_sql",
    "keep_prior_versions",
    "describe_changes",
    "remove_unproduced",
    "linked_elsewhere",
    "describe_reprocess",
]

EVENT = Event._meta.db_table
PRIOR = PriorVersion._meta.db_table

# The event columns a prior version keeps (besides id and batch_id, kept as event_id and
# prior_batch_id).
KEPT = (
    "kind", "source", "source_id", "occurred_from", "occurred_to", "reported_at", "offense", "category_id",
    "sensitive", "address", "block_address", "lat", "lon", "location", "x", "y", "source_beat", "beat_id",
    "district_id", "neighbourhood_id", "raw", "row_hash",
)  # fmt: skip

# What a reprocess compares besides the row's own content (row_hash), grouped as the summary
# names them. ``location`` is left out: while the jurisdiction is the data's own extent it is
# judged after the merge, so the staged value is not yet the final one.
COMPARED = {
    "times": ("occurred_from", "occurred_to", "reported_at"),
    "offence": ("offense",),
    "category": ("category_id",),
    "sensitive": ("sensitive",),
    "address": ("address", "block_address"),
    "coordinates": ("lat", "lon", "x", "y"),
    "areas": ("source_beat", "beat_id", "district_id", "neighbourhood_id"),
}


class BatchError(Exception):
    """A batch that cannot be rolled back (or found), with the reason and what to do."""


def _differs(t: str, f: str, columns) -> str:
    # IS DISTINCT FROM: NULL-safe on PostgreSQL and on SQLite (3.39+)
    return " OR ".join(f"{t}.{c} IS DISTINCT FROM {f}.{c}" for c in columns)


def changed_sql(t: str, f: str = "f", *, reprocess: bool) -> str:
    """The condition under which a staged row (alias ``f``) rewrites a stored event (``t``):
    its content changed, or, when re-applying the profile, anything the profile derives."""
    if not reprocess:
        return f"{t}.row_hash <> {f}.row_hash"
    derived = _differs(t, f, [c for cols in COMPARED.values() for c in cols])
    return f"({t}.row_hash <> {f}.row_hash OR {derived})"


def keep_prior_versions(cur, *, source: str, batch_id: int, changed: str) -> None:
    """Before the merge's UPDATE: copy every event it is about to change (alias ``e``, staged
    rows ``f`` in copps_final) into PriorVersion."""
    cols = ", ".join(KEPT)
    cur.execute(
        f"""INSERT INTO {PRIOR} (batch_id, change, event_id, prior_batch_id, {cols})
        SELECT %s, %s, e.id, e.batch_id, {", ".join("e." + c for c in KEPT)}
        FROM copps_final f JOIN {EVENT} e ON e.source = %s AND e.source_id = f.sid
        WHERE {changed}""",
        [batch_id, PriorVersion.Change.UPDATED, source],
    )


def describe_changes(cur, *, source: str, changed: str) -> dict:
    """What a reprocess changes in events whose row is the same: how many events per kind of
    change (``COMPARED``), and the category moves (old code -> new code: count)."""
    sums = ", ".join(
        f"SUM(CASE WHEN {_differs('e', 'f', cols)} THEN 1 ELSE 0 END)" for cols in COMPARED.values()
    )
    join = f"FROM copps_final f JOIN {EVENT} e ON e.source = %s AND e.source_id = f.sid"
    cur.execute(f"SELECT {sums} {join} WHERE e.row_hash = f.row_hash AND {changed}", [source])
    counts = {name: int(n or 0) for name, n in zip(COMPARED, cur.fetchone(), strict=True)}
    cur.execute(
        f"""SELECT old.code, new.code, count(*) {join}
        LEFT JOIN incidents_offensecategory old ON old.id = e.category_id
        LEFT JOIN incidents_offensecategory new ON new.id = f.category_id
        WHERE e.category_id IS DISTINCT FROM f.category_id
        GROUP BY old.code, new.code ORDER BY count(*) DESC, old.code, new.code""",
        [source],
    )
    moves = {f"{old or '-'} -> {new or '-'}": int(n) for old, new, n in cur.fetchall()}
    return {"fields": {k: v for k, v in counts.items() if v}, "categories": moves}


def linked_elsewhere(where: str, params: list) -> list[str]:
    """Records of other rooms that point at the events ``id IN (SELECT ... where)`` selects
    (e.g. a problem's evidence), said as "N model" — found through the model graph, so the
    importer never imports the rooms above it."""
    found = []
    for rel in Event._meta.related_objects:
        if not (rel.one_to_many or rel.one_to_one):
            continue
        model = rel.related_model
        n = model._default_manager.filter(**{f"{rel.field.attname}__in": RawSQL(where, params)}).count()
        if n:
            found.append(f"{n:,} {model._meta.label}")
    return found


def remove_unproduced(cur, *, source: str, batch_id: int, file_batches: list[int]) -> int:
    """Reprocess: remove the events that earlier imports of this same file made and that the
    profile no longer produces (a new filter, a changed id). Each is kept as a prior version
    first, so rolling the reprocess back brings it back."""
    if not file_batches:
        return 0
    marks = ", ".join(["%s"] * len(file_batches))
    gone = (
        f"SELECT e.id FROM {EVENT} e WHERE e.source = %s AND e.batch_id IN ({marks})"
        " AND NOT EXISTS (SELECT 1 FROM copps_final f WHERE f.sid = e.source_id)"
    )
    params = [source, *file_batches]
    linked = linked_elsewhere(gone, params)
    if linked:
        from copps.incidents.importing.errors import ImportFailed

        raise ImportFailed(
            f"the profile no longer produces events that other records point at ({', '.join(linked)}); "
            "nothing was changed. Unlink them first, or reprocess with a profile that keeps them."
        )
    cols = ", ".join(KEPT)
    cur.execute(
        f"""INSERT INTO {PRIOR} (batch_id, change, event_id, prior_batch_id, {cols})
        SELECT %s, %s, id, batch_id, {cols} FROM {EVENT} WHERE id IN ({gone})""",
        [batch_id, PriorVersion.Change.REMOVED, *params],
    )
    removed = cur.rowcount
    cur.execute(f"DELETE FROM {EVENT} WHERE id IN (SELECT event_id FROM {PRIOR} WHERE batch_id = %s AND change = %s)",
                [batch_id, PriorVersion.Change.REMOVED])
    return removed


def later_batches(batch: ImportBatch) -> list[int]:
    """Batches after ``batch`` that changed or removed events it wrote, or re-used the id of an
    event it removed: these must be rolled back first."""
    ids = set(
        PriorVersion.objects.filter(prior_batch_id=batch.id).exclude(batch=batch).values_list("batch_id", flat=True)
    )
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT DISTINCT e.batch_id FROM {PRIOR} p JOIN {EVENT} e
            ON e.source = p.source AND e.source_id = p.source_id WHERE p.batch_id = %s AND p.change = %s""",
            [batch.id, PriorVersion.Change.REMOVED],
        )
        ids |= {row[0] for row in cur.fetchall()}
    return sorted(ids)


@dataclass
class RollbackResult:
    batch_id: int
    deleted: int = 0
    restored: int = 0
    reinserted: int = 0
    locations: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"batch {self.batch_id} rolled back: {self.deleted:,} events it inserted deleted, "
            f"{self.restored:,} events it updated restored, {self.reinserted:,} events it removed put back"
        )


def rollback(batch_id: int, *, user=None, username: str = "") -> RollbackResult:
    """Undo batch ``batch_id`` in one transaction (see the module docstring); raise BatchError
    when it is unknown, already rolled back, or later batches changed its events."""
    from copps.accounts import audit

    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise BatchError(f"there is no import batch {batch_id} (copps batches lists them)")
        if batch.rolled_back_at:
            raise BatchError(
                f"batch {batch_id} was already rolled back on {batch.rolled_back_at:%Y-%m-%d %H:%M} UTC"
                + (f" by {batch.rolled_back_by}" if batch.rolled_back_by else "")
            )
        later = later_batches(batch)
        if later:
            names = ", ".join(map(str, later))
            raise BatchError(
                f"batch {batch_id} was not rolled back: later batch(es) {names} changed the same events. "
                f"Roll back {'them' if len(later) > 1 else 'it'} first (newest first), then this one."
            )
        inserted = (
            f"SELECT id FROM {EVENT} WHERE batch_id = %s"
            f" AND id NOT IN (SELECT event_id FROM {PRIOR} WHERE batch_id = %s)"
        )
        linked = linked_elsewhere(inserted, [batch_id, batch_id])
        if linked:
            raise BatchError(
                f"batch {batch_id} was not rolled back: other records point at events it inserted "
                f"({', '.join(linked)}); unlink them first (e.g. remove the events from the problem's evidence)"
            )
        result = RollbackResult(batch_id)
        cols = ", ".join(KEPT)
        with connection.cursor() as cur:
            cur.execute(inserted, [batch_id, batch_id])
            deleted_ids = [row[0] for row in cur.fetchall()]  # for events_changed below
            cur.execute(f"DELETE FROM {EVENT} WHERE id IN ({inserted})", [batch_id, batch_id])
            result.deleted = cur.rowcount
            sets = ", ".join(f"{c} = p.{c}" for c in KEPT)
            cur.execute(
                f"""UPDATE {EVENT} SET batch_id = p.prior_batch_id, {sets} FROM {PRIOR} p
                WHERE p.batch_id = %s AND p.change = %s AND {EVENT}.id = p.event_id""",
                [batch_id, PriorVersion.Change.UPDATED],
            )
            result.restored = cur.rowcount
            cur.execute(
                f"""INSERT INTO {EVENT} (id, batch_id, {cols})
                SELECT event_id, prior_batch_id, {cols} FROM {PRIOR} WHERE batch_id = %s AND change = %s""",
                [batch_id, PriorVersion.Change.REMOVED],
            )
            result.reinserted = cur.rowcount
        back = list(PriorVersion.objects.filter(batch=batch).values_list("event_id", flat=True))
        _place_again(back)
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {PRIOR} WHERE batch_id = %s", [batch_id])
        batch.rolled_back_at = timezone.now()
        batch.rolled_back_by = username or (user.get_username() if user else "")
        batch.save(update_fields=["rolled_back_at", "rolled_back_by"])
        judged = jurisdiction.current(fresh=True)
        if judged is None or judged.source == "data":
            jurisdiction.recompute()  # the data's extent moved with the events
        result.locations = dict(jurisdiction.location_counts(Event.objects.filter(id__in=back[:10_000])))
        audit.record(
            "import_batch.rollback",
            user=user,
            username=username or None,
            object_type="import_batch",
            object_id=batch_id,
            params={
                "file": batch.file_name,
                "source": batch.source,
                "deleted": result.deleted,
                "restored": result.restored,
                "reinserted": result.reinserted,
            },
        )
        if result.deleted or result.restored or result.reinserted:
            # in this transaction, like an import: the public tables are marked stale with the events
            signals.events_changed.send(sender=ImportBatch, batch_id=batch_id, events=[deleted_ids, back])
    return result


def _place_again(ids: list[int], chunk: int = 900) -> None:
    """Areas and location status of restored events, from the areas and jurisdiction loaded now
    (areas may have been re-imported since the prior version was kept). Only rows whose values
    change are written, one UPDATE per distinct (areas, status) and chunk."""
    if not ids:
        return
    indexes = area_indexes()
    judged = jurisdiction.current(fresh=True)
    columns = ("beat_id", "district_id", "neighbourhood_id", "location")
    for start in range(0, len(ids), chunk):
        rows = list(
            Event.objects.filter(id__in=ids[start : start + chunk]).values_list("id", "lon", "lat", "x", "y", *columns)
        )
        if not rows:
            continue
        lon, lat, x, y = (np.array([np.nan if r[k] is None else r[k] for r in rows], float) for k in range(1, 5))
        placed = ~np.isnan(lon) & ~np.isnan(lat)
        bad = np.zeros(len(rows), bool)
        bad[placed] = invalid_reasons(lon[placed], lat[placed]) != ""
        ok_lon, ok_lat = np.where(bad | ~placed, np.nan, lon), np.where(bad | ~placed, np.nan, lat)
        found = {c: [None] * len(rows) for c in columns[:3]}
        for column, index in indexes.items():
            found[column] = list(index.lookup(ok_lon, ok_lat))
        status = np.full(len(rows), Location.NONE.value, dtype=object)
        if judged is not None and judged.source != "data" and placed.any():
            status[placed] = judged.classify(lon[placed], lat[placed], x[placed], y[placed])
        else:
            status[placed & bad] = Location.INVALID.value
        groups: dict[tuple, list[int]] = {}
        for i, row in enumerate(rows):
            new = (*(found[c][i] for c in columns[:3]), str(status[i]))
            if tuple(row[5:]) != new:
                groups.setdefault(new, []).append(row[0])
        with connection.cursor() as cur:
            for values, members in groups.items():
                marks = ", ".join(["%s"] * len(members))
                cur.execute(
                    f"UPDATE {EVENT} SET {', '.join(c + ' = %s' for c in columns)} WHERE id IN ({marks})",
                    [*(None if v is None else int(v) for v in values[:3]), values[3], *members],
                )


def describe_reprocess(updated: int, removed: int, changes: dict) -> str:
    """The reprocess lines of an import summary: what the re-applied profile changed."""
    fields = changes.get("fields", {})
    parts = [f"{name} {n:,}" for name, n in fields.items()]
    text = f"reprocess: {updated:,} events changed"
    if parts:
        text += f" ({', '.join(parts)})"
    moves = changes.get("categories", {})
    if moves:
        shown = list(moves.items())[:10]
        text += "\ncategories: " + "; ".join(f"{move} {n:,}" for move, n in shown)
        if len(moves) > 10:
            text += f"; and {len(moves) - 10} more moves"
    text += f"\n{removed:,} events removed (earlier imports of this file made them; the profile no longer does)"
    return text
