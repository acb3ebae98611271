"""The audit log's hash chain: each row's hash covers its own content and the previous row's
hash, so editing or deleting any row (other than the newest rows together with the chain
head) shows up when the chain is walked again.

Writers append under a lock on the chain-head row: ``select_for_update`` on PostgreSQL; on
SQLite the write transaction itself (``BEGIN IMMEDIATE``, see settings) serialises writers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC

from django.db import IntegrityError, transaction
from django.utils import timezone

from copps.accounts.models import AuditChainHead, AuditLog

__all__ = [
    "GENESIS", "Anchor", "Break", "Verification", "anchor", "anchor_results", "append", "check_anchors",
    "read_anchors", "row_digest", "verify", "verify_all",
]

GENESIS = "0" * 64
HEAD_ID = 1


def _canonical(row: AuditLog) -> bytes:
    """The row's content as bytes that do not depend on the database it was read back from."""
    content = {
        "at": row.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "user": row.user_id,
        "username": row.username,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "outcome": row.outcome,
        "remote_addr": str(row.remote_addr) if row.remote_addr else None,
        "params": row.params,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def row_digest(prev_hash: str, row: AuditLog) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(row)).hexdigest()


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    # An empty database (fresh, or flushed between tests): start the chain from its last row.
    last = AuditLog.objects.order_by("-id").first()
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(
                pk=HEAD_ID, last_id=last.pk if last else 0, last_hash=last.row_hash if last else GENESIS
            )
    except IntegrityError:
        pass  # another writer created it first
    return AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)


def append(rows: Sequence[AuditLog]) -> list[AuditLog]:
    """Chain and insert ``rows`` in order, atomically. Raises if they cannot be written."""
    rows = list(rows)
    if not rows:
        return rows
    with transaction.atomic():
        head = _locked_head()
        prev = head.last_hash
        for row in rows:
            # Normalise the way the database will, so the hash matches what verify reads back.
            row.remote_addr = AuditLog._meta.get_field("remote_addr").to_python(row.remote_addr)
            row.prev_hash = prev
            row.row_hash = prev = row_digest(prev, row)
        if len(rows) == 1:
            rows[0].save(force_insert=True)
        else:
            rows = AuditLog.objects.bulk_create(rows)
        head.last_hash = prev
        head.last_id = max(r.pk for r in rows)
        head.save(update_fields=["last_hash", "last_id"])
    return rows


@dataclass(frozen=True)
class Break:
    """One place where the chain does not hold."""

    row_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row_id}" if self.row_id is not None else "chain head"
        return f"{where}: {self.problem}"


def verify(batch: int = 2000) -> Iterator[Break | int]:
    """Walk the chain in insertion order. Yields each :class:`Break`, then the number of rows
    checked."""
    prev_hash, last_id, count = GENESIS, 0, 0
    qs = AuditLog.objects.order_by("id")
    for row in qs.iterator(chunk_size=batch):
        count += 1
        if row.prev_hash != prev_hash:
            yield Break(row.pk, "its link to the previous row is broken (a row before it was "
                                "deleted, inserted or edited)")
        if row_digest(row.prev_hash, row) != row.row_hash:
            yield Break(row.pk, "its content does not match its hash (the row was edited)")
        prev_hash, last_id = row.row_hash, row.pk
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    if head is None:
        if count:
            yield Break(None, "missing (the chain head row was deleted)")
    elif head.last_hash != prev_hash or head.last_id != last_id:
        yield Break(None, f"points at row {head.last_id}, but the chain ends at row {last_id} "
                          "(the newest rows were deleted or edited)")
    yield count


@dataclass(frozen=True)
class Anchor:
    """The chain's newest row and hash at one moment, written outside the database.

    The chain alone cannot show a rewrite by someone who can write to the database: they can
    delete the newest rows, or edit a row and recompute every hash after it, and leave a chain
    that verifies. An anchor kept elsewhere (an append-only file on another machine, the daily
    operations log) pins what the chain was: any later chain must still hold that row with that
    hash."""

    at: str
    row_id: int
    row_hash: str

    def line(self) -> str:
        return f"{self.at} {self.row_id} {self.row_hash}"


def anchor() -> Anchor:
    """An anchor of the chain as it is now (row 0 and the genesis hash for an empty log)."""
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    at = timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if head is None or not head.last_id:
        return Anchor(at, 0, GENESIS)
    return Anchor(at, head.last_id, head.last_hash)


def read_anchors(path) -> list[Anchor]:
    """The anchors in a file that ``copps audit anchor`` appended to; ``ValueError`` naming the
    file and line for a line that is not one."""
    anchors = []
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, start=1):
            text = text.strip()
            if not text or text.startswith("#"):
                continue
            parts = text.split()
            if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 64:
                raise ValueError(f"{path}, line {number}: not an anchor (expected 'TIME ROW_ID HASH'): {text[:80]}")
            anchors.append(Anchor(parts[0], int(parts[1]), parts[2]))
    return anchors


def anchor_results(anchors: Sequence[Anchor]) -> list[tuple[Anchor, Break | None]]:
    """Each anchor with the :class:`Break` the chain shows at it, or None where the chain still
    holds the anchored row with the anchored hash (an anchor of the empty log holds trivially)."""
    ids = [a.row_id for a in anchors if a.row_id]
    hashes = dict(AuditLog.objects.filter(pk__in=ids).values_list("pk", "row_hash")) if ids else {}
    results: list[tuple[Anchor, Break | None]] = []
    for a in anchors:
        found = hashes.get(a.row_id)
        if not a.row_id:
            results.append((a, None))
        elif found is None:
            results.append((a, Break(a.row_id, f"anchored on {a.at}, it is gone (the newest rows were deleted)")))
        elif found != a.row_hash:
            results.append(
                (a, Break(a.row_id, f"anchored on {a.at} with another hash (the chain was rewritten up to here)"))
            )
        else:
            results.append((a, None))
    return results


def check_anchors(anchors: Sequence[Anchor]) -> Iterator[Break]:
    """A :class:`Break` for each anchor the chain no longer holds."""
    for _anchor, problem in anchor_results(anchors):
        if problem is not None:
            yield problem


@dataclass(frozen=True)
class Verification:
    """What a walk of the chain found: the rows checked, every break (the chain's, then the
    anchors'), the head's hash, and each anchor with its break or None."""

    count: int
    breaks: tuple[Break, ...]
    head_hash: str
    anchors: tuple[tuple[Anchor, Break | None], ...]

    @property
    def intact(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def verify_all(anchors: Sequence[Anchor] = ()) -> Verification:
    """The whole check ``copps audit verify`` runs and the auditors' chain page shows: walk the
    chain, then hold it to ``anchors``."""
    breaks: list[Break] = []
    count = 0
    for item in verify():
        if isinstance(item, Break):
            breaks.append(item)
        else:
            count = item
    results = anchor_results(anchors)
    breaks += [problem for _anchor, problem in results if problem is not None]
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    return Verification(count, tuple(breaks), head.last_hash if head else GENESIS, tuple(results))
