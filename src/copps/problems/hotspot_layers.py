"""Hot-spot layers for staff maps: a kernel density surface and Getis–Ord Gi* classes on one
grid, as GeoJSON cells in WGS 84. The grid covers the district or beat, or else the jurisdiction
(never the points' raw extent); its origin is a multiple of the cell size (cells stay put between
requests) and only cells whose centre lies inside the area are scored (the mask)."""

from __future__ import annotations

import numpy as np
from shapely.geometry.base import BaseGeometry

from copps.analysis import density, getis_ord
from copps.geo.cells import grid_cell_features
from copps.geo.crs import Projector
from copps.geo.studygrid import study_grids
from copps.incidents import jurisdiction

__all__ = ["CLASS_LABELS", "cell_grid", "layers"]

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
    """One grid for several point sets over the outline (a district or beat, in metres) or, without
    one, the jurisdiction (``copps.geo.studygrid.study_grids``: snapped bounds, the area as mask,
    the cell budget). Raises ``GridTooLarge`` when it would not fit, ``ValueError`` with no area."""
    area = outline
    if area is None:
        area, label = jurisdiction.study_area()
        if area is None:
            raise ValueError(label)
    return study_grids(area, cell, list(zip(xs, ys, strict=True)))


def layers(
    x,
    y,
    projector: Projector,
    outline: BaseGeometry | None = None,
    cell: float = 150.0,
    bandwidth: float = 300.0,
    fdr: float = 0.05,
    permutations: int = 0,
    seed: int = 0,
) -> dict:
    """The KDE surface (events per km², quartic kernel) and the Gi* classes (queen window,
    Benjamini–Hochberg FDR) of points ``x, y`` (metres) as one FeatureCollection; each feature
    says its ``layer`` (``kde`` or ``gistar``). With ``permutations`` the Gi* classes rest on the
    conditional permutation p (seeded) instead of the normal approximation."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    params = {
        "cell_m": cell,
        "bandwidth_m": bandwidth,
        "kernel": "quartic",
        "neighbourhood": "queen",
        "fdr": fdr,
        "min_hot_window": getis_ord.MIN_HOT_WINDOW,
        "permutations": int(permutations),
    }
    if x.size == 0:
        return {"type": "FeatureCollection", "features": [], "parameters": params, "summary": {"events": 0}}
    (g,) = cell_grid([x], [y], cell, outline)
    gi = getis_ord.gistar(
        g,
        neighbourhood="queen",
        fdr=fdr,
        min_events=getis_ord.MIN_HOT_WINDOW,
        permutations=permutations,
        seed=seed,
        classify="p_sim" if permutations else "p",
    )
    surface = density.kde(x, y, g, bandwidth, kernel="quartic") * 1e6  # per km²
    valid = g.valid
    in_study = int(g.counts[valid].sum())
    classes = np.where(valid, gi.classes, 0)
    if in_study < getis_ord.MIN_FEATURES:
        classes = np.zeros_like(classes)  # too few events for a Gi* map (Esri asks for 30)
        params["note"] = f"{in_study} events in the area: Gi* needs at least {getis_ord.MIN_FEATURES}"
    rows, cols = np.nonzero(classes != 0)
    gi_props = [
        {
            "layer": "gistar",
            "class": int(classes[r, c]),
            "label": CLASS_LABELS[int(classes[r, c])],
            "z": round(float(gi.z[r, c]), 2),
            "p": float(f"{gi.p_used[r, c]:.3g}") if permutations else float(f"{gi.p[r, c]:.3g}"),
            "events": int(g.counts[r, c]),
        }
        for r, c in zip(rows, cols, strict=True)
    ]
    features = grid_cell_features(g, rows, cols, gi_props, projector)
    positive = np.where(valid & (surface > 0), surface, 0.0)
    flat = np.argsort(-positive, axis=None)[:KDE_CELLS]
    flat = flat[positive.ravel()[flat] > 0]
    krow, kcol = np.unravel_index(flat, positive.shape)
    top = float(positive.max()) or 1.0
    kde_props = [
        {"layer": "kde", "density": round(float(positive[r, c]), 2), "share": round(float(positive[r, c]) / top, 3)}
        for r, c in zip(krow, kcol, strict=True)
    ]
    features += grid_cell_features(g, krow, kcol, kde_props, projector)
    summary = {
        "events": int(x.size),
        "events_in_study_area": in_study,
        "cells": int(valid.sum()),
        "hot_cells": int((classes > 0).sum()),
        "cold_cells": int((classes < 0).sum()),
        "hot_99": int((classes == 3).sum()),
    }
    if params.get("note"):
        summary["gistar_note"] = params["note"]
    elif not (classes != 0).any():
        summary["gistar_note"] = _why_no_class(gi.p_used if permutations else gi.p, valid, fdr, permutations)
    return {"type": "FeatureCollection", "features": features, "parameters": params, "summary": summary}


def _why_no_class(p: np.ndarray, valid: np.ndarray, fdr: float, permutations: int) -> str:
    """Why an empty Gi* map is empty, in numbers: the smallest p against what the false discovery
    rate asks of a lone cell (Benjamini–Hochberg: p ≤ rate × 1 / cells), and, with permutations,
    the smallest p they can give (1 / (permutations + 1))."""
    cells = int(valid.sum())
    found = p[valid]
    found = found[np.isfinite(found)]
    need = fdr / max(cells, 1)
    text = (
        f"no cell passes the false discovery rate: the smallest p is {float(found.min()) if found.size else 1.0:.2g}, "
        f"and over {cells} cells a lone hot spot needs p ≤ {need:.2g}"
    )
    floor = 1 / (permutations + 1) if permutations else 0.0
    if floor > need:
        text += (
            f"; {permutations} permutations cannot give a p below {floor:.2g}: choose more, or 0 for the normal "
            "approximation"
        )
    return text
