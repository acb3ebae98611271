"""The one way copps lays a grid over a study area: bounded by the area, never by the points.

A grid drawn from the raw minimum and maximum of the points grows with the farthest stray
geocode (a crash put in another continent made a 35M-cell grid, or asked for 68 GB). Here
the extent comes from the study area (the jurisdiction, chosen areas or a drawn polygon),
its origin is a multiple of the cell size (cells stay put between scans), only cells whose
centre lies in the area, or that hold one of its events, are in the study (``Grid.mask``: Gi*
and the KDE output honour it),
and a grid larger than the cell budget is refused, with the numbers, before anything is
allocated. Points outside the extent are not counted.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from copps.analysis.grid import Grid

__all__ = ["CELL_BUDGET", "GridTooLarge", "grid_shape", "study_grids"]

#: The most cells copps lays over a study area (a 4M-cell grid holds ~32 MB per float layer;
#: a 30 x 30 km city at 150 m needs 40,000 cells, at 20 m 2.25M).
CELL_BUDGET = 4_000_000


class GridTooLarge(ValueError):
    """A grid over the study area would exceed the cell budget."""


def grid_shape(area: BaseGeometry, cell: float) -> tuple[tuple[float, float, float, float], int, int]:
    """Snapped bounds ``(xmin, ymin, xmax, ymax)``, rows and columns of the grid over ``area``."""
    if not cell > 0 or not math.isfinite(cell):
        raise GridTooLarge(f"the cell size must be a positive number of metres, not {cell}")
    xmin, ymin, xmax, ymax = area.bounds
    x0, y0 = math.floor(xmin / cell) * cell, math.floor(ymin / cell) * cell
    ncols = max(1, math.ceil(xmax / cell) - math.floor(xmin / cell))
    nrows = max(1, math.ceil(ymax / cell) - math.floor(ymin / cell))
    return (x0, y0, x0 + ncols * cell, y0 + nrows * cell), nrows, ncols


def study_grids(
    area: BaseGeometry,
    cell: float,
    points: list[tuple[np.ndarray, np.ndarray]],
    *,
    budget: int = CELL_BUDGET,
) -> list[Grid]:
    """One grid per point set, all on the same cells over ``area`` (metres).

    Parameters
    ----------
    area : shapely geometry
        The study area in site metres.
    cell : float
        Cell side in metres.
    points : list of (x, y)
        Point sets to count (points outside the grid are dropped).
    budget : int
        The most cells allowed; a larger grid raises :class:`GridTooLarge` naming the cell
        size, the extent and the smallest cell size that fits.

    Returns
    -------
    list of Grid
        Counts per cell with ``mask`` = the cells whose centre lies in ``area`` or that hold a
        point of any set (an edge cell's events are never dropped).
    """
    if area is None or area.is_empty:
        raise GridTooLarge("there is no study area to lay a grid over")
    bounds, nrows, ncols = grid_shape(area, cell)
    cells = nrows * ncols
    if cells > budget:
        width, height = bounds[2] - bounds[0], bounds[3] - bounds[1]
        smallest = math.ceil(math.sqrt(width * height / budget))
        raise GridTooLarge(
            f"a grid of {cell:g} m cells over the study area ({width / 1000:,.1f} km x {height / 1000:,.1f} km) "
            f"would have {cells:,} cells, more than the budget of {budget:,}; use cells of at least "
            f"{smallest:,} m or a smaller area"
        )
    grids = [_count(x, y, bounds[:2], cell, nrows, ncols) for x, y in points]
    cx = bounds[0] + (np.arange(ncols) + 0.5) * cell
    cy = bounds[1] + (np.arange(nrows) + 0.5) * cell
    mask = np.zeros((nrows, ncols), dtype=bool)
    shapely.prepare(area)
    for r in range(nrows):  # row by row: no (nrows, ncols) coordinate arrays
        mask[r] = shapely.contains_xy(area, cx, np.full(ncols, cy[r]))
    # An edge cell whose centre lies just outside still holds events from inside the area: it is in
    # the study too, so no event that was counted in is silently lost at the boundary.
    for counts in grids:
        mask |= counts > 0
    return [Grid(counts, (bounds[0], bounds[1]), float(cell), mask) for counts in grids]


def _count(x, y, origin, cell: float, nrows: int, ncols: int) -> np.ndarray:
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    with np.errstate(invalid="ignore"):
        col = np.floor((x - origin[0]) / cell)
        row = np.floor((y - origin[1]) / cell)
        # a point exactly on the far edge belongs to the last cell
        col[(col == ncols) & (x - origin[0] <= ncols * cell)] = ncols - 1
        row[(row == nrows) & (y - origin[1] <= nrows * cell)] = nrows - 1
        keep = (col >= 0) & (col < ncols) & (row >= 0) & (row < nrows)  # NaN compares False
    flat = row[keep].astype(np.int64) * ncols + col[keep].astype(np.int64)
    return np.bincount(flat, minlength=nrows * ncols).astype(float).reshape(nrows, ncols)
