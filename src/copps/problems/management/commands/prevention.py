"""copps prevention scan: open near-repeat prevention windows for new events (run daily by the worker)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from copps.accounts import audit
from copps.incidents import sitetime
from copps.incidents.models import Site
from copps.incidents.scanning import day_argument
from copps.problems import prevention


class Command(BaseCommand):
    help = (
        "Near-repeat prevention: open a prevention window (door-knock and revisit tasks for the beat officer, "
        "a cocoon-notice letter) for each new event of a prevention category in an area with a significant "
        "near-repeat pattern, and record the outcome of ended windows. Re-running opens nothing twice."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("scan", help="open windows for the new events, close ended ones")
        s.add_argument("--as-of", type=day_argument, help="the scan's day (default: the last complete day of data)")
        s.add_argument("--batch", type=int, help="only the events of this import batch")

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        if not Site.get().crs:
            raise CommandError("no events with coordinates yet: import some first (copps import)")
        result = prevention.scan(as_of=opts["as_of"], batch_id=opts["batch"])
        audit.record(
            "prevention.scan",
            object_type="prevention_window",
            params={"as_of": str(result.as_of), "batch": opts["batch"], "created": result.created,
                    "merged": result.merged, "capped": result.capped, "ended": result.ended},
        )
        self.stdout.write(result.summary())
