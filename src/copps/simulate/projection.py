"""Where the synthetic city lies on the earth, and how its metres map to lon/lat.

The city is drawn in metres in UTM zone 10N (EPSG:32610), centred near
Citrus Heights, California. Every exported longitude/latitude is derived from
those metres here, through copps' one projection helper (``copps.geo.crs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from copps.geo.crs import Projector, utm_crs_for

__all__ = ["CENTRE_LAT", "CENTRE_LON", "CRS", "Frame", "make_frame", "to_lonlat"]

#: The city's centre, near Citrus Heights, California.
CENTRE_LAT = 38.707
CENTRE_LON = -121.281
#: Local projected CRS of the city (metres): the UTM zone holding its centre, EPSG:32610.
CRS = utm_crs_for(CENTRE_LON, CENTRE_LAT)
#: The city's extent in metres (37.1 km^2: about the size of Citrus Heights).
WIDTH_M = 6400.0
HEIGHT_M = 5800.0


@lru_cache(maxsize=1)
def _projector() -> Projector:
    return Projector(CRS)


@dataclass(frozen=True)
class Frame:
    """The city's rectangle in local metres.

    Attributes
    ----------
    xmin, ymin, xmax, ymax : float
        Bounds of the city limits in EPSG:32610 metres (whole metres).
    """

    xmin: float
    ymin: float
    xmax: float
    ymax: float

    @property
    def width(self) -> float:
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        return self.ymax - self.ymin

    @property
    def area_km2(self) -> float:
        return self.width * self.height / 1e6


def make_frame() -> Frame:
    """The city rectangle centred on (CENTRE_LON, CENTRE_LAT), snapped to whole metres."""
    x0, y0 = _projector().forward(np.array([CENTRE_LON]), np.array([CENTRE_LAT]))
    x0, y0 = float(x0[0]), float(y0[0])
    xmin = float(np.round(x0 - WIDTH_M / 2))
    ymin = float(np.round(y0 - HEIGHT_M / 2))
    return Frame(xmin, ymin, xmin + WIDTH_M, ymin + HEIGHT_M)


def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project local metres (EPSG:32610) to WGS84 longitude and latitude."""
    lon, lat = _projector().inverse(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, float), np.asarray(lat, float)
