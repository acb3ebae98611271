"""copps requests import FILE [FILE ...] [--profile P [--skip-bad]]: load Open311 services and
requests (JSON or XML), or a 311 CSV export through a service-request profile."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from copps.community.importing import Open311FileError, import_files
from copps.incidents import sitetime
from copps.incidents.importing.errors import ImportFailed, ProfileError


class Command(BaseCommand):
    help = ("Load Open311 GeoReport v2 services and service requests (JSON or XML) into copps, or a "
            "311 CSV export with --profile (a profile with kind = \"request\", docs/import-profiles.md). "
            "Re-importing changes nothing: requests are matched on service_request_id.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="load services.json / requests.json files (services first)")
        imp.add_argument("files", nargs="+", type=Path)
        imp.add_argument("--profile", help="read the files as 311 CSV exports with this request profile "
                         "(a built-in name or a TOML path)")
        imp.add_argument("--skip-bad", action="store_true",
                         help="with --profile: load the good rows and list the bad ones")

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        if opts["profile"]:
            return self._csv(opts)
        try:
            results = import_files(opts["files"])
        except Open311FileError as exc:
            raise CommandError(str(exc)) from exc
        for result in results:
            self.stdout.write(result.summary())

    def _csv(self, opts) -> None:
        from copps.community.requests_csv import import_request_csv
        from copps.incidents.importing import load_profile

        try:
            profile = load_profile(opts["profile"])
        except ProfileError as exc:
            raise CommandError(str(exc)) from exc
        if profile.kind != "request":
            raise CommandError(
                f"{opts['profile']} is a {profile.kind} profile: police exports load with copps import FILE "
                f"--profile {opts['profile']}; service requests need a profile with kind = \"request\""
            )
        for path in opts["files"]:
            try:
                result = import_request_csv(path, profile, skip_bad=opts["skip_bad"])
            except ImportFailed as exc:
                for err in exc.errors:
                    self.stderr.write(str(err))
                raise CommandError(str(exc)) from exc
            self.stdout.write(result.summary())
