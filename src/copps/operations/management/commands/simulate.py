"""copps simulate --seed 7 --years 3 [--end DAY] --out DIR: write a synthetic city as real export files,
ending yesterday unless told otherwise (so the demo looks live)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from copps.incidents.scanning import day_argument


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
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--end",
            type=day_argument,
            help="last day (YYYY-MM-DD; default yesterday in the city's zone, America/Los_Angeles)",
        )
        when.add_argument("--start", type=day_argument, help="first day instead (YYYY-MM-DD)")
        parser.add_argument("--out", required=True, type=Path, help="folder to write the files into")

    def handle(self, *args, **opts):
        from copps import simulate
        from copps.simulate.city import yesterday

        if opts["years"] < 1 or opts["scale"] <= 0:
            raise CommandError("--years must be at least 1 and --scale above 0")
        when = {"start": opts["start"]} if opts["start"] else {"end": opts["end"] or yesterday()}
        paths = simulate.generate(opts["seed"], opts["years"], opts["out"], scale=opts["scale"], **when)
        truth = json.loads(paths["truth"].read_text())
        last = date.fromisoformat(truth["end"]) - timedelta(days=1)
        self.stdout.write(f"synthetic city, seed {opts['seed']}: {truth['start']} to {last} (America/Los_Angeles)")
        for name, path in sorted(paths.items()):
            self.stdout.write(f"{name:16} {path}")
