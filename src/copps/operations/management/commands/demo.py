"""copps demo: a working copps on a synthetic city, from an empty database to a served app."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from copps.accounts import mfa
from copps.incidents import sitetime
from copps.incidents.models import Event, Feed, Site
from copps.incidents.scanning import day_argument

DEMO_USERS = [
    # username, role, password (demo only: printed on start-up)
    ("officer", "officer", "officer-demo-pass"),
    ("analyst", "analyst", "analyst-demo-pass"),
    ("supervisor", "supervisor", "supervisor-demo-pass"),
    ("admin", "admin", "admin-demo-pass"),
    ("auditor", "auditor", "auditor-demo-pass"),
]

DATA_FILES = [("crimes.csv", "sfpd"), ("calls.csv", "seattle-911"), ("collisions.txt", "switrs")]
FEED_NAME = "demo-drop"
FEED_ROWS = 12  # the newest crimes, as the records system's next export would bring them


class Command(BaseCommand):
    help = "Set up the demo (database, synthetic city, imports, demo users) and serve it at http://127.0.0.1:8000/."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, default=Path("var/demo-city"), help="where the city's files go")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument(
            "--end", type=day_argument, help="the city's last day (YYYY-MM-DD; default yesterday, so it looks live)"
        )
        parser.add_argument("--no-serve", action="store_true", help="set up only")
        parser.add_argument("--bind", default="127.0.0.1:8000")

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        if settings.MODE != "demo":
            raise CommandError(
                "copps demo creates accounts with published passwords: it runs only with COPPS_MODE=demo"
            )
        call_command("migrate", verbosity=0, interactive=False)
        data_dir: Path = opts["data_dir"]
        if not Event.objects.exists():
            self.setup_city(data_dir, opts["seed"], opts["years"], opts["end"])
        else:
            self.stdout.write(f"The database already holds {Event.objects.count():,} events; keeping them.")
        self.create_users()
        if (data_dir / "truth.json").exists():
            # scanned candidates and two worked example problems, one assessed against the planted intervention
            call_command("problems_demo", truth=data_dir / "truth.json", stdout=self.stdout._out)
            # the example problem on the public portal, with simulated residents' answers
            call_command("publish_demo", stdout=self.stdout._out)
        # a survey with answers, a watch group, meetings and beat officers (after the users: officers)
        call_command("engagement_demo", stdout=self.stdout._out)
        # requests filed through the report page and anonymous tips, with the department's replies
        call_command("community_demo", stdout=self.stdout._out)
        if (data_dir / "crimes.csv").exists():
            self.setup_feed(data_dir)
        if not opts["no_serve"]:
            call_command("serve", bind=opts["bind"])

    def setup_city(self, data_dir: Path, seed: int, years: int, end: date | None = None) -> None:
        from copps.simulate.city import period, yesterday

        end = end or yesterday()
        first, days = period(years, end=end)
        wanted = {"seed": seed, "start": first.isoformat(), "end": (first + timedelta(days=days)).isoformat()}
        truth_path = data_dir / "truth.json"
        have = json.loads(truth_path.read_text()) if truth_path.exists() else {}
        if any(have.get(k) != v for k, v in wanted.items()):  # absent, or another seed or period (e.g. stale)
            self.stdout.write(
                f"Generating the synthetic city (seed {seed}, {years} years to {end}) in {data_dir} ..."
            )
            call_command("simulate", seed=seed, years=years, end=end, out=data_dir, stdout=self.stdout._out)
        site = Site.get()
        site.name = "Citrus Heights (synthetic demo city)"
        site.save()
        for name, type_, extra in [
            ("districts.geojson", "district", {"name_field": "NAME", "code_field": "DISTRICT"}),
            ("beats.geojson", "beat", {"name_field": "BEAT", "parent_field": "DISTRICT", "parent_type": "district"}),
            ("neighbourhoods.geojson", "neighbourhood", {"name_field": "NAME", "code_field": "CODE"}),
        ]:
            if (data_dir / name).exists():
                call_command("areas", "import", str(data_dir / name), type=type_, stdout=self.stdout._out, **extra)
        if (data_dir / "requests.json").exists():
            # community service requests, after the areas so each gets its beat
            call_command(
                "requests",
                "import",
                str(data_dir / "services.json"),
                str(data_dir / "requests.json"),
                stdout=self.stdout._out,
            )
        # the city's reference geography: geocodes address-only files (copps geocode) and draws its streets
        for action, name in (
            ("load-points", "address_points.csv"),
            ("load-streets", "streets.geojson"),
            ("load-parks", "parks.geojson"),  # drawn in green on the public base map
        ):
            if (data_dir / name).exists():
                call_command("geocode", action, str(data_dir / name), stdout=self.stdout._out)
        # the public maps' base map (streets, names, city limits), built once now, not by a first visitor
        from copps.publish.basemap import warm

        sizes = warm()
        self.stdout.write(f"Base map: {len(sizes)} zoom bands, {sum(sizes) // 1024:,} KB.")
        for name, profile in DATA_FILES:
            call_command("import_events", str(data_dir / name), profile=profile, stdout=self.stdout._out)
        # public map points, each standing for at least 8 of the city's addresses
        call_command("publish_snap_points", simulate_seed=seed, replace=True, stdout=self.stdout._out)
        truth = json.loads((data_dir / "truth.json").read_text())
        self.stdout.write(f"Synthetic city ready: {Event.objects.count():,} events (seed {truth.get('seed', seed)}).")

    def setup_feed(self, data_dir: Path) -> None:
        """A watched folder, as a records system's nightly export fills it, with one export dropped
        in: the worker `make demo` starts imports it by itself (the Jobs page shows the job)."""
        folder = (data_dir / "feed-drop").resolve()
        folder.mkdir(parents=True, exist_ok=True)
        if not Feed.objects.filter(name=FEED_NAME).exists():
            call_command(
                "feeds", "add", FEED_NAME, "--kind", "folder", "--location", str(folder), "--profile", "sfpd",
                "--every", "5m", stdout=self.stdout._out,
            )  # fmt: skip
        with (data_dir / "crimes.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        header, newest = rows[0], rows[-FEED_ROWS:]
        renamed = [header.index(c) for c in ("Row ID", "Incident ID", "Incident Number")]
        for row in newest:  # records the city's files do not hold yet
            for i in renamed:
                row[i] = f"{row[i]}9"
        export = folder / "rms-export.csv"
        partial = folder / "rms-export.csv.part"  # written under a partial name, then renamed whole
        with partial.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows([header, *newest])
        partial.replace(export)
        self.stdout.write(
            f"Feed {FEED_NAME} watches {folder}: `copps worker` imports each new file dropped there "
            f"(one is waiting: {export.name}); see the Jobs page and `copps feeds list`."
        )

    def create_users(self) -> None:
        User = get_user_model()
        self.stdout.write("\nDemo accounts (demo only; never use these passwords for real):")
        for username, role, password in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
            user.role = role
            user.is_staff = user.is_superuser = role == "admin"
            user.set_password(password)
            user.save()
            secret = mfa.ensure_device(user)  # staff confirm every sign-in with a second factor
            self.stdout.write(f"  {role:11} user {username:11} password {password:21} authenticator secret {secret}")
        self.stdout.write(
            "Staff confirm each sign-in with a 6-digit code: add the secret to an authenticator app "
            "(time-based, 30 s), or run `copps mfa_code USER` for the current code (demo only).\n"
        )
