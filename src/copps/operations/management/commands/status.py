"""copps status: what the database holds, in one look (read only).

The periods the events cover per kind and source (the same coverage every statistic rests on,
from :mod:`copps.incidents.coverage`), the last import batches, the feeds and their last runs,
the job queue's depth and the workers seen, the public tables' version and the head of the audit
chain. It changes nothing: the audit chain head is read, never created.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from copps.accounts.chain import GENESIS, HEAD_ID
from copps.accounts.models import AuditChainHead, AuditLog
from copps.incidents import coverage, sitetime
from copps.incidents.models import Feed, ImportBatch
from copps.jobs.models import WorkerBeat
from copps.publish import store

LAST_BATCHES = 5


class Command(BaseCommand):
    help = (
        "Show the data's coverage per source and kind, the last imports, the feeds' last runs, the job "
        "queue, the public tables' version and the audit chain head."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batches", type=int, default=LAST_BATCHES, help="how many of the last imports to list")

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        out = self.stdout
        out.write("Data coverage (per kind and source):")
        rows = [row for row in coverage.table() if row.kind and row.source]
        if not rows:
            out.write("  no events yet: import some with `copps import FILE --profile NAME`")
        for row in rows:
            events = f"{row.coverage.events:>9,} events"
            out.write(f"  {row.kind:10} {row.source:16} {events}; {coverage.describe(row.coverage)}")

        out.write("\nLast imports:")
        batches = list(ImportBatch.objects.order_by("-started_at", "-id")[: max(opts["batches"], 0)])
        if not batches:
            out.write("  none")
        for b in batches:
            finished = f"{b.finished_at:%Y-%m-%d %H:%M}" if b.finished_at else "not finished"
            out.write(
                f"  #{b.pk} {b.file_name} ({b.profile}, {b.source}) started {b.started_at:%Y-%m-%d %H:%M}, "
                f"{finished}: {b.read} read, {b.inserted} inserted, {b.updated} updated, {b.rejected} rejected"
            )

        out.write("\nFeeds:")
        feeds = list(Feed.objects.order_by("name"))
        if not feeds:
            out.write("  none (copps feeds add defines one)")
        for feed in feeds:
            run = feed.runs.order_by("-started_at", "-id").first()
            if run is None:
                last = "never run"
            else:
                last = (
                    f"last run {run.started_at:%Y-%m-%d %H:%M} {run.state}: {run.added} added, {run.updated} updated, "
                    f"{run.rejected} rejected" + (f"; {run.error.splitlines()[0]}" if run.error else "")
                )
            off = "" if feed.enabled else " (disabled)"
            out.write(f"  {feed.name} ({feed.kind}){off}: {last}")

        out.write("\nBackground jobs:")
        by_status = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")))
        day_ago = timezone.now() - timedelta(days=1)
        failed = DBTaskResult.objects.filter(status="FAILED", finished_at__gte=day_ago).count()
        seen = WorkerBeat.objects.filter(last_seen__gte=day_ago).count()
        out.write(
            f"  {by_status.get('READY', 0)} queued, {by_status.get('RUNNING', 0)} running, "
            f"{failed} failed in the last 24 hours; {seen} worker(s) checked in during the last 24 hours"
        )

        state = store.state()
        out.write("\nPublic tables:")
        if not state.pk:
            out.write("  never built (copps publish-refresh builds them)")
        else:
            refreshed = f"{state.refreshed_at:%Y-%m-%d %H:%M}" if state.refreshed_at else "never"
            stale = "; stale: an import changed events since" if state.dirty else ""
            out.write(f"  version {state.version}, {state.records:,} records, refreshed {refreshed}{stale}")

        out.write("\nAudit chain:")
        head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
        rows_n = AuditLog.objects.count()
        if head is None:
            last = AuditLog.objects.order_by("-id").first()
            last_id, last_hash = (last.pk, last.row_hash) if last else (0, GENESIS)
        else:
            last_id, last_hash = head.last_id, head.last_hash
        out.write(f"  {rows_n:,} rows; head at row {last_id}, hash {last_hash}")
