"""Square grid cells as GeoJSON: the one encoder of a grid for maps and files.

Every grid copps draws (the dashboard's hot spots, the DDACTS overlay, ``copps scan hotspots
--geojson``, the public map's counts) is a set of square cells in the site's metres; a map
wants lon/lat polygons. A cell (row, col) of a grid with lower-left ``origin`` and side ``size``
spans x from ``origin_x + col·size`` and y from ``origin_y + row·size``; its ring is the four
corners counter-clockwise from the lower left, closed, projected back to WGS 84 and rounded to
6 decimals (about 0.1 m).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from copps.analysis.grid import Grid
from copps.geo.crs import Projector

__all__ = ["cell_features", "grid_cell_features"]


def cell_features(
    rows, cols, properties: Sequence[dict], *, origin: tuple[float, float], size: float, projector: Projector
) -> list[dict]:
    """The cells (``rows[i]``, ``cols[i]``) as GeoJSON Polygon features, ``properties[i]`` on each.

    >>> f = cell_features([0], [1], [{"count": 3}], origin=(500000.0, 0.0), size=100.0,
    ...                   projector=Projector("EPSG:32631"))
    >>> f[0]["properties"], f[0]["geometry"]["coordinates"][0][:2]
    ({'count': 3}, [[3.000899, 0.0], [3.001797, 0.0]])
    """
    rows, cols = np.asarray(rows, dtype=float), np.asarray(cols, dtype=float)
    x0 = origin[0] + cols * size
    y0 = origin[1] + rows * size
    x1, y1 = x0 + size, y0 + size
    xs = np.stack([x0, x1, x1, x0, x0], axis=1)
    ys = np.stack([y0, y0, y1, y1, y0], axis=1)
    lon, lat = projector.inverse(xs.ravel(), ys.ravel())
    lon, lat = np.round(lon, 6).reshape(xs.shape), np.round(lat, 6).reshape(xs.shape)
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [np.column_stack([lon[i], lat[i]]).tolist()]},
            "properties": properties[i],
        }
        for i in range(len(rows))
    ]


def grid_cell_features(g: Grid, rows, cols, properties: Sequence[dict], projector: Projector) -> list[dict]:
    """Cells (row, col) of ``g`` as GeoJSON polygons in lon/lat, each saying its ``row`` and ``col``."""
    props = [{"row": int(r), "col": int(c), **p} for r, c, p in zip(rows, cols, properties, strict=True)]
    return cell_features(rows, cols, props, origin=g.origin, size=g.cell_size, projector=projector)
