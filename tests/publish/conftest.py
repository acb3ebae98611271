"""A small town for the privacy tests: two districts, address points, snap points, and events
with canary strings in every field that must never reach the public."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone
from tests.conftest import replayed

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


def town_addresses() -> np.ndarray:
    """Address points: both sides of east-west streets every 100 m, a house every 20 m."""
    xs = np.arange(X0 + 10, X0 + 1000, 20.0)
    ys = np.concatenate([[y - 14, y + 14] for y in np.arange(Y0 + 50, Y0 + 1000, 100.0)])
    return np.array([(x, y) for y in ys for x in xs])


def build_town() -> dict:
    """The town's rows (site, areas, snap points, batch); returns the ids of its areas and batch."""
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
    addresses = town_addresses()
    save_snaps(build_snap_points(addresses[:, 0], addresses[:, 1], n_min=8, min_offset_m=10.0), CRS)
    batch = ImportBatch.objects.create(
        file_name="t.csv", sha256="0" * 64, profile="test", source="test", started_at=timezone.now()
    )
    return {
        "districts": {k: a.pk for k, a in districts.items()},
        "beats": {k: a.pk for k, a in beats.items()},
        "batch": batch.pk,
    }


@pytest.fixture
def town(db) -> Town:
    # built once per test process, then replayed (tests/conftest.py); each test gets its own
    # Town and its own instances of the rows, read back from its database
    ids = replayed("publish town", build_town)
    areas = Area.objects.in_bulk([*ids["districts"].values(), *ids["beats"].values()])
    return Town(
        town_addresses(),
        {k: areas[pk] for k, pk in ids["districts"].items()},
        {k: areas[pk] for k, pk in ids["beats"].items()},
        ImportBatch.objects.get(pk=ids["batch"]),
    )


@pytest.fixture
def unthrottled(settings):
    """The whole-site crawl asks far more than any visitor would: no rate limit gets in its way
    (``0`` turns a scope off)."""
    scopes = ("report", "track", "tip", "open311_get", "open311_post", "lookup", "survey", "beat", "subscribe")
    settings.COPPS_RATE_LIMITS = ",".join(f"{scope}=0" for scope in (*scopes, "watch_join", "places"))


# ----- the base map's streets: a few centrelines (with ranges and classes) and address points
# inside the town (and inside the community tests' beats), loaded the way a department loads them.
STREETS = [
    # name, class, [(lon, lat), ...] from the FROM end, (left from, to), (right from, to)
    ("SUNRIDGE BLVD", "arterial", [(-121.270, 38.701), (-121.270, 38.705)], (1001, 1049), (1000, 1048)),
    ("SUNRIDGE BLVD", "arterial", [(-121.270, 38.705), (-121.270, 38.709)], (1051, 1099), (1050, 1098)),
    ("Maple Ct", "local", [(-121.274, 38.705), (-121.270, 38.705)], (7500, 7598), (7501, 7599)),
    ("Maple Ct", "local", [(-121.270, 38.705), (-121.266, 38.705)], (7600, 7698), (7601, 7699)),
    ("OAK ST", "collector", [(-121.274, 38.708), (-121.264, 38.708)], None, None),
]
# Staff data: none of these house numbers may reach a public answer.
ADDRESS_POINTS = [("7512 MAPLE CT", -121.2735, 38.70505), ("7533 MAPLE CT", -121.2725, 38.70495),
                  ("1017 SUNRIDGE BLVD", -121.27005, 38.7025)]  # fmt: skip
PARK = {"type": "Feature", "properties": {"NAME": "ALDER PARK"}, "geometry": {"type": "Polygon", "coordinates": [
    [[-121.2735, 38.7055], [-121.2705, 38.7055], [-121.2705, 38.7075], [-121.2735, 38.7075], [-121.2735, 38.7055]]]}}
# A point a resident clicks on the north side of Maple Ct's first block (half-way: number 7549).
CLICK = (-121.272, 38.70503)


def streets_geojson() -> dict:
    features = []
    for name, cls, coords, left, right in STREETS:
        props = {"FULLNAME": name, "CLASS": cls, "LFROMHN": None, "LTOHN": None, "RFROMHN": None, "RTOHN": None}
        if left:
            props.update(LFROMHN=left[0], LTOHN=left[1], RFROMHN=right[0], RTOHN=right[1])
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]}})
    return {"type": "FeatureCollection", "features": features}


def load_reference_streets(folder) -> None:
    """Write and load the centrelines and address points (``copps geocode load-...``)."""
    import json
    from io import StringIO

    from django.core.management import call_command

    lines = folder / "centrelines.geojson"
    lines.write_text(json.dumps(streets_geojson()), encoding="utf-8")
    points = folder / "address_points.csv"
    points.write_text("ADDRESS,LON,LAT\n" + "".join(f"{a},{x},{y}\n" for a, x, y in ADDRESS_POINTS), encoding="utf-8")
    call_command("geocode", "load-streets", str(lines), stdout=StringIO())
    parks = folder / "parks.geojson"
    parks.write_text(json.dumps({"type": "FeatureCollection", "features": [PARK]}), encoding="utf-8")
    call_command("geocode", "load-parks", str(parks), stdout=StringIO())
    call_command("geocode", "load-points", str(points), stdout=StringIO())


@pytest.fixture
def streets(db, tmp_path):
    load_reference_streets(tmp_path)
    return STREETS
