"""copps areas import FILE --type beat --name-field BEAT   |   copps areas list"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from copps.incidents.areas import AreaFileError, import_areas
from copps.incidents.models import Area


class Command(BaseCommand):
    help = (
        "Load city limits, beat, district or neighbourhood polygons (GeoJSON, KML/KMZ, shapefile) and assign "
        "events to them; the city limits (or else the union of the areas) are the jurisdiction."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="load polygons from a boundary file and assign every event")
        imp.add_argument("file")
        imp.add_argument(
            "--type",
            required=True,
            choices=Area.Type.values,
            help="city loads the city limits: the jurisdiction that decides which events are inside",
        )
        imp.add_argument("--name-field", required=True, help="the feature property holding the area's name")
        imp.add_argument("--code-field", help="the property holding its code (default: the name field)")
        imp.add_argument("--parent-field", help="the property naming the parent area's code (e.g. DISTRICT)")
        imp.add_argument("--parent-type", choices=["district", "city"], help="the parent areas' type")
        sub.add_parser("list", help="list the areas loaded")

    def handle(self, *args, **opts):
        if opts["action"] == "list":
            for area in Area.objects.select_related("parent"):
                parent = f" (in {area.parent})" if area.parent else ""
                self.stdout.write(f"{area.type:14} {area.code:12} {area.name}{parent}")
            return
        try:
            result = import_areas(
                Path(opts["file"]),
                type=opts["type"],
                name_field=opts["name_field"],
                code_field=opts["code_field"],
                parent_field=opts["parent_field"],
                parent_type=opts["parent_type"],
            )
        except (AreaFileError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
