"""A small town for the privacy tests: two districts, address points, snap points, and events
with canary strings in every field that must never reach the public."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from copps.geo.crs import Projector
from copps.geo.generalise import build_snap_points
from copps.incidents.models import Area, Event, ImportBatch, OffenseCategory, Site
from copps.publish.snaps import save_snaps

CRS = "EPSG:32610"
X0, Y0 = 650_000.0, 4_285_000.0  # near Citrus Heights, California


def _square(x0, y0, x1, y1):
    lon, lat = Projector(CRS).inverse(np.array([x0, x1, x1, x0, x0]), np.array([y0, y0, y1, y1, y0]))
    return {"type": "Polygon", "coordinates": [[[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]]}


def make_area(type_, code, name, x0, y0, x1, y1, parent=None):
    geom = _square(x0, y0, x1, y1)
    ring = np.array(geom["coordinates"][0])
    return Area.objects.create(
        type=type_,
        code=code,
        name=name,
        parent=parent,
        geometry=geom,
        min_lon=ring[:, 0].min(),
        min_lat=ring[:, 1].min(),
        max_lon=ring[:, 0].max(),
        max_lat=ring[:, 1].max(),
    )


@dataclass
class Town:
    addresses: np.ndarray  # (n, 2) metres
    districts: dict
    beats: dict
    batch: ImportBatch
    canaries: list[str] = field(default_factory=list)
    house_numbers: list[str] = field(default_factory=list)
    true_xy: list[tuple[float, float]] = field(default_factory=list)
    sensitive_dates: set[str] = field(default_factory=set)
    counter: int = 0
    # The whole-site crawl (test_canary_community.py): canaries a public page may legitimately
    # show, by path prefix (a public request's own words in Open311, a resident's own request on
    # the track page that only its tracking id opens); strings that must be seen somewhere under
    # a path prefix (proof that the crawl reached what was seeded); seeded ids, keys and tokens.
    allowed: dict[str, set[str]] = field(default_factory=dict)
    expected: dict[str, str] = field(default_factory=dict)
    seeded: dict = field(default_factory=dict)

    def publish(self):
        """Rebuild the stored public tables, as `copps import` does after every import."""
        from copps.publish.store import refresh

        return refresh()

    def event(
        self,
        *,
        kind="crime",
        category="burglary",
        days_ago=40,
        reported_days_ago=None,
        offense="BURGLARY",
        address=None,
        raw=None,
        sensitive=False,
        district="A",
        at=None,
        xy=None,
        block_address="",
        source_beat="",
    ) -> Event:
        self.counter += 1
        tz = timezone.get_current_timezone()
        noon = timezone.localtime(timezone.now(), tz).replace(hour=12, minute=0, second=0, microsecond=0)
        when = noon - timedelta(days=days_ago)
        if xy is None:
            xy = tuple(self.addresses[at if at is not None else self.counter % len(self.addresses)])
        lon, lat = Projector(CRS).inverse(np.array([xy[0]]), np.array([xy[1]]))
        self.true_xy.append((float(xy[0]), float(xy[1])))
        cat = OffenseCategory.objects.get(code=category) if category else None
        d = self.districts[district]
        return Event.objects.create(
            kind=kind,
            source="test",
            source_id=str(self.counter),
            batch=self.batch,
            occurred_from=when,
            reported_at=None if reported_days_ago is None else when + timedelta(days=days_ago - reported_days_ago),
            offense=offense,
            category=cat,
            sensitive=sensitive,
            address=address or "",
            block_address=block_address,
            source_beat=source_beat,
            lat=float(lat[0]),
            lon=float(lon[0]),
            x=float(xy[0]),
            y=float(xy[1]),
            district=d,
            beat=self.beats[district],
            raw=raw or {},
            row_hash=str(self.counter),
        )


@pytest.fixture(autouse=True)
def fresh_caches():
    """The pipeline memoises classifications per process, and the store remembers its stamp for a
    second; each test has a new database, so each starts without them. (The shared cache is the
    tests' local-memory one, emptied for every test by tests/conftest.py.)"""
    from copps.publish import pipeline
    from copps.publish.store import forget_stamp

    forget_stamp()
    pipeline._classified.clear()
    yield


@pytest.fixture
def town(db) -> Town:
    site = Site.get()
    site.crs = CRS
    site.save()
    districts = {
        "A": make_area("district", "A", "North", X0, Y0 + 500, X0 + 1000, Y0 + 1000),
        "B": make_area("district", "B", "South", X0, Y0, X0 + 1000, Y0 + 500),
    }
    beats = {
        "A": make_area("beat", "A1", "A1", X0, Y0 + 500, X0 + 1000, Y0 + 1000, parent=districts["A"]),
        "B": make_area("beat", "B1", "B1", X0, Y0, X0 + 1000, Y0 + 500, parent=districts["B"]),
    }
    # Address points: both sides of east-west streets every 100 m, a house every 20 m.
    xs = np.arange(X0 + 10, X0 + 1000, 20.0)
    ys = np.concatenate([[y - 14, y + 14] for y in np.arange(Y0 + 50, Y0 + 1000, 100.0)])
    addresses = np.array([(x, y) for y in ys for x in xs])
    save_snaps(build_snap_points(addresses[:, 0], addresses[:, 1], n_min=8, min_offset_m=10.0), CRS)
    batch = ImportBatch.objects.create(
        file_name="t.csv", sha256="0" * 64, profile="test", source="test", started_at=timezone.now()
    )
    return Town(addresses, districts, beats, batch)


@pytest.fixture
def unthrottled(settings):
    """The whole-site crawl asks far more than any visitor would: no rate limit gets in its way
    (``0`` turns a scope off)."""
    scopes = ("report", "track", "tip", "open311_get", "open311_post", "lookup", "survey", "beat", "subscribe")
    settings.COPPS_RATE_LIMITS = ",".join(f"{scope}=0" for scope in (*scopes, "watch_join"))
