"""Writing scan results: readable tables for the terminal, CSV, GeoJSON cells and SVG charts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from copps.analysis.grid import Grid
from copps.geo.cells import grid_cell_features
from copps.geo.crs import Projector

__all__ = ["table", "grid_geojson", "heatmap_svg", "without_time_of_day", "peak"]


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


def grid_geojson(path: Path, g: Grid, cells: list[dict], projector: Projector) -> None:
    """Write ``cells`` (dicts with the ``row`` and ``col`` of ``g`` and what to say of each) as a
    GeoJSON FeatureCollection of their squares in lon/lat."""
    rows, cols = [c["row"] for c in cells], [c["col"] for c in cells]
    features = grid_cell_features(g, rows, cols, cells, projector)
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


def without_time_of_day(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Which events carry a date but no time of day.

    Two shapes of such data: a window of whole days (``[profile] precision = "day"`` or
    ``"month"``, a SWITRS time of 2500: 00:00 to 23:59 local), and a file that writes each date
    as its midnight with no window (every event at exactly 00:00). The second is only called
    dateless when every event of the set is at 00:00: a real export's 00:00 rows among timed ones
    are times like any other.
    """
    start = np.asarray(start, "datetime64[m]")
    end = np.asarray(end, "datetime64[m]")
    minute = (start - start.astype("datetime64[D]")).astype(int)
    has_end = ~np.isnat(end)
    span = np.where(has_end, (end - start).astype("timedelta64[m]").astype(np.int64), 0)
    end_minute = np.where(has_end, (end - end.astype("datetime64[D]")).astype(int), -1)
    whole_days = has_end & (minute == 0) & (span >= 1439) & (end_minute == 1439)
    if len(start) and np.all(minute == 0) and not np.any(has_end & ~whole_days):
        return np.ones(len(start), bool)
    return whole_days


def peak(what: str, values: np.ndarray, labels: Sequence[str]) -> str:
    """``"peak hour: Mon 00:00 (12)"``, or the tie said as a tie: no one cell of several with the
    same highest count is called the peak."""
    values = np.asarray(values, float)
    top = float(values.max())
    tied = np.flatnonzero(np.isclose(values, top, rtol=1e-9, atol=1e-9))
    if top <= 0:
        return f"no {what}: no events"
    if len(tied) == 1:
        return f"{what}: {labels[tied[0]]} ({top:.0f})"
    shown = ", ".join(labels[i] for i in tied[:8]) + (", …" if len(tied) > 8 else "")
    return f"no single {what}: {len(tied)} tie at {top:.1f} ({shown})"
