"""copps simulate --seed 7 --years 3 --out DIR: write a synthetic city as real export files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Generate a synthetic city (streets, land use, planted hot spots, risky facilities, near-repeat "
        "burglary, collision corridors, service requests and a past intervention) as files in real "
        "export formats plus truth.json. See docs/simulate.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = a suburban city of ~87,000 people")
        parser.add_argument("--start", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
        parser.add_argument("--out", required=True, type=Path, help="folder to write the files into")

    def handle(self, *args, **opts):
        from copps import simulate

        if opts["years"] < 1 or opts["scale"] <= 0:
            raise CommandError("--years must be at least 1 and --scale above 0")
        kwargs = {"start": opts["start"]} if opts["start"] else {}
        paths = simulate.generate(opts["seed"], opts["years"], opts["out"], scale=opts["scale"], **kwargs)
        for name, path in sorted(paths.items()):
            self.stdout.write(f"{name:16} {path}")
