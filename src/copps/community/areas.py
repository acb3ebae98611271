"""Which beat and district hold a service request: point-in-polygon on the incidents' areas."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from shapely.geometry import shape

from copps.geo.areas import AreaIndex
from copps.incidents.models import Area

__all__ = ["AreaLookup"]

_FIELDS = {"beat_id": Area.Type.BEAT, "district_id": Area.Type.DISTRICT}


class AreaLookup:
    """Beat and district ids for points; build once per request or import run."""

    def __init__(self) -> None:
        self._indexes: dict[str, AreaIndex] = {}
        for field, type_ in _FIELDS.items():
            rows = list(Area.objects.filter(type=type_).values_list("id", "geometry"))
            if rows:
                self._indexes[field] = AreaIndex([r[0] for r in rows], [shape(r[1]) for r in rows])

    def assign(self, lon: Sequence[float | None], lat: Sequence[float | None]) -> dict[str, list[int | None]]:
        """``{"beat_id": [...], "district_id": [...]}``, None where a point is missing or outside."""
        lon_a = np.array([np.nan if v is None else v for v in lon], dtype=float)
        lat_a = np.array([np.nan if v is None else v for v in lat], dtype=float)
        out: dict[str, list[int | None]] = {}
        for field in _FIELDS:
            index = self._indexes.get(field)
            out[field] = list(index.lookup(lon_a, lat_a)) if index else [None] * len(lon_a)
        return out

    def one(self, lon: float | None, lat: float | None) -> dict[str, int | None]:
        found = self.assign([lon], [lat])
        return {field: ids[0] for field, ids in found.items()}
