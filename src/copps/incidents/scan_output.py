"""Writing scan results: readable tables for the terminal, CSV, GeoJSON cells and SVG charts."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

__all__ = ["table", "write_csv", "grid_geojson", "heatmap_svg"]


def table(headers: Sequence[str], rows: Sequence[Sequence], right: Sequence[int] = ()) -> str:
    """A plain-text table with aligned columns (numbers right-aligned by index in ``right``)."""
    cells = [[str(h) for h in headers]] + [[str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(row, widths, strict=False))
            ).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence]) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)


def grid_geojson(path: Path, cells: list[dict], corners_lonlat) -> None:
    """Cells as GeoJSON polygons. ``corners_lonlat(row, col)`` gives the cell's 4 corners."""
    features = []
    for cell in cells:
        ring = [list(map(float, c)) for c in corners_lonlat(cell["row"], cell["col"])]
        features.append(
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring + [ring[0]]]}, "properties": cell}
        )
    Path(path).write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def heatmap_svg(path: Path, matrix: np.ndarray, row_labels: Sequence[str], title: str) -> None:
    """An hour x weekday heat map as a standalone SVG (no script, prints and embeds as is)."""
    rows, cols = matrix.shape
    cw, ch, left, top = 26, 22, 48, 40
    peak = float(matrix.max()) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + cols * cw + 10}" height="{top + rows * ch + 30}" '
        f'font-family="sans-serif" font-size="11" role="img" aria-label="{escape(title)}">',
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for h in range(cols):
        parts.append(f'<text x="{left + h * cw + cw / 2}" y="{top - 6}" text-anchor="middle">{h:02d}</text>')
    for r in range(rows):
        parts.append(
            f'<text x="{left - 6}" y="{top + r * ch + ch * 0.7}" text-anchor="end">{escape(row_labels[r])}</text>'
        )
        for h in range(cols):
            share = matrix[r, h] / peak
            shade = int(255 - 200 * share)
            parts.append(
                f'<rect x="{left + h * cw}" y="{top + r * ch}" width="{cw - 1}" height="{ch - 1}" '
                f'fill="rgb(255,{shade},{shade})"><title>{escape(row_labels[r])} {h:02d}:00 — '
                f"{matrix[r, h]:.1f}</title></rect>"
            )
    parts.append(
        f'<text x="{left}" y="{top + rows * ch + 18}">darker = more events (peak {peak:.1f} in one hour)</text>'
    )
    parts.append("</svg>")
    Path(path).write_text("\n".join(parts))
