"""copps candidates (copps scan candidates): propose candidate problems from the events."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from copps.accounts import audit
from copps.geo.studygrid import GridTooLarge
from copps.incidents import sitetime
from copps.incidents.models import Site
from copps.incidents.scanning import ScanFilter, day_argument, load_events
from copps.problems.scanning import SCANNERS, ScanOptions, run


class Command(BaseCommand):
    help = (
        "Propose candidate problems: persistent hot spots, risky places, near-repeat waves, collision "
        "corridors (and community request clusters). Re-running updates open candidates."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", choices=list(SCANNERS), help="scan only these (repeatable)")
        parser.add_argument("--today", type=day_argument, help="last day scanned (default: the latest event)")
        parser.add_argument("--hot-days", type=int, default=365)
        parser.add_argument("--cell", type=float, default=150.0, help="hot-spot cell size in metres")
        parser.add_argument("--place-top", type=int, default=10)
        parser.add_argument("--recent-days", type=int, default=60, help="window for near-repeat waves")
        parser.add_argument("--permutations", type=int, default=99, help="Knox permutations")
        parser.add_argument("--seed", type=int, default=0)

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        if not Site.get().crs:
            raise CommandError("no events with coordinates yet: import some first (copps import)")
        options = ScanOptions(
            today=opts["today"],
            hot_days=opts["hot_days"],
            hot_cell=opts["cell"],
            place_top=opts["place_top"],
            nr_days=opts["recent_days"],
            permutations=opts["permutations"],
            seed=opts["seed"],
        )
        try:
            report = run(opts["kind"], options)
        except GridTooLarge as exc:
            raise CommandError(f"{exc} (--cell)") from exc
        audit.record(
            "candidates.scan", object_type="candidate", params={"options": options.as_dict(), "report": report}
        )
        ev = load_events(ScanFilter())
        left_out = ev.left_out_text(what="the spatial scans")
        if left_out:
            self.stdout.write(left_out + " (`copps events outside` lists the misplaced ones)")
        for kind, counts in report.items():
            self.stdout.write(
                f"{kind:20} proposed {counts['proposed']:3}, new {counts['created']:3}, "
                f"updated {counts['updated']:3}, kept (decided) {counts['kept']:3}"
            )
