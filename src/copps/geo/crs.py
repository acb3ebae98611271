"""Choosing a local projected CRS and moving coordinates between CRSs.

Analysis works in metres. copps picks one projected CRS per site, the UTM zone
that holds the data, so that a 200 m grid cell is 200 m on the ground.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer

__all__ = ["utm_crs_for", "Projector", "to_wgs84"]


def utm_crs_for(lon: float, lat: float) -> str:
    """The UTM zone (WGS 84) holding the point, as an ``EPSG:`` code.

    >>> utm_crs_for(-121.28, 38.71)
    'EPSG:32610'
    """
    if not (-180 <= lon <= 180 and -80 <= lat <= 84):
        raise ValueError(f"({lon}, {lat}) is not a longitude/latitude inside UTM coverage")
    zone = min(int((lon + 180) // 6) + 1, 60)
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


@lru_cache(maxsize=32)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


class Projector:
    """Vectorised lon/lat <-> local metres for one site CRS."""

    def __init__(self, crs: str):
        self.crs = crs
        self._fwd = _transformer("EPSG:4326", crs)
        self._inv = _transformer(crs, "EPSG:4326")

    def forward(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._fwd.transform(np.asarray(lon, float), np.asarray(lat, float))

    def inverse(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._inv.transform(np.asarray(x, float), np.asarray(y, float))


def to_wgs84(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in ``crs`` (e.g. a state plane in feet) to longitude/latitude."""
    return _transformer(crs, "EPSG:4326").transform(np.asarray(x, float), np.asarray(y, float))
