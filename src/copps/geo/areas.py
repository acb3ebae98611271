"""Point-in-area lookups for many points at once (shapely STRtree)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["AreaIndex"]


class AreaIndex:
    """Finds which of a set of polygons holds each point.

    Parameters
    ----------
    keys : sequence
        One key per polygon (e.g. the database id of an Area).
    polygons : sequence of shapely geometries, in the same CRS as the points.
    """

    def __init__(self, keys: Sequence, polygons: Sequence[BaseGeometry]):
        self.keys = np.asarray(list(keys), dtype=object)
        self.polygons = np.asarray(list(polygons), dtype=object)
        self._tree = shapely.STRtree(self.polygons)

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The key of the area holding each point, or None (outside all, or NaN).

        A point on a shared edge goes to the area with the lowest index.
        """
        lon = np.asarray(lon, float)
        lat = np.asarray(lat, float)
        out = np.full(len(lon), None, dtype=object)
        ok = np.isfinite(lon) & np.isfinite(lat)
        if not ok.any() or len(self.keys) == 0:
            return out
        points = shapely.points(lon[ok], lat[ok])
        point_idx, poly_idx = self._tree.query(points, predicate="intersects")
        # keep the first polygon for each point
        order = np.lexsort((poly_idx, point_idx))
        point_idx, poly_idx = point_idx[order], poly_idx[order]
        first = np.ones(len(point_idx), bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        sub = np.full(ok.sum(), None, dtype=object)
        sub[point_idx[first]] = self.keys[poly_idx[first]]
        out[ok] = sub
        return out
