"""Where a point lies against the jurisdiction: inside, in the buffer, outside, or at an
impossible place; and the robust extent of the data that stands in for the jurisdiction
until boundaries are loaded.

Pure geometry (numpy, shapely): the database side lives in ``copps.incidents.jurisdiction``.

Rules (documented in docs/analysis.md):

* **invalid** — a longitude or latitude that is not a finite number or out of range
  (|lat| > 90, |lon| > 180); a point within ``NULL_ISLAND_DEG`` degrees of 0,0 in both
  coordinates ("null island", where failed geocoders put records: no city lies there);
  a point with exactly one coordinate equal to 0 (a missing coordinate written as 0).
* **inside** — in the jurisdiction polygon;
* **buffer** — not inside but within ``BUFFER_M`` metres of it (the far side of a
  boundary street, a geocoder's offset);
* **outside** — farther away (another state, another continent).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "BUFFER_M",
    "NULL_ISLAND_DEG",
    "EXTENT_PERCENTILES",
    "EXTENT_MARGIN",
    "EXTENT_MIN_MARGIN_M",
    "INSIDE",
    "BUFFER",
    "OUTSIDE",
    "INVALID",
    "Jurisdiction",
    "invalid_reasons",
    "extent_box",
    "project_geometry",
]

BUFFER_M = 500.0
NULL_ISLAND_DEG = 1.0
EXTENT_PERCENTILES = (2.5, 97.5)  # robust to 2.5% of stray points on each side
EXTENT_MARGIN = 0.20  # of the percentile box's width and height, on each side
EXTENT_MIN_MARGIN_M = 1000.0

INSIDE, BUFFER, OUTSIDE, INVALID = "inside", "buffer", "outside", "invalid"


def invalid_reasons(lon, lat) -> np.ndarray:
    """Why each point is impossible ("" when it is a possible place on Earth).

    >>> invalid_reasons([-121.5, 1e-06, -121.5, 200.0], [38.6, -2e-06, 0.0, 38.6]).tolist()
    ['', 'at 0,0 (null island)', 'latitude is exactly 0 (a missing coordinate)', 'longitude out of range']
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(lon.shape, "", dtype=object)
    with np.errstate(invalid="ignore"):
        rules = [
            (~np.isfinite(lon) | ~np.isfinite(lat), "not a number"),
            (np.abs(lat) > 90, "latitude out of range"),
            (np.abs(lon) > 180, "longitude out of range"),
            ((np.abs(lat) < NULL_ISLAND_DEG) & (np.abs(lon) < NULL_ISLAND_DEG), "at 0,0 (null island)"),
            (lat == 0, "latitude is exactly 0 (a missing coordinate)"),
            (lon == 0, "longitude is exactly 0 (a missing coordinate)"),
        ]
    for hit, reason in reversed(rules):  # the first rule that applies names the reason
        out[hit] = reason
    return out


def project_geometry(geom: BaseGeometry, forward) -> BaseGeometry:
    """``geom`` (lon/lat) through ``forward(lon, lat) -> (x, y)``, e.g. ``Projector.forward``."""

    def move(coords):
        x, y = forward(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    out = shapely.transform(geom, move)
    return out if out.is_valid else shapely.make_valid(out)


def extent_box(x, y) -> BaseGeometry | None:
    """The robust extent of points (metres): the box from the 2.5th to the 97.5th percentile
    of x and of y, widened on each side by 20% of its size (at least 1 km). For events spread
    evenly over a city that box is about 1.3 times the city's width; stray points (up to 2.5%
    on each side) cannot stretch it. ``None`` without points."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return None
    lo, hi = EXTENT_PERCENTILES
    x0, x1 = np.percentile(x[ok], [lo, hi])
    y0, y1 = np.percentile(y[ok], [lo, hi])
    mx = max(EXTENT_MARGIN * (x1 - x0), EXTENT_MIN_MARGIN_M)
    my = max(EXTENT_MARGIN * (y1 - y0), EXTENT_MIN_MARGIN_M)
    return shapely.box(x0 - mx, y0 - my, x1 + mx, y1 + my)


@dataclass(frozen=True)
class Jurisdiction:
    """The area a site answers for, in site metres, and how copps knows it.

    Attributes
    ----------
    area : shapely geometry
        The jurisdiction in the site's projected CRS (metres).
    source : str
        ``"city"`` (the city limits), ``"areas"`` (the union of the loaded areas) or
        ``"data"`` (the robust extent of the geocoded events).
    label : str
        What to print, e.g. "the city limits (City of X)".
    buffer_m : float
        Width of the buffer band just outside the area.
    """

    area: BaseGeometry
    source: str
    label: str
    buffer_m: float = BUFFER_M

    def __post_init__(self):
        shapely.prepare(self.area)
        shapely.prepare(self.outer)

    @property
    def source_text(self) -> str:
        """A short name of what the area is, e.g. "the city limits"."""
        return {"city": "the city limits", "areas": "the loaded areas"}.get(self.source, "the data's extent")

    @property
    def outer(self) -> BaseGeometry:
        """The area with its buffer."""
        cached = self.__dict__.get("_outer")
        if cached is None:
            # the data's box widens into a box (its buffer is then a plain range test in SQL)
            join = "mitre" if self.source == "data" else "round"
            cached = self.area.buffer(self.buffer_m, join_style=join)
            object.__setattr__(self, "_outer", cached)
        return cached

    def classify(self, lon, lat, x, y) -> np.ndarray:
        """The location status of each point (``INSIDE``, ``BUFFER``, ``OUTSIDE``, ``INVALID``).

        ``x, y`` are the points in site metres (NaN where the projection failed: such a
        point is far from the site, so outside when its lon/lat are possible).
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        bad = invalid_reasons(lon, lat) != ""
        out = np.full(x.shape, OUTSIDE, dtype=object)
        out[bad] = INVALID
        ok = ~bad & np.isfinite(x) & np.isfinite(y)
        if ok.any():
            xs, ys = x[ok], y[ok]
            status = np.full(xs.shape, OUTSIDE, dtype=object)
            status[shapely.contains_xy(self.outer, xs, ys)] = BUFFER
            status[shapely.contains_xy(self.area, xs, ys)] = INSIDE
            out[ok] = status
        return out

    def distance_m(self, x, y) -> np.ndarray:
        """Metres from each point to the jurisdiction (0 inside; NaN when not projected)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        out = np.full(x.shape, np.nan)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            out[ok] = shapely.distance(self.area, shapely.points(x[ok], y[ok]))
        return out
