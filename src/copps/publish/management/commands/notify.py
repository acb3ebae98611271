"""copps notify: mail each confirmed subscriber what is new in their area since they were last told."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from copps.incidents import sitetime
from copps.publish.digest import send_digests


class Command(BaseCommand):
    help = (
        "Send subscribers their digest: new public problems and meetings in their area, public incidents and "
        "community requests near their place, and the updates of the reports they follow. "
        "Idempotent: each item goes to each subscriber once, so re-running sends nothing twice. Run it from cron."
    )

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        run = send_digests()
        self.stdout.write(f"copps notify: {run.mails} mail(s) sent with {run.items} new item(s).")
