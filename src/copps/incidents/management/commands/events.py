"""copps events outside [--csv FILE] [--limit N] [--recompute]: the events whose place is wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand
from django.utils import timezone

from copps import files
from copps.geo.jurisdiction import invalid_reasons
from copps.incidents import jurisdiction
from copps.incidents.models import Event, Location
from copps.incidents.scan_output import table

HEADERS = ["source", "source id", "date", "address", "lat", "lon", "status", "why"]


class Command(BaseCommand):
    help = (
        "List events outside the jurisdiction or at impossible places (0,0, out of range), so a person "
        "can fix them at the source; they are kept but left out of maps and hot spots."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        out = sub.add_parser("outside", help="events outside the jurisdiction or at impossible places")
        out.add_argument("--csv", type=Path, help="also write every one of them as CSV")
        out.add_argument("--limit", type=int, default=50, help="rows to print (default 50; the CSV has all)")
        out.add_argument("--buffer", action="store_true", help="also list events in the buffer just outside")
        out.add_argument(
            "--recompute", action="store_true", help="judge every event again against the jurisdiction first"
        )

    def handle(self, *args, **opts):
        if opts["recompute"]:
            jurisdiction.recompute()
        else:
            jurisdiction.ensure_classified()
        j = jurisdiction.current()
        counts = jurisdiction.location_counts()
        self.stdout.write(f"jurisdiction: {j.label if j else 'none yet (no geocoded events)'}")
        self.stdout.write(f"geocoded events: {jurisdiction.describe_counts(counts)}")
        statuses = [Location.OUTSIDE, Location.INVALID] + ([Location.BUFFER] if opts["buffer"] else [])
        qs = Event.objects.filter(location__in=statuses).order_by("source", "source_id")
        rows = self.rows(qs, j)
        if not rows:
            self.stdout.write("no events outside the jurisdiction or at impossible places")
        else:
            shown = rows[: max(opts["limit"], 0)]
            self.stdout.write(table(HEADERS, shown))
            if len(shown) < len(rows):
                self.stdout.write(f"... and {len(rows) - len(shown):,} more (--csv FILE writes them all)")
        if opts["csv"]:
            files.write_csv(opts["csv"], HEADERS, rows)
            self.stdout.write(f"written {opts['csv']} ({len(rows):,} events)")

    @staticmethod
    def rows(qs, j) -> list[list]:
        fields = ("source", "source_id", "occurred_from", "address", "lat", "lon", "x", "y", "location")
        data = list(qs.values_list(*fields))
        if not data:
            return []

        def col(k):
            return np.array([np.nan if r[k] is None else r[k] for r in data], dtype=float)

        lat, lon, x, y = col(4), col(5), col(6), col(7)
        reasons = invalid_reasons(lon, lat)
        far = j.distance_m(x, y) if j is not None else np.full(len(data), np.nan)
        out = []
        for i, (source, sid, when, address, la, lo, _, _, status) in enumerate(data):
            if status == Location.INVALID:
                why = reasons[i] or "an impossible place"
            elif np.isfinite(far[i]):
                why = f"{far[i] / 1000:,.1f} km from {j.source_text}"
            else:
                why = "too far away to project into the site's coordinates"
            out.append(
                [
                    source,
                    sid,
                    timezone.localtime(when).date().isoformat(),
                    address,
                    "" if la is None else f"{la:.6f}",
                    "" if lo is None else f"{lo:.6f}",
                    status,
                    why,
                ]
            )
        return out
