"""copps gazetteer: rebuild the hundred-block gazetteer the "who is my beat officer" page uses."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from copps.community.engagement import gazetteer


class Command(BaseCommand):
    help = (
        "Rebuild the address gazetteer (one point per hundred block) from the imported, geocoded events. "
        "Run it after an import so that new streets can be found."
    )

    def handle(self, *args, **opts):
        n = gazetteer.rebuild()
        self.stdout.write(f"Gazetteer rebuilt: {n:,} hundred blocks.")
