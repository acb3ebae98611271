"""Police beats, districts and neighbourhoods of the synthetic city.

Beats are the sixteen blocks between arterials (and the city limits), as real
beats often follow major roads; three districts group them (North 5 beats,
Central 5, South 6). Neighbourhoods are a different tiling along collectors,
so a neighbourhood can straddle beats, as in real cities. All three tile the
city without gaps or overlaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon, box
from shapely.ops import unary_union

from copps.simulate.names import DISTRICT_NAMES, NEIGHBOURHOOD_NAMES
from copps.simulate.projection import Frame
from copps.simulate.streets import ARTERIAL_SPACING_X, ARTERIAL_SPACING_Y

__all__ = ["Areas", "build_areas"]

#: District of each beat block, rows from south (0) to north (3), columns west to east.
_DISTRICT_GRID = (
    ("C", "C", "C", "C"),
    ("C", "C", "B", "B"),
    ("A", "B", "B", "B"),
    ("A", "A", "A", "A"),
)


@dataclass(frozen=True)
class Areas:
    """The city's area layers, polygons in local metres.

    Attributes
    ----------
    boundary : Polygon
        The city limits.
    beat_code, beat_district : ndarray of str
        ``"A1"`` and ``"A"`` for each beat.
    beat_polygon : list of Polygon
    district_code, district_name : ndarray of str
        ``"A"``, ``"North"``.
    district_polygon : list of Polygon
    hood_code, hood_name : ndarray of str
        ``"N01"``, ``"Sunridge Park"``.
    hood_polygon : list of Polygon
    """

    boundary: Polygon
    beat_code: np.ndarray
    beat_district: np.ndarray
    beat_polygon: list
    district_code: np.ndarray
    district_name: np.ndarray
    district_polygon: list
    hood_code: np.ndarray
    hood_name: np.ndarray
    hood_polygon: list
    _beat_x: np.ndarray
    _beat_y: np.ndarray
    _beat_grid: np.ndarray
    _hood_x: np.ndarray
    _hood_y: np.ndarray

    def beat_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Beat index of each point (points on a boundary go north/east)."""
        col = np.clip(np.searchsorted(self._beat_x, x, side="right") - 1, 0, len(self._beat_x) - 2)
        row = np.clip(np.searchsorted(self._beat_y, y, side="right") - 1, 0, len(self._beat_y) - 2)
        return self._beat_grid[row, col]

    def hood_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Neighbourhood index of each point."""
        col = np.clip(np.searchsorted(self._hood_x, x, side="right") - 1, 0, len(self._hood_x) - 2)
        row = np.clip(np.searchsorted(self._hood_y, y, side="right") - 1, 0, len(self._hood_y) - 2)
        return row * (len(self._hood_x) - 1) + col


def build_areas(frame: Frame) -> Areas:
    """Draw beats, districts and neighbourhoods over the city rectangle."""
    bx = frame.xmin + ARTERIAL_SPACING_X * np.arange(5)
    by = frame.ymin + ARTERIAL_SPACING_Y * np.arange(5)
    codes: list[str] = []
    dists: list[str] = []
    polys: list[Polygon] = []
    grid = np.zeros((4, 4), int)
    counter: dict[str, int] = {}
    for row in range(3, -1, -1):  # number beats north to south, west to east
        for col in range(4):
            d = _DISTRICT_GRID[row][col]
            counter[d] = counter.get(d, 0) + 1
            grid[row, col] = len(codes)
            codes.append(f"{d}{counter[d]}")
            dists.append(d)
            polys.append(box(bx[col], by[row], bx[col + 1], by[row + 1]))
    dcodes = sorted(DISTRICT_NAMES)
    dpolys = [unary_union([p for p, d in zip(polys, dists, strict=False) if d == code]) for code in dcodes]
    hx = frame.xmin + np.array([0.0, 2400.0, 4000.0, frame.width])
    hy = frame.ymin + np.array([0.0, 2175.0, 3625.0, frame.height])
    hcodes, hnames, hpolys = [], [], []
    for row in range(3):
        for col in range(3):
            k = len(hcodes)
            hcodes.append(f"N{k + 1:02d}")
            hnames.append(NEIGHBOURHOOD_NAMES[k])
            hpolys.append(box(hx[col], hy[row], hx[col + 1], hy[row + 1]))
    return Areas(
        boundary=box(frame.xmin, frame.ymin, frame.xmax, frame.ymax),
        beat_code=np.array(codes),
        beat_district=np.array(dists),
        beat_polygon=polys,
        district_code=np.array(dcodes),
        district_name=np.array([DISTRICT_NAMES[c] for c in dcodes]),
        district_polygon=dpolys,
        hood_code=np.array(hcodes),
        hood_name=np.array(hnames),
        hood_polygon=hpolys,
        _beat_x=bx,
        _beat_y=by,
        _beat_grid=grid,
        _hood_x=hx,
        _hood_y=hy,
    )
