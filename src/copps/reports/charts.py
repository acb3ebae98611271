"""Charts drawn on the server as SVG (no script): monthly counts before and after a response.

Same rules as :mod:`copps.reports.svgmap`: presentation attributes only, a ``<title>`` for
screen readers, and the numbers in each bar's tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

__all__ = ["monthly_bars_svg", "nice_ceiling"]

BEFORE, AFTER, CONTROL = "#7a9cc6", "#e08a3c", "#333333"


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above ``value`` (an axis top)."""
    if value <= 0:
        return 1
    base = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * base >= value:
            return max(1, math.ceil(step * base))
    return math.ceil(10 * base)


def monthly_bars_svg(
    months: Sequence[str],
    counts: Sequence[float],
    *,
    title: str,
    split: int | None = None,
    control: Sequence[float] | None = None,
    width: int = 640,
    height: int = 220,
) -> str:
    """Bars of ``counts`` per month (``"YYYY-MM"``); bars from index ``split`` on are "after".

    ``control`` adds the control area's monthly counts as a line, so a fall in the target can
    be read against the trend around it.
    """
    n = len(months)
    if n == 0:
        return ""
    left, right, top, bottom = 40, 10, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = nice_ceiling(max([*counts, *(control or [])] or [1]))
    bw = plot_w / n

    def y_of(v: float) -> float:
        return top + plot_h * (1 - v / peak)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in (0, peak / 2, peak):
        y = y_of(tick)
        out.append(f'<path d="M{left},{y:.1f}H{width - right}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{tick:g}</text>')
    every = max(1, math.ceil(n / 12))
    for i, (month, value) in enumerate(zip(months, counts, strict=True)):
        after = split is not None and i >= split
        x = left + i * bw
        out.append(
            f'<rect x="{x + 1:.1f}" y="{y_of(value):.1f}" width="{max(bw - 2, 1):.1f}" '
            f'height="{plot_h * value / peak:.1f}" fill="{AFTER if after else BEFORE}">'
            f"<title>{escape(month)}: {value:g}</title></rect>"
        )
        if i % every == 0:
            out.append(f'<text x="{x + bw / 2:.1f}" y="{top + plot_h + 13}" text-anchor="middle">{month}</text>')
    if control is not None:
        pts = " ".join(f"{left + (i + 0.5) * bw:.1f},{y_of(v):.1f}" for i, v in enumerate(control))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{CONTROL}" stroke-width="1.5"/>')
    if split is not None and 0 < split < n:
        x = left + split * bw
        out.append(f'<path d="M{x:.1f},{top}V{top + plot_h}" stroke="#a30000" stroke-dasharray="4 3"/>')
    legend = [(BEFORE, "before"), (AFTER, "after")] if split is not None else [(BEFORE, "events")]
    x = left
    for colour, label in legend:
        out.append(f'<rect x="{x}" y="{height - 14}" width="12" height="9" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="{height - 6}">{label}</text>')
        x += 70
    if control is not None:
        out.append(f'<path d="M{x},{height - 10}H{x + 14}" stroke="{CONTROL}" stroke-width="1.5"/>')
        out.append(f'<text x="{x + 18}" y="{height - 6}">control area</text>')
    out.append("</svg>")
    return "\n".join(out)
