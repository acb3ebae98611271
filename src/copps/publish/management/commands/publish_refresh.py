"""copps publish-refresh: make the stored public tables again for the events that changed
(``--full``: from every event)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from copps.incidents import sitetime
from copps.publish.store import is_stale, refresh, refresh_incremental


class Command(BaseCommand):
    help = (
        "Refresh the public tables (generalised, classified records and their monthly counts) that the "
        "public map, API and downloads read: the records of the events changed since the last refresh are "
        "made again, or every record when that cannot be done one by one. Runs after every import that "
        "changed events, and after any import while an earlier refresh is unfinished; safe to run again "
        "at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="refresh only if events changed since the last completed refresh (for cron)",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="rebuild every record from every event, even if only a few changed",
        )

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        if opts["if_stale"] and not is_stale():
            self.stdout.write("Public tables are up to date with the events; nothing to refresh.")
            return
        result = refresh(why="--full") if opts["full"] else refresh_incremental()
        self.stdout.write(result.summary())
