"""The one regular grid that every surface in copps is drawn on.

A :class:`Grid` is a rectangle of square cells in projected metres. Row 0 is
the southernmost row and column 0 the westernmost, so ``counts[row, col]``
covers ``[x0 + col*c, x0 + (col+1)*c) x [y0 + row*c, y0 + (row+1)*c)``.
An optional boolean ``mask`` marks the cells that belong to the study area;
statistics that depend on the set of cells (Gi*, KDE output) honour it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.spatial import ConvexHull

__all__ = ["Grid", "bin_points", "sfhotspot_cell_size", "sfhotspot_grid"]


@dataclass(frozen=True)
class Grid:
    """Counts of events on a regular grid of square cells.

    Attributes
    ----------
    counts : ndarray, shape (nrows, ncols)
        Events (or summed weights) per cell; row 0 is the lowest y.
    origin : tuple of float
        ``(x0, y0)``, the lower-left corner of cell ``[0, 0]`` in metres.
    cell_size : float
        Side of a cell in metres.
    mask : ndarray of bool or None
        Cells inside the study area; ``None`` means every cell.
    """

    counts: np.ndarray
    origin: tuple[float, float]
    cell_size: float
    mask: np.ndarray | None = field(default=None)

    @property
    def shape(self) -> tuple[int, int]:
        """``(nrows, ncols)``."""
        return tuple(self.counts.shape)  # type: ignore[return-value]

    @property
    def valid(self) -> np.ndarray:
        """Boolean array of the cells in the study area (all True without a mask)."""
        if self.mask is None:
            return np.ones(self.shape, dtype=bool)
        return self.mask

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates ``(cx, cy)``, each of shape ``(nrows, ncols)``."""
        nrows, ncols = self.shape
        c = self.cell_size
        xs = self.origin[0] + (np.arange(ncols) + 0.5) * c
        ys = self.origin[1] + (np.arange(nrows) + 0.5) * c
        return np.meshgrid(xs, ys)

    def cell_of(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cell holding each point (may lie outside the grid)."""
        c = self.cell_size
        col = np.floor((np.asarray(x, float) - self.origin[0]) / c).astype(np.int64)
        row = np.floor((np.asarray(y, float) - self.origin[1]) / c).astype(np.int64)
        return row, col

    def with_counts(self, counts: np.ndarray) -> Grid:
        """The same grid carrying other counts (for example a later period)."""
        counts = np.asarray(counts, dtype=float)
        if counts.shape != self.counts.shape:
            raise ValueError(f"counts shape {counts.shape} != grid shape {self.shape}")
        return replace(self, counts=counts)


def bin_points(x, y, cell_size: float, bounds=None, weights=None) -> Grid:
    """Count points in square cells.

    Parameters
    ----------
    x, y : array_like
        Event coordinates in metres.
    cell_size : float
        Side of a cell in metres.
    bounds : tuple of float, optional
        ``(xmin, ymin, xmax, ymax)`` of the grid. Defaults to the bounding box
        of the points. Points outside the bounds, or without finite
        coordinates, are dropped; a point on the upper or right edge goes into
        the last row or column.
    weights : array_like, optional
        Weight of each event (default 1).

    Returns
    -------
    Grid
        ``counts`` has ``ceil((ymax-ymin)/cell_size)`` rows and
        ``ceil((xmax-xmin)/cell_size)`` columns (at least one of each).

    Notes
    -----
    Cell ``(r, c)`` holds the points with ``floor((x - xmin)/cell_size) == c``
    and ``floor((y - ymin)/cell_size) == r``. Without bounds the total count
    equals the number of points (or the sum of the weights).

    Example
    -------
    >>> g = bin_points([0.0, 50.0, 150.0], [0.0, 10.0, 20.0], cell_size=100.0)
    >>> g.counts.tolist()
    [[2.0, 1.0]]
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError("x and y must have the same length")
    if not cell_size > 0:
        raise ValueError("cell_size must be positive")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    finite = np.isfinite(x) & np.isfinite(y)  # events without coordinates cannot be placed
    if not finite.all():
        x, y, w = x[finite], y[finite], w[finite]
    if bounds is None:
        if x.size == 0:
            raise ValueError("bounds are required when there are no points")
        bounds = (x.min(), y.min(), x.max(), y.max())
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    ncols = max(1, math.ceil((xmax - xmin) / cell_size))
    nrows = max(1, math.ceil((ymax - ymin) / cell_size))
    col = np.floor((x - xmin) / cell_size).astype(np.int64)
    row = np.floor((y - ymin) / cell_size).astype(np.int64)
    # points exactly on the far edge belong to the last cell
    col[(col == ncols) & (x <= xmax)] = ncols - 1
    row[(row == nrows) & (y <= ymax)] = nrows - 1
    keep = (col >= 0) & (col < ncols) & (row >= 0) & (row < nrows)
    flat = row[keep] * ncols + col[keep]
    counts = np.bincount(flat, weights=w[keep], minlength=nrows * ncols)
    return Grid(counts.reshape(nrows, ncols), (xmin, ymin), float(cell_size))


def sfhotspot_cell_size(x, y) -> float:
    """The cell size sfhotspot chooses when none is given.

    Notes
    -----
    sfhotspot (Ashby, ``hotspot_grid`` documentation, "Automatic cell-size
    selection") puts 50 cells on the shorter side of the data's bounding box
    and, for data in metres, rounds the size to a multiple of 100 m. Here the
    size is floored to a multiple of 100 when that is at least 100, which
    reproduces the published Memphis output (500 m).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    size = min(np.ptp(x), np.ptp(y)) / 50.0
    if size >= 100:
        size = math.floor(size / 100.0) * 100.0
    return float(size)


def _fillet_points(vertices: np.ndarray, radius: float, quadrant_segments: int):
    """Vertices of a convex polygon buffered the way GEOS does it.

    Each corner gets an arc from the outward normal of the incoming edge to
    the outward normal of the outgoing edge, split into equal steps of at most
    ``pi / 2 / quadrant_segments`` (GEOS ``OffsetSegmentGenerator``).
    """
    pts = []
    k = len(vertices)
    quantum = math.pi / 2.0 / quadrant_segments
    for i in range(k):
        prev_v, v, next_v = vertices[i - 1], vertices[i], vertices[(i + 1) % k]
        a0 = math.atan2(v[1] - prev_v[1], v[0] - prev_v[0]) - math.pi / 2.0
        a1 = math.atan2(next_v[1] - v[1], next_v[0] - v[0]) - math.pi / 2.0
        total = (a1 - a0) % (2 * math.pi)
        nseg = max(1, int(total / quantum + 0.5))
        for j in range(nseg + 1):
            a = a0 + total * j / nseg
            pts.append((v[0] + radius * math.cos(a), v[1] + radius * math.sin(a)))
    return np.array(pts)


def _square_hits_polygon(x0, y0, size, poly: np.ndarray) -> np.ndarray:
    """Which squares ``[x0, x0+size] x [y0, y0+size]`` touch a convex polygon (SAT)."""
    hit = np.ones(x0.shape, dtype=bool)
    # axes of the squares
    hit &= (x0 <= poly[:, 0].max()) & (x0 + size >= poly[:, 0].min())
    hit &= (y0 <= poly[:, 1].max()) & (y0 + size >= poly[:, 1].min())
    edges = np.roll(poly, -1, axis=0) - poly
    for (ex, ey), p in zip(edges, poly, strict=True):
        nx, ny = ey, -ex  # outward normal for a counter-clockwise polygon
        lim = nx * p[0] + ny * p[1]
        lo = nx * x0 + ny * y0 + np.minimum(nx * size, 0.0) + np.minimum(ny * size, 0.0)
        hit &= lo <= lim
    return hit


def sfhotspot_grid(x, y, cell_size: float | None = None, weights=None) -> Grid:
    """The grid sfhotspot builds: cells touching the convex hull buffered by half a cell.

    Parameters
    ----------
    x, y : array_like
        Event coordinates in metres.
    cell_size : float, optional
        Defaults to :func:`sfhotspot_cell_size`.
    weights : array_like, optional
        Event weights for the counts.

    Returns
    -------
    Grid
        Counts with ``mask`` set to the cells sfhotspot keeps.

    Notes
    -----
    sfhotspot ``hotspot_grid``: "based on the convex hull of data, expanded by
    a buffer of cell_size / 2"; cells come from ``sf::st_make_grid`` whose
    origin is the lower-left corner of the buffered hull's bounding box. The
    buffer is a polygon (GEOS, 30 segments per quarter circle), so its
    bounding box is a few centimetres inside the exact one; that is emulated
    here so that cell centres match sfhotspot to floating-point precision.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    c = sfhotspot_cell_size(x, y) if cell_size is None else float(cell_size)
    pts = np.column_stack([x, y])
    hull = pts[ConvexHull(pts).vertices]  # counter-clockwise
    buffered = _fillet_points(hull, c / 2.0, 30)
    xmin, ymin = buffered.min(axis=0)
    xmax, ymax = buffered.max(axis=0)
    ncols = max(1, math.ceil((xmax - xmin) / c))
    nrows = max(1, math.ceil((ymax - ymin) / c))
    base = bin_points(x, y, c, bounds=(xmin, ymin, xmin + ncols * c, ymin + nrows * c),
                      weights=weights)
    rows, cols = np.mgrid[0:nrows, 0:ncols]
    mask = _square_hits_polygon(xmin + cols * c, ymin + rows * c, c, buffered)
    return Grid(base.counts, (float(xmin), float(ymin)), c, mask)
