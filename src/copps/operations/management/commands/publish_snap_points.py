"""copps publish_snap_points: build the fixed map points that public locations are moved to."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from copps.geo.generalise import audit_snap_points, segment_midpoints
from copps.incidents import sitetime
from copps.publish.conf import rules as current_rules
from copps.publish.snaps import build_from_lonlat, event_locations, save_snaps, site_crs


class Command(BaseCommand):
    help = (
        "Build the snap points (police.uk-style anonymous map points) that every public location is "
        "moved to, from an address list (CSV with lon, lat columns), the synthetic city, or event locations."
    )

    def add_arguments(self, parser):
        src = parser.add_mutually_exclusive_group(required=True)
        src.add_argument("--addresses", type=Path, help="CSV of address points with `lon` and `lat` columns")
        src.add_argument("--simulate-seed", type=int, help="use the synthetic city's parcels and street segments")
        src.add_argument("--from-events", action="store_true", help="use the distinct locations of imported events")
        parser.add_argument("--replace", action="store_true", help="replace an existing set (see docs/privacy.md)")

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        from copps.publish.models import SnapPoint

        if SnapPoint.objects.exists() and not opts["replace"]:
            raise CommandError(
                "A snap-point set exists. Rebuilding lets an observer intersect old and new "
                "catchments; pass --replace if you mean it."
            )
        rules = current_rules()
        candidates = None
        if opts["simulate_seed"] is not None:
            from copps.geo.crs import Projector
            from copps.simulate import build_city

            city = build_city(seed=opts["simulate_seed"], years=1, scale=0.01)
            crs = city.crs
            st = city.streets
            mx, my = segment_midpoints(
                st.node_x[st.seg_a], st.node_y[st.seg_a], st.node_x[st.seg_b], st.node_y[st.seg_b]
            )
            proj = Projector(crs)
            lon, lat = proj.inverse(city.parcels.x, city.parcels.y)
            candidates = proj.inverse(mx, my)
        else:
            crs = site_crs()
            if crs is None:
                raise CommandError("No site CRS and no geocoded events: import data first.")
            if opts["addresses"]:
                with opts["addresses"].open(newline="") as f:
                    rows = [(r["lon"], r["lat"]) for r in csv.DictReader(f) if r.get("lon") and r.get("lat")]
                pts = np.array(rows, dtype=float).reshape(-1, 2)
                lon, lat = pts[:, 0], pts[:, 1]
            else:
                lon, lat = event_locations()
        snaps = build_from_lonlat(
            lon, lat, crs, n_min=rules.snap_min_addresses, min_offset_m=rules.min_offset_m, candidates_lonlat=candidates
        )
        if not len(snaps):
            raise CommandError(f"Fewer than {rules.snap_min_addresses} address points: nothing can be published.")
        from copps.geo.crs import Projector

        x, y = Projector(crs).forward(lon, lat)
        report = audit_snap_points(snaps, x, y)
        save_snaps(snaps, crs)
        self.stdout.write(
            f"{report.points:,} snap points from {len(lon):,} address points: each stands for at least "
            f"{report.min_addresses} addresses and lies at least {report.min_offset_m:.1f} m from any."
        )
        # the stored public records carry snap locations: rebuild them on the new set
        from copps.publish.store import refresh

        self.stdout.write(refresh().summary())
