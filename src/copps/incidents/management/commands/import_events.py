"""copps import FILE --profile NAME|PATH [--skip-bad] [--source NAME] [--dry-run] [--reprocess] [--path P]"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from copps.incidents import signals, sitetime
from copps.incidents.importing import ImportFailed, builtin_profiles, import_file, load_profile
from copps.incidents.importing.columnar import PATHS
from copps.incidents.importing.errors import ProfileError
from copps.incidents.models import ImportBatch


class Progress:
    """A one-line progress display with rows/s, redrawn at most twice a second (stderr)."""

    def __init__(self, label: str, stream=None):
        self.label, self.stream = label, stream or sys.stderr
        self.start = self.last = time.monotonic()

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 or not self.stream.isatty():
            return
        self.last = now
        rate = rows / max(now - self.start, 1e-9)
        self.stream.write(f"\r{self.label}: {rows:,} rows read, {rate:,.0f} rows/s ")
        self.stream.flush()

    def done(self) -> None:
        if self.last != self.start:
            self.stream.write("\n")


class Command(BaseCommand):
    help = (
        "Import a police export (incidents, calls for service or collisions). "
        "Built-in profiles: " + ", ".join(builtin_profiles()) + "; or the path of your own TOML profile "
        "(docs/import-profiles.md). A file with bad rows imports nothing unless --skip-bad is given. "
        "Re-importing a file changes nothing; a newer version of a record (same id) updates it."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `copps import` is this command's public name (`import` is a Python keyword).
        return super().create_parser(prog_name, "import", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", help="the export file (CSV / TSV, optionally gzipped)")
        parser.add_argument("--profile", required=True, help="a built-in profile name or a TOML profile path")
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="import the good rows; write the bad ones to FILE.rejects.csv beside the input",
        )
        parser.add_argument("--source", help="name of the data source (default: the profile's)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read, check and count everything, print the summary, and write nothing",
        )
        parser.add_argument(
            "--reprocess",
            action="store_true",
            help="re-apply the profile (categories, filters, geocoding) to rows already imported from this "
            "source, and report what changed; undo with copps batches rollback ID",
        )
        parser.add_argument(
            "--path",
            choices=PATHS,
            default="auto",
            help="how rows are read: columnar (column by column, fast), row (one row at a time) or auto "
            "(columnar unless the profile uses [[extract]], [filter], [values] or [geocode]); both give the "
            "same events, and the summary says which was taken",
        )

    def handle(self, *args, **opts):
        try:
            profile = load_profile(opts["profile"])
        except ProfileError as exc:
            raise CommandError(str(exc)) from exc
        if profile.kind == "request":
            raise CommandError(
                f'{opts["profile"]} is a service-request profile (kind = "request"): load the file with '
                f"copps requests import {opts['file']} --profile {opts['profile']}"
            )
        progress = Progress(f"importing {opts['file']}")
        try:
            result = import_file(
                opts["file"],
                profile,
                skip_bad=opts["skip_bad"],
                source=opts["source"],
                progress=progress,
                dry_run=opts["dry_run"],
                reprocess=opts["reprocess"],
                route=opts["path"],
            )
        except ImportFailed as exc:
            progress.done()
            for err in exc.errors:
                self.stderr.write(str(err))
            raise CommandError(str(exc)) from exc
        progress.done()
        for err in result.errors:
            self.stderr.write(str(err))
        self.stdout.write(result.summary())
        if result.reprocess:
            self.stdout.write(f"batch {result.batch_id}: undo it with `copps batches rollback {result.batch_id}`")
        elif not (result.inserted or result.updated) and result.unchanged:
            self.stdout.write(
                "nothing changed: a changed profile is applied to rows already imported only with --reprocess"
            )
        for warning in result.warnings:
            self.stdout.write(f"warning: {warning}")
        if result.rejects_path:
            self.stdout.write(f"{result.rejected:,} bad rows written to {result.rejects_path}")
        if result.dry_run:
            return
        # Always, even when this run changed nothing: the public tables' rebuild is driven by a
        # marker the import sets in its own transaction, so re-running an import whose rebuild
        # was killed finishes that rebuild (the receivers live in the rooms that derive tables).
        with sitetime.in_zone():  # the zone this import may just have set
            answers = signals.import_finished.send(sender=ImportBatch, batch_id=result.batch_id)
        for _receiver, answer in answers:
            if answer is not None:
                self.stdout.write(answer.summary())
        if result.inserted or result.updated or result.superseded or result.removed:
            self._coverage()

    def _coverage(self) -> None:
        """Say what the data now covers, per kind and source, in the site's zone; computing it here
        also fills the cache the pages read (a first computation takes seconds at 10M events)."""
        from copps.incidents import coverage

        with sitetime.in_zone():  # the zone this import may just have set, and none left behind
            for row in coverage.table():
                if row.kind and row.source:
                    self.stdout.write(f"{row.kind} ({row.source}): {coverage.describe(row.coverage)}")
