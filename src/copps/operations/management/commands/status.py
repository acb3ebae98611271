"""copps status: what the database holds, in one look (read only).

The periods the events cover per kind and source (the same coverage every statistic rests on,
from :mod:`copps.incidents.coverage`), the last import batches, the public tables' version and
the head of the audit chain. It changes nothing: the audit chain head is read, never created.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from copps.accounts.chain import GENESIS, HEAD_ID
from copps.accounts.models import AuditChainHead, AuditLog
from copps.incidents import coverage, sitetime
from copps.incidents.models import ImportBatch
from copps.publish import store

LAST_BATCHES = 5


class Command(BaseCommand):
    help = (
        "Show the data's coverage per source and kind, the last imports, the public tables' version "
        "and the audit chain head."
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
