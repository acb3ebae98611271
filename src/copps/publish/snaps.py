"""The stored snap-point set: build it, save it, and load it as a :class:`SnapPoints`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from copps.geo.crs import Projector, utm_crs_for
from copps.geo.generalise import SnapPoints, build_snap_points
from copps.incidents.models import Event, Site
from copps.publish.cache import remember
from copps.publish.models import SnapPoint

__all__ = ["StoredSnaps", "site_crs", "snaps_state", "load_snaps", "save_snaps", "build_from_lonlat", "event_locations"]


@dataclass(frozen=True)
class StoredSnaps:
    snaps: SnapPoints
    lon: np.ndarray
    lat: np.ndarray
    crs: str


def site_crs() -> str | None:
    """The site's projected CRS, or the UTM zone of the events when none is recorded."""
    crs = Site.get().crs
    if crs:
        return crs
    first = Event.objects.filter(lon__isnull=False, lat__isnull=False).values_list("lon", "lat").first()
    return utm_crs_for(*first) if first else None


def snaps_state() -> tuple | None:
    """What identifies the stored set (count, last id, build time, CRS), or None when none is
    built: one small query."""
    from django.db.models import Count, Max

    state = SnapPoint.objects.aggregate(n=Count("id"), last=Max("id"), built=Max("built_at"), crs=Max("crs"))
    if not state["n"]:
        return None
    return state["n"], state["last"], state["built"], state["crs"]


def load_snaps() -> StoredSnaps | None:
    """The stored set (kept in the shared cache until it changes), or None when none is built."""
    key = snaps_state()
    if key is None:
        return None
    return remember("snaps", key, _read_snaps, versioned=False)


def _read_snaps() -> StoredSnaps:
    rows = list(SnapPoint.objects.order_by("id").values_list(
        "x", "y", "lon", "lat", "addresses", "min_addresses", "min_offset_m", "crs"))
    arr = np.array([r[:5] for r in rows], dtype=float)
    snaps = SnapPoints(arr[:, 0], arr[:, 1], arr[:, 4].astype(np.int64), int(rows[0][5]), float(rows[0][6]))
    return StoredSnaps(snaps, arr[:, 2], arr[:, 3], rows[0][7])


@transaction.atomic
def save_snaps(snaps: SnapPoints, crs: str) -> int:
    """Replace the stored set with ``snaps`` (coordinates in ``crs``)."""
    lon, lat = Projector(crs).inverse(snaps.x, snaps.y)
    now = timezone.now()
    SnapPoint.objects.all().delete()
    SnapPoint.objects.bulk_create([
        SnapPoint(x=float(x), y=float(y), lon=float(lo), lat=float(la), addresses=int(n),
                  min_addresses=snaps.n_min, min_offset_m=snaps.min_offset_m, crs=crs, built_at=now)
        for x, y, lo, la, n in zip(snaps.x, snaps.y, lon, lat, snaps.addresses, strict=True)
    ], batch_size=2000)
    return len(snaps)


def build_from_lonlat(lon: np.ndarray, lat: np.ndarray, crs: str, *, n_min: int, min_offset_m: float,
                      candidates_lonlat: tuple[np.ndarray, np.ndarray] | None = None) -> SnapPoints:
    """Build a set from address points (and optional candidate points) given in lon/lat."""
    proj = Projector(crs)
    x, y = proj.forward(lon, lat)
    candidates = proj.forward(*candidates_lonlat) if candidates_lonlat is not None else None
    return build_snap_points(x, y, n_min=n_min, min_offset_m=min_offset_m, candidates=candidates)


def event_locations() -> tuple[np.ndarray, np.ndarray]:
    """The distinct locations of every geocoded event: address points when no address list exists."""
    rows = np.array(list(Event.objects.filter(lon__isnull=False, lat__isnull=False)
                         .values_list("lon", "lat").distinct()), dtype=float).reshape(-1, 2)
    return rows[:, 0], rows[:, 1]
