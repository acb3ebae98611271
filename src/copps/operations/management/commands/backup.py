"""copps backup: a consistent, checksummed copy of the database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from copps.accounts import backup


class Command(BaseCommand):
    help = ("Back up the database to FILE (SQLite online backup or pg_dump) with FILE.json holding "
            "its SHA-256 and a row count and checksum per table.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **opts):
        connection.close()
        try:
            manifest = backup.backup(connection.settings_dict, opts["file"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(f"Backed up {len(manifest['tables'])} tables, {rows:,} rows to {opts['file']} "
                          f"(sha256 {manifest['sha256']})")
