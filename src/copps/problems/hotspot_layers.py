"""Hot-spot layers for staff maps: a kernel density surface and Getis–Ord Gi* classes on one
grid, as GeoJSON cells in WGS 84. The grid's origin is a multiple of the cell size (cells stay
put between requests) and, for a district or beat, only cells whose centre lies inside the area
are scored (the mask)."""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from copps.analysis import density, getis_ord, grid
from copps.geo.crs import Projector

__all__ = ["CLASS_LABELS", "cell_grid", "cell_features", "layers"]

CLASS_LABELS = {
    3: "hot spot, 99% confidence",
    2: "hot spot, 95% confidence",
    1: "hot spot, 90% confidence",
    -1: "cold spot, 90% confidence",
    -2: "cold spot, 95% confidence",
    -3: "cold spot, 99% confidence",
}
KDE_CELLS = 1500  # the densest cells drawn; the rest of the surface is near zero


def cell_grid(xs: list[np.ndarray], ys: list[np.ndarray], cell: float, outline: BaseGeometry | None = None):
    """One grid for several point sets (and the outline): snapped bounds, the outline as mask."""
    if outline is not None:
        xmin, ymin, xmax, ymax = outline.bounds
    else:
        allx, ally = np.concatenate(xs), np.concatenate(ys)
        xmin, ymin, xmax, ymax = allx.min(), ally.min(), allx.max(), ally.max()
    bounds = (
        math.floor(xmin / cell) * cell,
        math.floor(ymin / cell) * cell,
        (math.floor(xmax / cell) + 1) * cell,
        (math.floor(ymax / cell) + 1) * cell,
    )
    grids = [grid.bin_points(x, y, cell, bounds=bounds) for x, y in zip(xs, ys, strict=True)]
    if outline is not None:
        cx, cy = grids[0].centres()
        shapely.prepare(outline)
        mask = shapely.contains_xy(outline, cx, cy)
        grids = [grid.Grid(g.counts, g.origin, g.cell_size, mask) for g in grids]
    return grids


def cell_features(g: grid.Grid, rows, cols, props: list[dict], projector: Projector) -> list[dict]:
    """Square cells (row, col) as GeoJSON polygon features in lon/lat."""
    rows, cols = np.asarray(rows), np.asarray(cols)
    x0 = g.origin[0] + cols * g.cell_size
    y0 = g.origin[1] + rows * g.cell_size
    x1, y1 = x0 + g.cell_size, y0 + g.cell_size
    xs = np.stack([x0, x1, x1, x0, x0], axis=1)
    ys = np.stack([y0, y0, y1, y1, y0], axis=1)
    lon, lat = projector.inverse(xs.ravel(), ys.ravel())
    lon, lat = np.round(lon, 6).reshape(xs.shape), np.round(lat, 6).reshape(xs.shape)
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [np.column_stack([lon[i], lat[i]]).tolist()]},
            "properties": {"row": int(rows[i]), "col": int(cols[i]), **props[i]},
        }
        for i in range(len(rows))
    ]


def layers(
    x,
    y,
    projector: Projector,
    outline: BaseGeometry | None = None,
    cell: float = 150.0,
    bandwidth: float = 300.0,
    fdr: float = 0.05,
) -> dict:
    """The KDE surface (events per km², quartic kernel) and the Gi* classes (queen window,
    Benjamini–Hochberg FDR) of points ``x, y`` (metres) as one FeatureCollection; each feature
    says its ``layer`` (``kde`` or ``gistar``)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    params = {"cell_m": cell, "bandwidth_m": bandwidth, "kernel": "quartic", "neighbourhood": "queen", "fdr": fdr}
    if x.size == 0:
        return {"type": "FeatureCollection", "features": [], "parameters": params, "summary": {"events": 0}}
    (g,) = cell_grid([x], [y], cell, outline)
    gi = getis_ord.gistar(g, neighbourhood="queen", fdr=fdr)
    surface = density.kde(x, y, g, bandwidth, kernel="quartic") * 1e6  # per km²
    valid = g.valid
    classes = np.where(valid, gi.classes, 0)
    rows, cols = np.nonzero(classes != 0)
    gi_props = [
        {
            "layer": "gistar",
            "class": int(classes[r, c]),
            "label": CLASS_LABELS[int(classes[r, c])],
            "z": round(float(gi.z[r, c]), 2),
            "p": float(f"{gi.p[r, c]:.3g}"),
            "events": int(g.counts[r, c]),
        }
        for r, c in zip(rows, cols, strict=True)
    ]
    features = cell_features(g, rows, cols, gi_props, projector)
    positive = np.where(valid & (surface > 0), surface, 0.0)
    flat = np.argsort(-positive, axis=None)[:KDE_CELLS]
    flat = flat[positive.ravel()[flat] > 0]
    krow, kcol = np.unravel_index(flat, positive.shape)
    top = float(positive.max()) or 1.0
    kde_props = [
        {"layer": "kde", "density": round(float(positive[r, c]), 2), "share": round(float(positive[r, c]) / top, 3)}
        for r, c in zip(krow, kcol, strict=True)
    ]
    features += cell_features(g, krow, kcol, kde_props, projector)
    summary = {
        "events": int(x.size),
        "cells": int(valid.sum()),
        "hot_cells": int((classes > 0).sum()),
        "cold_cells": int((classes < 0).sum()),
        "hot_99": int((classes == 3).sum()),
    }
    return {"type": "FeatureCollection", "features": features, "parameters": params, "summary": summary}
