"""The one bar-chart renderer: SVG drawn on the server (no script), so a page, its print and a PDF
report show the same picture.

Presentation attributes only (a PDF renderer reads no style sheet for an SVG), a ``<title>`` for
screen readers, an axis from 0 to a round top, and each bar's number in its tooltip. A page may
restyle the chart through its ``css_class`` (a bar in ``marks`` has the class ``mark``).

Any room may import this module (it knows nothing of the database).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["bars_svg", "nice_ceiling", "BAR", "AFTER", "MARK", "CONTROL"]

BAR, AFTER, MARK, CONTROL = "#7a9cc6", "#e08a3c", "#b2182b", "#333333"
CHAR_WIDTH = 6  # px, a generous mean width of a character at the labels' font size (10)


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above ``value`` (an axis top).

    >>> nice_ceiling(0), nice_ceiling(7), nice_ceiling(21), nice_ceiling(240), nice_ceiling(1000)
    (1, 10, 25, 250, 1000)
    """
    if value <= 0:
        return 1
    base = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * base >= value:
            return max(1, math.ceil(step * base))
    return math.ceil(10 * base)


def bars_svg(
    values: Sequence[float],
    labels: Sequence[object],
    title: str,
    *,
    marks: Collection = frozenset(),
    keys: Sequence | None = None,
    split: int | None = None,
    control: Sequence[float] | None = None,
    css_class: str = "chart",
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """A bar chart of ``values`` with ``labels`` under the bars (at most about 12 shown, each in
    full: turned 45 degrees, the chart taller, when one does not fit under its bars).

    ``marks``: bars whose key (``keys[i]``, default the label) is in it are drawn red (an alert).
    ``split``: bars from this index on are "after" (a response began), with a dashed line there.
    ``control``: a second series drawn as a line (the control area's counts), on the same axis.
    A chart of no values is the empty string.
    """
    n = len(values)
    if n == 0:
        return mark_safe("")
    values = [float(v) for v in values]
    keys = list(keys) if keys is not None else list(labels)
    left, right, top, bottom = 40, 10, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = nice_ceiling(max([*values, *(control or [])]))
    bw = plot_w / n
    every = max(1, math.ceil(n / 12))
    # Labels are printed in full: when the longest shown does not fit under its bars, every label
    # is turned 45 degrees (reading down to the right) and the chart grows down and right to hold it.
    longest = max(len(str(label)) for label in list(labels)[::every])
    turned = longest * CHAR_WIDTH > bw * every - 2
    if turned:
        reach = math.ceil(longest * CHAR_WIDTH * math.sqrt(0.5))
        height, width = height + reach, width + reach

    def y_of(v: float) -> float:
        return top + plot_h * (1 - v / peak)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in (0, peak / 2, peak):
        y = y_of(tick)
        out.append(f'<path d="M{left},{y:.1f}H{left + plot_w}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{tick:g}</text>')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * bw
        marked = keys[i] in marks
        fill = MARK if marked else AFTER if split is not None and i >= split else BAR
        mark = ' class="mark"' if marked else ""
        out.append(
            f'<rect x="{x + 1:.1f}" y="{y_of(value):.1f}" width="{max(bw - 2, 1):.1f}" '
            f'height="{plot_h * value / peak:.1f}" fill="{fill}"{mark}><title>{escape(label)}: {value:g}</title></rect>'
        )
        if i % every == 0:
            lx, ly = x + bw / 2, top + plot_h + 13
            place = f'transform="rotate(45 {lx:.1f} {ly})"' if turned else 'text-anchor="middle"'
            out.append(f'<text x="{lx:.1f}" y="{ly}" {place} class="bar-label">{escape(label)}</text>')
    if control is not None:
        pts = " ".join(f"{left + (i + 0.5) * bw:.1f},{y_of(v):.1f}" for i, v in enumerate(control))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{CONTROL}" stroke-width="1.5"/>')
    if split is not None and 0 < split < n:
        x = left + split * bw
        out.append(f'<path d="M{x:.1f},{top}V{top + plot_h}" stroke="#a30000" stroke-dasharray="4 3"/>')
    legend = [(BAR, "before"), (AFTER, "after")] if split is not None else []
    legend += [(MARK, "alert")] if any(k in marks for k in keys) else []
    x = left
    for colour, label in legend:
        out.append(f'<rect x="{x}" y="{height - 14}" width="12" height="9" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="{height - 6}">{label}</text>')
        x += 70
    if control is not None:
        out.append(f'<path d="M{x},{height - 10}H{x + 14}" stroke="{CONTROL}" stroke-width="1.5"/>')
        out.append(f'<text x="{x + 18}" y="{height - 6}">control area</text>')
    out.append("</svg>")
    return mark_safe("\n".join(out))  # noqa: S308 - numbers and escaped text only
