"""copps requests import FILE [FILE ...]: load Open311 services and requests (JSON or XML)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from copps.community.importing import Open311FileError, import_files
from copps.incidents import sitetime


class Command(BaseCommand):
    help = ("Load Open311 GeoReport v2 services and service requests (JSON or XML) into copps. "
            "Re-importing changes nothing: requests are matched on service_request_id.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="load services.json / requests.json files (services first)")
        imp.add_argument("files", nargs="+", type=Path)

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        try:
            results = import_files(opts["files"])
        except Open311FileError as exc:
            raise CommandError(str(exc)) from exc
        for result in results:
            self.stdout.write(result.summary())
