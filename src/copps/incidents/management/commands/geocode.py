"""copps geocode load-points FILE | load-streets FILE | load-parks FILE | layers | run --source S"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from copps.geo.features import FeatureFileError
from copps.incidents.importing.errors import ImportFailed


class Command(BaseCommand):
    help = (
        "Geocode addresses from the department's own reference data, offline: load address points "
        "(load-points) and street centrelines with address ranges (load-streets), list them (layers), "
        "and give the events of a source that have no coordinates a point from their address (run). "
        "Import profiles geocode while importing with a [geocode] section (docs/import-profiles.md)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        points = sub.add_parser("load-points", help="load an address-point file (CSV, GeoJSON or shapefile)")
        points.add_argument("file")
        points.add_argument("--name", help="layer name (default: the file's name without extension)")
        points.add_argument("--address-field", help="the field holding the whole address, e.g. 7512 MAPLE CT")
        points.add_argument("--number-field", help="the house-number field (with --street-field)")
        points.add_argument("--street-field", help="the street-name field (with --number-field)")
        points.add_argument("--lon-field", help="CSV: the longitude column")
        points.add_argument("--lat-field", help="CSV: the latitude column")
        streets = sub.add_parser("load-streets", help="load street centrelines with address ranges (GeoJSON/shapefile)")
        streets.add_argument("file")
        streets.add_argument("--name", help="layer name (default: the file's name without extension)")
        streets.add_argument("--name-field", help="the street-name field (default: FULLNAME, or PREDIR NAME SUFTYP)")
        streets.add_argument(
            "--class-field", help="the road-class field the base map draws by (default: CLASS, MTFCC, FUNC_CLASS ...)"
        )
        for key, flag in (
            ("left_from", "--left-from"),
            ("left_to", "--left-to"),
            ("right_from", "--right-from"),
            ("right_to", "--right-to"),
            ("from", "--from"),
            ("to", "--to"),
        ):
            streets.add_argument(flag, dest=f"range_{key}", help=f"the {key.replace('_', ' ')} house-number field")
        parks = sub.add_parser("load-parks", help="load parks (polygons) for the public base map (GeoJSON/shapefile)")
        parks.add_argument("file")
        parks.add_argument("--name", help="layer name (default: the file's name without extension)")
        parks.add_argument("--name-field", help="the park-name field (default: NAME, PARK_NAME ...)")
        sub.add_parser("layers", help="list the loaded reference layers")
        run = sub.add_parser("run", help="geocode a source's events that have no coordinates")
        run.add_argument("--source", required=True, help="the events' source (the profile name by default)")
        run.add_argument("--layers", nargs="+", help="reference layers to use (default: every loaded layer)")
        run.add_argument("--column", help="the raw column holding the address (default: the event's address)")

    def handle(self, *args, **opts):
        try:
            getattr(self, "_" + opts["action"].replace("-", "_"))(opts)
        except (FeatureFileError, ImportFailed) as exc:
            raise CommandError(str(exc)) from exc

    def _load_points(self, opts):
        from copps.geo.gazetteer.loading import load_points

        result = load_points(
            opts["file"],
            name=opts["name"],
            address_field=opts["address_field"],
            number_field=opts["number_field"],
            street_field=opts["street_field"],
            lon_field=opts["lon_field"],
            lat_field=opts["lat_field"],
        )
        self.stdout.write(result.summary())

    def _load_streets(self, opts):
        from copps.geo.gazetteer.loading import load_streets

        ranges = {k[6:]: v for k, v in opts.items() if k.startswith("range_") and v}
        result = load_streets(
            opts["file"],
            name=opts["name"],
            name_field=opts["name_field"],
            ranges=ranges,
            class_field=opts["class_field"],
        )
        self.stdout.write(result.summary())

    def _load_parks(self, opts):
        from copps.geo.gazetteer.loading import load_parks

        result = load_parks(opts["file"], name=opts["name"], name_field=opts["name_field"])
        self.stdout.write(result.summary())

    def _layers(self, opts):
        from copps.geo.gazetteer.models import ReferenceLayer

        layers = list(ReferenceLayer.objects.all())
        if not layers:
            self.stdout.write(_("No reference layers loaded: copps geocode load-points / load-streets FILE"))
        for layer in layers:
            self.stdout.write(
                f"{layer.name:24} {layer.get_kind_display():20} {layer.features:>9,} "
                f"({layer.skipped:,} skipped)  {layer.file_name}  {layer.loaded_at:%Y-%m-%d %H:%M}"
            )

    def _run(self, opts):
        from copps.incidents import signals, sitetime
        from copps.incidents.importing.geocode import geocode_events
        from copps.incidents.models import Event, ImportBatch

        if not Event.objects.filter(source=opts["source"]).exists():
            sources = ", ".join(sorted(set(Event.objects.values_list("source", flat=True).distinct()))) or "none"
            raise CommandError(f"no events of source {opts['source']!r}; sources: {sources}")
        report = geocode_events(opts["source"], layers=opts["layers"], column=opts["column"])
        self.stdout.write(f"{opts['source']}: " + report.summary(where="event"))
        with sitetime.in_zone():
            answers = signals.import_finished.send(sender=ImportBatch, batch_id=None)
        for _receiver, answer in answers:
            if answer is not None:
                self.stdout.write(answer.summary())
