"""Running a feed: fetch what changed, import it in one transaction with the cursor's move,
record the run, and schedule the next one.

A run that fails anywhere (a page, the profile, a bad row, the database) imports nothing of
what it fetched and leaves the cursor where it was; the feed is tried again after a back-off
that doubles with each failure in a row: 1, 2, 4, 8 ... minutes, never more than 6 hours
(``retry_delay``). A run that succeeds schedules the next one ``interval`` seconds later.

A watched folder imports each waiting file in a transaction of its own, oldest first, and
skips a file whose content (SHA-256) an import already holds for the feed's source, so each
file is imported once however often the folder is looked at. It stops at the first file that
fails, so an older export is never imported after a newer one; the files imported before it
stay imported and are skipped when the run is retried.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from copps.files import file_sha256
from copps.incidents import signals, sitetime
from copps.incidents.feeds.sources import FeedError, fetch, waiting_files
from copps.incidents.importing import ImportFailed, ImportResult, import_file, load_profile
from copps.incidents.models import Feed, FeedRun, ImportBatch

__all__ = ["FeedError", "due_feeds", "retry_delay", "run_feed", "RETRY_FIRST", "RETRY_CAP"]

RETRY_FIRST = 60  # seconds before the first retry of a failed run
RETRY_CAP = 6 * 3600  # the longest wait between retries


def retry_delay(failures: int) -> timedelta:
    """How long to wait after ``failures`` failed runs in a row: 60 s doubled each time, at most 6 h."""
    return timedelta(seconds=min(RETRY_FIRST * 2 ** max(failures - 1, 0), RETRY_CAP))


def due_feeds(now=None):
    """The enabled feeds whose next run is now or past (or never set)."""
    now = now or timezone.now()
    return Feed.objects.filter(enabled=True).filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))


def _already_imported(path: Path, source: str) -> bool:
    return ImportBatch.objects.filter(
        sha256=file_sha256(path), source=source, rolled_back_at__isnull=True, finished_at__isnull=False
    ).exists()


def _add_counts(run: FeedRun, result: ImportResult) -> None:
    run.files += 1
    run.records += result.read
    run.added += result.inserted
    run.updated += result.updated
    run.unchanged += result.unchanged
    run.rejected += result.rejected
    if result.batch_id:
        run.batches = [*run.batches, result.batch_id]


def _import_finished(batch_id: int | None) -> None:
    # as `copps import` does after its transaction: the rooms that derive tables rebuild them
    with sitetime.in_zone():
        signals.import_finished.send(sender=ImportBatch, batch_id=batch_id)


def run_feed(feed: Feed, *, note: Callable[[str], None] = lambda text: None) -> FeedRun:
    """Run ``feed`` once, now; returns its ``FeedRun`` (state ``failed`` with the error when it
    failed: the caller decides how loudly to say so)."""
    run = FeedRun.objects.create(
        feed=feed, started_at=timezone.now(), attempt=feed.failures + 1, cursor_before=feed.cursor
    )
    try:
        profile = load_profile(feed.profile)
        source = feed.source or profile.source
        if feed.kind == Feed.Kind.FOLDER:
            for path in waiting_files(Path(feed.location)):
                if _already_imported(path, source):
                    continue
                note(f"importing {path.name}")
                result = import_file(path, profile, skip_bad=feed.skip_bad, source=source)
                _add_counts(run, result)
                run.save()
                _import_finished(result.batch_id)
            run.cursor_after = feed.cursor
        else:
            with tempfile.TemporaryDirectory(prefix="copps-feed-") as tmp:
                download = fetch(feed, Path(tmp), note)
                run.cursor_after = download.cursor
                if download.path is not None and _already_imported(download.path, source):
                    # the same records an import already holds: nothing to import, the cursor may move
                    Feed.objects.filter(pk=feed.pk, cursor=feed.cursor).update(cursor=download.cursor)
                    feed.cursor = download.cursor
                elif download.path is not None:
                    note(f"importing {download.records:,} records")
                    with transaction.atomic():
                        result = import_file(download.path, profile, skip_bad=feed.skip_bad, source=source)
                        moved = Feed.objects.filter(pk=feed.pk, cursor=feed.cursor).update(cursor=download.cursor)
                        if not moved:
                            raise FeedError(
                                "another run of this feed moved its cursor meanwhile: this run's import was undone"
                            )
                    feed.cursor = download.cursor
                    _add_counts(run, result)
                    _import_finished(result.batch_id)
    except Exception as exc:  # every failure is the run's to record, whatever raised it
        _failed(feed, run, exc)
    else:
        _succeeded(feed, run)
    return run


def _error_text(exc: Exception) -> str:
    if isinstance(exc, FeedError | ImportFailed):
        text = str(exc)
        rows = getattr(exc, "errors", None) or []
        if rows:
            text += "\n" + "\n".join(str(e) for e in rows[:20])
        return text
    return "".join(traceback.format_exception_only(exc)).strip()


def _failed(feed: Feed, run: FeedRun, exc: Exception) -> None:
    now = timezone.now()
    feed.refresh_from_db(fields=["failures", "cursor"])
    feed.failures += 1
    feed.next_run_at = now + retry_delay(feed.failures)
    feed.save(update_fields=["failures", "next_run_at"])
    run.state = FeedRun.State.FAILED
    run.error = _error_text(exc)[:5000]
    run.attempt = feed.failures
    run.next_retry_at = feed.next_run_at
    run.cursor_after = feed.cursor
    run.finished_at = now
    run.save()


def _succeeded(feed: Feed, run: FeedRun) -> None:
    now = timezone.now()
    feed.failures = 0
    feed.next_run_at = now + timedelta(seconds=feed.interval)
    feed.save(update_fields=["failures", "next_run_at"])
    run.state = FeedRun.State.SUCCEEDED if run.files else FeedRun.State.UNCHANGED
    run.finished_at = now
    run.save()
