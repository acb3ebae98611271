"""copps publish-refresh: rebuild the stored public tables from every event."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from copps.incidents import sitetime
from copps.publish.store import is_stale, refresh


class Command(BaseCommand):
    help = (
        "Rebuild the public tables (generalised, classified records and their monthly counts) that the "
        "public map, API and downloads read. Runs after every import that changed events, and after "
        "any import while an earlier rebuild is unfinished; safe to run again at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="rebuild only if an import changed events since the last completed rebuild (for cron)",
        )

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        if opts["if_stale"] and not is_stale():
            self.stdout.write("Public tables are up to date with the events; nothing to rebuild.")
            return
        self.stdout.write(refresh().summary())
