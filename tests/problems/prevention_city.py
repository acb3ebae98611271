"""A small synthetic place for near-repeat prevention: one district with one beat (worked by the
cast's officer, "Officer J. Ramos"), a year of burglaries with or without planted near repeats,
and a new burglary at 1234 N MAPLE CT the day before the scan's day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
from django.utils import timezone

from copps.community.engagement.models import BeatAssignment
from copps.geo.gazetteer.models import AddressPoint, ReferenceLayer
from copps.incidents.models import Area, Event, ImportBatch, OffenseCategory, Site

AS_OF = date(2024, 6, 30)
LON, LAT = -121.30, 38.70
BOX = {
    "type": "Polygon",
    "coordinates": [[[-121.40, 38.60], [-121.20, 38.60], [-121.20, 38.80], [-121.40, 38.80], [-121.40, 38.60]]],
}
EXTENT = {"min_lon": -121.40, "min_lat": 38.60, "max_lon": -121.20, "max_lat": 38.80}
VICTIM = "Jane Q. Doe"


class Place:
    def __init__(self, officer):
        site = Site.get()
        site.crs = "EPSG:32610"
        site.save()
        self.proj = Site.projector()
        x, y = self.proj.forward(np.array([LON]), np.array([LAT]))
        self.x0, self.y0 = float(x[0]), float(y[0])
        self.district = Area.objects.create(type="district", code="D1", name="North", geometry=BOX, **EXTENT)
        self.beat = Area.objects.create(type="beat", code="B1", name="B1", parent=self.district, geometry=BOX,
                                        **EXTENT)
        BeatAssignment.objects.create(beat=self.beat, officer=officer, display_name="Officer J. Ramos",
                                      work_contact="555-0100 (station desk)")
        self.burglary = OffenseCategory.objects.get_or_create(
            code="burglary", defaults={"name": "Burglary", "kind": "crime", "group": "property"}
        )[0]
        self.batch = ImportBatch.objects.create(file_name="t.csv", sha256="0" * 64, profile="test", source="t",
                                                started_at=timezone.now())
        self.n = 0

    def event(self, dx: float, dy: float, when: datetime, address: str = "", block: str = "") -> Event:
        self.n += 1
        x, y = self.x0 + dx, self.y0 + dy
        lon, lat = self.proj.inverse(np.array([x]), np.array([y]))
        return Event.objects.create(
            kind="crime", source="t", source_id=f"case-{self.n}", batch=self.batch, category=self.burglary,
            beat=self.beat, district=self.district, occurred_from=when,
            offense=f"RESIDENTIAL BURGLARY, VICTIM {VICTIM}",
            address=address, block_address=block, lon=float(lon[0]), lat=float(lat[0]), x=x, y=y, location="inside",
            raw={"victim": VICTIM}, row_hash="x",
        )

    def history(self, near_repeats: bool, seed: int = 1) -> None:
        """A year of burglaries, all at least 15 days before AS_OF: 160 at random over 4 km x 4 km, or
        40 of them each followed by three more within 40 m and five days."""
        rng = np.random.default_rng(seed)
        n = 40 if near_repeats else 160
        for _ in range(n):
            dx, dy = rng.uniform(-2000, 2000, 2)
            back = int(rng.integers(25, 350))
            when = at(AS_OF - timedelta(days=back), hour=int(rng.integers(0, 24)))
            self.event(dx, dy, when)
            if near_repeats:
                for _ in range(3):
                    ox, oy = rng.uniform(-40, 40, 2)
                    self.event(dx + ox, dy + oy, when + timedelta(days=float(rng.uniform(0.5, 5))))

    def new(self, dx: float = 0.0, dy: float = 0.0, day: date = AS_OF - timedelta(days=1)) -> Event:
        return self.event(dx, dy, at(day, 14), address="1234 N MAPLE CT", block="12XX N MAPLE CT")

    def addresses(self) -> None:
        """Address points: the event's own house, three neighbours within 100 m, one 3 km away."""
        layer = ReferenceLayer.objects.create(name="addresses", kind="points", file_name="a.csv", sha256="0" * 64,
                                              loaded_at=timezone.now())
        for number, street, dx, dy in [(1234, "N MAPLE CT", 0, 0), (1240, "N MAPLE CT", 30, 0),
                                       (1251, "N MAPLE CT", 60, 10), (1302, "OAK ST", 0, -80),
                                       (9900, "FAR AWAY RD", 3000, 3000)]:
            lon, lat = self.proj.inverse(np.array([self.x0 + dx]), np.array([self.y0 + dy]))
            AddressPoint.objects.create(layer=layer, number=number, street=street, address=f"{number} {street}",
                                        lon=float(lon[0]), lat=float(lat[0]))


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


@pytest.fixture
def place(db, cast):
    return Place(cast["officer"])
