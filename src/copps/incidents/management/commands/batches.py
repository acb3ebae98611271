"""copps batches [list] | copps batches show ID | copps batches rollback ID"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from copps.incidents import coverage, signals, sitetime
from copps.incidents.importing.batches import BatchError, later_batches, rollback
from copps.incidents.models import ImportBatch, PriorVersion


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "-"


class Command(BaseCommand):
    help = (
        "List import batches, show one, or roll one back: rollback deletes the events the batch "
        "inserted and restores those it updated or removed, in one transaction, audited. A batch whose "
        "events a later batch changed again is refused until that later batch is rolled back."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action")
        sub.add_parser("list", help="every batch, newest first (the default)")
        show = sub.add_parser("show", help="one batch's counts, errors and what a rollback would do")
        show.add_argument("id", type=int)
        undo = sub.add_parser("rollback", help="undo one batch")
        undo.add_argument("id", type=int)
        undo.add_argument("--by", default="", help="who is rolling it back (recorded in the audit log)")

    def handle(self, *args, **opts):
        action = opts.get("action") or "list"
        if action == "list":
            return self._list()
        batch = ImportBatch.objects.filter(pk=opts["id"]).first()
        if batch is None:
            raise CommandError(f"there is no import batch {opts['id']} (copps batches lists them)")
        if action == "show":
            return self._show(batch)
        return self._rollback(batch, opts["by"])

    def _list(self) -> None:
        batches = list(ImportBatch.objects.order_by("-id"))
        if not batches:
            self.stdout.write("no import batches yet (copps import FILE --profile NAME)")
            return
        self.stdout.write(
            f"{'id':>5}  {'source':16} {'profile':16} {'imported':20} {'inserted':>9} {'updated':>9} "
            f"{'unchanged':>9} {'rejected':>9}  file / state"
        )
        for b in batches:
            state = f"rolled back {_when(b.rolled_back_at)}" if b.rolled_back_at else ""
            if b.reprocess:
                state = ("reprocess; " + state).rstrip("; ")
            self.stdout.write(
                f"{b.id:>5}  {b.source[:16]:16} {b.profile[:16]:16} {_when(b.started_at):20} {b.inserted:>9,} "
                f"{b.updated:>9,} {b.unchanged:>9,} {b.rejected:>9,}  {b.file_name}"
                + (f" [{state}]" if state else "")
            )

    def _show(self, b: ImportBatch) -> None:
        lines = [
            f"batch {b.id}: {b.file_name} (sha256 {b.sha256[:12]}…)",
            f"source {b.source}, profile {b.profile}{', reprocess' if b.reprocess else ''}",
            f"imported {_when(b.started_at)} to {_when(b.finished_at)}"
            + (f" by {b.user.get_username()}" if b.user_id else ""),
            ", ".join(f"{name} {getattr(b, name):,}" for name in ImportBatch.COUNTS),
        ]
        if b.rolled_back_at:
            by = f" by {b.rolled_back_by}" if b.rolled_back_by else ""
            lines.append(f"rolled back {_when(b.rolled_back_at)}{by}")
        else:
            kept = PriorVersion.objects.filter(batch=b)
            inserted = b.events.exclude(id__in=kept.values("event_id")).count()
            lines.append(
                f"a rollback would delete {inserted:,} events, restore "
                f"{kept.filter(change=PriorVersion.Change.UPDATED).count():,} and put back "
                f"{kept.filter(change=PriorVersion.Change.REMOVED).count():,}"
            )
            later = later_batches(b)
            if later:
                lines.append(f"refused until later batch(es) {', '.join(map(str, later))} are rolled back")
        lines += [f"error: {e}" for e in b.errors[:20]]
        if len(b.errors) > 20:
            lines.append(f"... and {len(b.errors) - 20:,} more errors")
        self.stdout.write("\n".join(lines))

    def _rollback(self, batch: ImportBatch, by: str) -> None:
        try:
            result = rollback(batch.id, username=by)
        except BatchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
        # after the commit, like an import: the public tables' rebuild and the coverage it changed
        with sitetime.in_zone():
            answers = signals.import_finished.send(sender=ImportBatch, batch_id=batch.id)
            for _receiver, answer in answers:
                if answer is not None:
                    self.stdout.write(answer.summary())
            for row in coverage.table():
                if row.kind and row.source:
                    self.stdout.write(f"{row.kind} ({row.source}): {coverage.describe(row.coverage)}")
