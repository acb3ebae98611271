"""copps publish-refresh: rebuild the stored public tables from every event."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from copps.incidents import sitetime
from copps.publish.store import refresh


class Command(BaseCommand):
    help = (
        "Rebuild the public tables (generalised, classified records and their monthly counts) that the "
        "public map, API and downloads read. Runs after every import; safe to run again at any time."
    )

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        self.stdout.write(refresh().summary())
