"""The analysis workspace's current view as a file: one panel per layer shown (KDE, Gi* classes,
emerging classes), each with its legend, and the sentence saying what the map rests on. The PDF
draws the panels as SVG (``svgmap.map_svg``) through WeasyPrint; the PNG draws the same shapes
with Pillow, so both carry the same picture as the page's map."""

from __future__ import annotations

import io
import textwrap
from collections import defaultdict

import numpy as np
from shapely.geometry import Polygon
from shapely.ops import unary_union

from copps.analysis.hotspots import EMERGING_LABELS
from copps.problems import hotspot_workspace as hw
from copps.problems.hotspot_layers import CLASS_LABELS
from copps.reports.svgmap import Shape, _polygons, map_svg

__all__ = ["panels", "png", "svgs"]

TITLES = {
    "kde": "Density (KDE), events per km²",
    "gistar": "Gi* hot and cold spots",
    "emerging": "Emerging hot and cold spots",
}


def _metres(feature, projector) -> Polygon:
    ring = np.asarray(feature["geometry"]["coordinates"][0], float)
    x, y = projector.forward(ring[:, 0], ring[:, 1])
    return Polygon(np.column_stack([x, y]))


def panels(fc: dict, projector) -> list[tuple[str, list[Shape]]]:
    """``[(title, shapes)]``: one panel per layer in ``fc``'s parameters, each class or density
    fifth a Shape with its legend label and colour (empty layers keep their panel, with no shape)."""
    groups: dict[tuple[str, int], list[Polygon]] = defaultdict(list)
    for f in fc["features"]:
        p = f["properties"]
        key = int(p["class"]) if p["layer"] != "kde" else min(4, int(p["share"] * 5))
        groups[(p["layer"], key)].append(_metres(f, projector))
    out = []
    for layer in fc["parameters"].get("layers") or hw.LAYERS:
        shapes = []
        if layer == "kde":
            for k in range(5):
                if groups.get(("kde", k)):
                    label = f"{20 * k}–{20 * (k + 1)}% of the peak density"
                    shapes.append(Shape(unary_union(groups[("kde", k)]), label, hw.KDE_RAMP[k], "none", 0.85, 0))
        elif layer == "gistar":
            for k in (3, 2, 1, -1, -2, -3):
                if groups.get(("gistar", k)):
                    shapes.append(
                        Shape(unary_union(groups[("gistar", k)]), CLASS_LABELS[k], hw.GI_COLOURS[k], "#333", 0.85, 0.3)
                    )
        else:
            for k in [*range(1, 9), *range(-1, -9, -1)]:
                if groups.get(("emerging", k)):
                    shapes.append(
                        Shape(
                            unary_union(groups[("emerging", k)]),
                            EMERGING_LABELS[k],
                            hw.EMERGING_COLOURS[k],
                            "#222",
                            0.9,
                            0.3,
                        )
                    )
        out.append((TITLES[layer], shapes))
    return out


def _frame(all_panels, outline):
    if outline is not None:
        return outline
    geoms = [s.geometry for _, shapes in all_panels for s in shapes]
    return unary_union(geoms).envelope if geoms else None


def svgs(all_panels, outline=None, width: int = 640) -> list[tuple[str, str]]:
    """Each panel as ``(title, svg)`` over the same frame (the study area, or every cell drawn)."""
    frame = _frame(all_panels, outline)
    if frame is None:
        return [(title, "") for title, _ in all_panels]
    rim = [Shape(outline, "", "none", "#1f4e8c", 0, 1.5)] if outline is not None else []
    return [(title, map_svg(rim + shapes, title=title, frame=frame, width=width)) for title, shapes in all_panels]


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def png(all_panels, sentence: str, outline=None, width: int = 800) -> bytes:
    """The panels one under the other, each with its legend, and the sentence at the top."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=14)
    pad = 14
    frame = _frame(all_panels, outline)
    lines = textwrap.wrap("This map rests on: " + sentence, width=100)
    if frame is not None:
        minx, miny, maxx, maxy = frame.buffer(150).bounds
    else:
        minx, miny, maxx, maxy = 0.0, 0.0, 1.0, 1.0
    scale = (width - 2 * pad) / max(maxx - minx, 1.0)
    map_h = int((maxy - miny) * scale)
    heights = [28 + map_h + 10 + 20 * len(shapes) + 10 for _, shapes in all_panels]
    top = pad + 20 * len(lines) + 10
    img = Image.new("RGB", (width, top + sum(heights) + pad), "white")
    draw = ImageDraw.Draw(img, "RGBA")
    for i, line in enumerate(lines):
        draw.text((pad, pad + 20 * i), line, fill="black", font=font)
    y0 = top
    for (title, shapes), h in zip(all_panels, heights, strict=True):
        draw.text((pad, y0), title, fill="black", font=font)
        oy = y0 + 24
        draw.rectangle([pad, oy, width - pad, oy + map_h], fill=(251, 251, 248), outline=(187, 187, 187))

        def xy(coords, oy=oy):
            c = np.asarray(coords, float)
            return [(pad + (a - minx) * scale, oy + (maxy - b) * scale) for a, b in c[:, :2]]

        for s in shapes:
            fill = (*_rgb(s.fill), int(255 * s.opacity))
            for poly in _polygons(s.geometry):
                draw.polygon(xy(poly.exterior.coords), fill=fill, outline=(51, 51, 51, 160) if s.width else None)
        if outline is not None:
            for poly in _polygons(outline):
                draw.line(xy(poly.exterior.coords), fill=(31, 78, 140), width=2)
        ly = oy + map_h + 10
        if not shapes:
            draw.text((pad, ly), "No cell in this layer.", fill="black", font=font)
        for s in shapes:
            draw.rectangle([pad, ly + 2, pad + 16, ly + 14], fill=_rgb(s.fill), outline=(51, 51, 51))
            draw.text((pad + 24, ly), s.label, fill="black", font=font)
            ly += 20
        y0 += h
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()
