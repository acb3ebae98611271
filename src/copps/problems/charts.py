"""Small charts drawn on the server as SVG, so the page, print and PDF show the same picture."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["bars_svg"]


def bars_svg(
    values, labels, title: str, marks=frozenset(), keys=None, width: int = 640, height: int = 160
) -> SafeString:
    """A bar chart of ``values``; bars whose key (default: label) is in ``marks`` are drawn red."""
    values = [float(v) for v in values]
    n = max(len(values), 1)
    top = max(values, default=0) or 1.0
    plot_h = height - 30
    bw = width / n
    keys = list(keys) if keys is not None else list(labels)
    parts = [
        f'<svg class="bars" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    every = max(1, n // 12)
    for i, v in enumerate(values):
        h = plot_h * v / top
        style = ' class="mark"' if keys[i] in marks else ""
        parts.append(
            f'<rect x="{i * bw + 1:.1f}" y="{plot_h - h + 10:.1f}" width="{max(bw - 2, 1):.1f}" '
            f'height="{h:.1f}"{style}><title>{escape(labels[i])}: {v:g}</title></rect>'
        )
        if i % every == 0:
            parts.append(f'<text x="{i * bw + 1:.1f}" y="{height - 4}">{escape(str(labels[i])[:10])}</text>')
    parts.append(f'<text x="{width - 4}" y="10" text-anchor="end">max {top:g}</text></svg>')
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped labels only
