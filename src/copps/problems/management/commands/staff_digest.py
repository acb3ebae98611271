"""copps staff-digest: mail supervisors what waits for them (stage requests, quiet problems)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from copps.incidents import sitetime
from copps.problems.digest import send_staff_digests


class Command(BaseCommand):
    help = (
        "Mail each supervisor and administrator the stage requests waiting for their decision and the "
        "problems with no recent activity: one mail a day at most, none when nothing waits. Run it daily "
        "from cron (or `copps jobs enqueue staff-digest`); a second run the same day sends nothing."
    )

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        self.stdout.write(send_staff_digests().summary())
