"""copps restore: restore a backup into an empty database, checking it on the way."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from copps.accounts import backup


class Command(BaseCommand):
    help = ("Restore FILE (made by copps backup) into the configured database, which must be empty. "
            "Refuses a file whose SHA-256 differs from its manifest; checks every table afterwards.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **opts):
        connection.close()
        try:
            manifest = backup.restore(connection.settings_dict, opts["file"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(f"Restored and checked {len(manifest['tables'])} tables, {rows:,} rows from {opts['file']}")
