"""Hot cells on a grid grouped into clusters: what hot-spot and corridor scanners share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from copps.analysis import grid, hotspots
from copps.geo.shapes import cells_polygon
from copps.geo.studygrid import study_grids
from copps.incidents import jurisdiction

__all__ = ["Cluster", "hot_clusters", "snapped_grid"]


@dataclass(frozen=True)
class Cluster:
    rows: np.ndarray
    cols: np.ndarray
    events: int
    max_z: float
    min_p: float
    x: float  # count-weighted centre, metres
    y: float
    length_m: float  # longest distance between cell centres plus one cell
    polygon: object  # shapely, metres


def snapped_grid(x, y, cell: float, area=None) -> grid.Grid:
    """The grid of ``area`` (shapely, metres), by default the jurisdiction's
    (``copps.geo.studygrid.study_grids``): its origin a multiple of the cell size, so cells stay
    put between scans; its extent the area's, never the points' (a stray geocode cannot stretch
    it); cells outside the area masked out of Gi*."""
    if area is None:
        area, label = jurisdiction.study_area()
        if area is None:
            raise ValueError(label)
    (g,) = study_grids(area, cell, [(x, y)])
    return g


def hot_clusters(g: grid.Grid, min_class: int = 3, min_cells: int = 1) -> tuple[list[Cluster], hotspots.GiStarResult]:
    """Gi* on ``g``; cells of class >= ``min_class`` joined by queen contiguity into clusters."""
    gi = hotspots.gistar(g)
    hot = gi.classes >= min_class
    labels, n = ndimage.label(hot, structure=np.ones((3, 3), dtype=int))
    cx, cy = g.centres()
    out = []
    for k in range(1, n + 1):
        rows, cols = np.nonzero(labels == k)
        if len(rows) < min_cells:
            continue
        w = g.counts[rows, cols]
        if w.sum() <= 0:
            continue  # hot only through its neighbours: no events of its own to work on
        px, py = cx[rows, cols], cy[rows, cols]
        pts = np.column_stack([px, py])
        span = float(np.max(np.linalg.norm(pts[:, None] - pts[None], axis=-1))) if len(pts) > 1 else 0.0
        out.append(
            Cluster(
                rows,
                cols,
                int(w.sum()),
                float(np.nanmax(gi.z[rows, cols])),
                float(np.nanmin(gi.p[rows, cols])),
                float((px * w).sum() / w.sum()),
                float((py * w).sum() / w.sum()),
                span + g.cell_size,
                cells_polygon(rows, cols, g.origin, g.cell_size),
            )
        )
    return out, gi
