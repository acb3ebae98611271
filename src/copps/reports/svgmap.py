"""Maps drawn on the server as SVG, so a page, its print-out and its PDF show the same picture.

Everything is drawn in the site's metres (``copps.geo.shapes`` and ``Event.x/y``), with
north up and a scale bar; there are no base tiles, so area outlines give the orientation. Only
presentation attributes are used (no ``style``), which the pages' content security policy allows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

import numpy as np
from shapely.geometry.base import BaseGeometry

__all__ = ["Shape", "Dots", "map_svg"]

NICE_METRES = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)


@dataclass(frozen=True)
class Shape:
    """Polygons drawn with one look; ``label`` goes in the legend (blank: not listed)."""

    geometry: BaseGeometry | None
    label: str = ""
    fill: str = "none"
    stroke: str = "#555"
    opacity: float = 0.35
    width: float = 1.0
    dash: str = ""


@dataclass(frozen=True)
class Dots:
    """Points drawn as small circles."""

    x: np.ndarray
    y: np.ndarray
    label: str = ""
    fill: str = "#1f4e8c"
    radius: float = 2.2


def _polygons(geom: BaseGeometry):
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    return [g for part in getattr(geom, "geoms", []) for g in _polygons(part)]


class _Frame:
    def __init__(self, bounds, width: int, pad: int):
        minx, miny, maxx, maxy = bounds
        span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
        self.minx, self.maxy, self.pad = minx, maxy, pad
        self.scale = (width - 2 * pad) / span_x
        self.width = width
        self.height = int(span_y * self.scale) + 2 * pad

    def xy(self, x, y):
        return (np.asarray(x, float) - self.minx) * self.scale + self.pad, (self.maxy - np.asarray(y, float)) * (
            self.scale
        ) + self.pad

    def path(self, geom: BaseGeometry) -> str:
        parts = []
        for poly in _polygons(geom):
            for ring in [poly.exterior, *poly.interiors]:
                xs, ys = self.xy(*np.asarray(ring.coords).T[:2])
                parts.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys, strict=True)) + "Z")
        return "".join(parts)


def _scale_bar(frame: _Frame) -> list[str]:
    target = (frame.width - 2 * frame.pad) / frame.scale / 5
    metres = max([m for m in NICE_METRES if m <= target] or [NICE_METRES[0]])
    px = metres * frame.scale
    x0, y0 = frame.pad, frame.height - 8
    label = f"{metres // 1000} km" if metres >= 1000 and metres % 1000 == 0 else f"{metres} m"
    return [
        f'<path d="M{x0},{y0 - 5}V{y0}H{x0 + px:.1f}V{y0 - 5}" fill="none" stroke="#222" stroke-width="1.2"/>',
        f'<text x="{x0 + px + 4:.1f}" y="{y0}">{label}</text>',
    ]


def map_svg(
    shapes: list[Shape],
    dots: list[Dots] = (),
    *,
    title: str,
    frame: BaseGeometry | None = None,
    width: int = 640,
    margin_m: float = 150.0,
) -> str:
    """An SVG map of ``shapes`` (drawn in order, first at the bottom) and ``dots`` on top.

    The view is ``frame`` (or every shape) grown by ``margin_m``; dots outside it are left
    out. Returns the ``<svg>`` element as text, with a title for screen readers and a legend.
    """
    drawn = [s for s in shapes if s.geometry is not None and not s.geometry.is_empty]
    extent = frame if frame is not None else (drawn[0].geometry if drawn else None)
    if extent is None:
        return ""
    for s in drawn if frame is None else ():
        extent = extent.union(s.geometry.envelope)
    minx, miny, maxx, maxy = extent.buffer(margin_m).bounds
    legend = [s for s in drawn if s.label] + [d for d in dots if d.label]
    pad = 12
    box = _Frame((minx, miny, maxx, maxy), width, pad)
    legend_h = 18 * len(legend) + (6 if legend else 0)
    height = box.height + 14 + legend_h
    clip = "clip-" + hashlib.sha1(f"{title}{minx}{miny}".encode()).hexdigest()[:10]  # unique per map on a page
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-map" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{box.height}" fill="#fbfbf8" stroke="#bbb"/>',
        f'<clipPath id="{clip}"><rect x="0" y="0" width="{width}" height="{box.height}"/></clipPath>',
        f'<g clip-path="url(#{clip})">',
    ]
    for s in drawn:
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        out.append(
            f'<path d="{box.path(s.geometry)}" fill="{s.fill}" fill-opacity="{s.opacity}" fill-rule="evenodd" '
            f'stroke="{s.stroke}" stroke-width="{s.width}"{dash}/>'
        )
    for d in dots:
        x, y = np.asarray(d.x, float), np.asarray(d.y, float)
        keep = np.isfinite(x) & np.isfinite(y) & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        px, py = box.xy(x[keep], y[keep])
        out.extend(
            f'<circle cx="{a:.1f}" cy="{b:.1f}" r="{d.radius}" fill="{d.fill}" fill-opacity="0.8"/>'
            for a, b in zip(px, py, strict=True)
        )
    out.append("</g>")
    out.extend(_scale_bar(box))
    out.append(f'<text x="{width - pad}" y="{box.height - 8}" text-anchor="end" font-weight="bold">N ↑</text>')
    y = box.height + 20
    for item in legend:
        if isinstance(item, Shape):
            out.append(
                f'<rect x="{pad}" y="{y - 10}" width="16" height="11" fill="{item.fill}" '
                f'fill-opacity="{max(item.opacity, 0.2) if item.fill != "none" else 0}" stroke="{item.stroke}"/>'
            )
        else:
            out.append(f'<circle cx="{pad + 8}" cy="{y - 4}" r="{item.radius + 1}" fill="{item.fill}"/>')
        out.append(f'<text x="{pad + 24}" y="{y}">{escape(item.label)}</text>')
        y += 18
    out.append("</svg>")
    return "\n".join(out)
