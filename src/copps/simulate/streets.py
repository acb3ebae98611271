"""The street network of the synthetic city: arterials, collectors, local streets.

Arterials run about every 1.6 km in both directions, collectors half-way
between them and along the city limits, and local streets every 100-160 m
inside each quarter block, jittered so that blocks differ and T-junctions and
cul-de-sacs appear. Every street segment carries TIGER-style house-number
ranges for its odd and even side, so hundred-block addresses are realistic.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from copps.simulate.names import ARTERIAL_NAMES, COLLECTOR_NAMES, LOCAL_SUFFIXES, LOCAL_WORDS
from copps.simulate.projection import Frame

__all__ = ["StreetNetwork", "build_streets", "house_number"]

ARTERIAL_SPACING_X = 1600.0
ARTERIAL_SPACING_Y = 1450.0
#: House numbers grow by 0.8 per metre from these bases (west and south city limits).
NS_BASE = 5600
EW_BASE = 6000
NUMBERS_PER_M = 0.8


@dataclass(frozen=True)
class StreetNetwork:
    """Streets, their intersections (nodes) and the segments between them.

    Attributes
    ----------
    street_name, street_class, street_axis : ndarray of str, one per street
        Name (``"MAPLE CT"``), class (``arterial`` / ``collector`` / ``local``)
        and axis (``NS`` or ``EW``).
    node_x, node_y : ndarray of float
        Intersection and dead-end coordinates in local metres.
    node_street_a, node_street_b : ndarray of int
        The two streets crossing at a node (``-1`` for b at a dead end).
    seg_a, seg_b, seg_street : ndarray of int
        Segment end nodes (south/west end first) and its street.
    seg_odd_from, seg_odd_to, seg_even_from, seg_even_to : ndarray of int
        House-number ranges of the odd (west or south) and even (east or north) side.
    """

    street_name: np.ndarray
    street_class: np.ndarray
    street_axis: np.ndarray
    node_x: np.ndarray
    node_y: np.ndarray
    node_street_a: np.ndarray
    node_street_b: np.ndarray
    seg_a: np.ndarray
    seg_b: np.ndarray
    seg_street: np.ndarray
    seg_odd_from: np.ndarray
    seg_odd_to: np.ndarray
    seg_even_from: np.ndarray
    seg_even_to: np.ndarray

    @property
    def seg_length(self) -> np.ndarray:
        return np.hypot(
            self.node_x[self.seg_b] - self.node_x[self.seg_a],
            self.node_y[self.seg_b] - self.node_y[self.seg_a],
        )

    @property
    def seg_class(self) -> np.ndarray:
        return self.street_class[self.seg_street]

    def intersection_name(self, node: int, sep: str = " / ") -> str:
        """``"A ST / B AVE"`` for a crossing, the street's name for a dead end."""
        a, b = self.node_street_a[node], self.node_street_b[node]
        if b < 0:
            return str(self.street_name[a])
        return f"{self.street_name[a]}{sep}{self.street_name[b]}"


def house_number(axis: np.ndarray, x: np.ndarray, y: np.ndarray, frame: Frame) -> np.ndarray:
    """The (unrounded) house number at a point on a street of the given axis."""
    ns = axis == "NS"
    return np.where(
        ns,
        NS_BASE + NUMBERS_PER_M * (y - frame.ymin),
        EW_BASE + NUMBERS_PER_M * (x - frame.xmin),
    )


def _major_lines(frame: Frame) -> list[tuple[str, float, float, float, str, str]]:
    """Arterials and collectors: (axis, constant coordinate, lo, hi, class, name)."""
    lines = []
    xs = frame.xmin + np.arange(0, frame.width + 1, ARTERIAL_SPACING_X / 2)
    ys = frame.ymin + np.arange(0, frame.height + 1, ARTERIAL_SPACING_Y / 2)
    art_i = col_i = 0
    for axis, cs, lo, hi in (
        ("NS", xs, frame.ymin, frame.ymax),
        ("EW", ys, frame.xmin, frame.xmax),
    ):
        for k, c in enumerate(cs):
            if k % 2 == 1 or k in (0, len(cs) - 1):
                lines.append((axis, float(c), lo, hi, "collector", COLLECTOR_NAMES[col_i]))
                col_i += 1
            else:
                lines.append((axis, float(c), lo, hi, "arterial", ARTERIAL_NAMES[art_i]))
                art_i += 1
    return lines


def _local_lines(frame: Frame, rng: np.random.Generator) -> list[tuple[str, float, float, float]]:
    """Local streets inside each quarter block, jittered, some ending in cul-de-sacs."""
    xb = frame.xmin + np.arange(0, frame.width + 1, ARTERIAL_SPACING_X / 2)
    yb = frame.ymin + np.arange(0, frame.height + 1, ARTERIAL_SPACING_Y / 2)
    lines: list[tuple[str, float, float, float]] = []
    for x0, x1 in pairwise(xb):
        for y0, y1 in pairwise(yb):
            n_ns = int(rng.integers(4, 7))  # 115-160 m apart
            n_ew = int(rng.integers(5, 7))  # 105-120 m apart
            px = x0 + (x1 - x0) * (np.arange(1, n_ns + 1) / (n_ns + 1))
            py = y0 + (y1 - y0) * (np.arange(1, n_ew + 1) / (n_ew + 1))
            px = px + rng.uniform(-15, 15, n_ns)
            py = py + rng.uniform(-15, 15, n_ew)
            for c in px:
                lines.append(("NS", float(c), float(y0), float(y1)))
            for c in py:
                lo, hi = float(x0), float(x1)
                if rng.random() < 0.18:  # a cul-de-sac off one end of the block
                    cut = float(px[int(rng.integers(0, n_ns))]) + float(rng.uniform(30, 60))
                    if rng.random() < 0.5:
                        hi = min(cut, x1 - 40.0)
                    else:
                        lo = max(cut - 2 * 45.0, x0 + 40.0)
                lines.append(("EW", float(c), lo, hi))
    return _align_jogs(lines)


def _align_jogs(
    lines: list[tuple[str, float, float, float]],
) -> list[tuple[str, float, float, float]]:
    """Line up locals that meet a major street from opposite sides a few metres apart.

    A jog of under 12 m would leave a sliver segment on the major street; real
    streets there continue straight across.
    """
    out = list(lines)
    for axis in ("NS", "EW"):
        idx = [i for i, g in enumerate(out) if g[0] == axis]
        c = np.array([out[i][1] for i in idx])
        lo = np.array([out[i][2] for i in idx])
        hi = np.array([out[i][3] for i in idx])
        touch = np.isclose(hi[:, None], lo[None, :]) & (np.abs(c[:, None] - c[None, :]) < 12.0)
        for a, b in zip(*np.nonzero(touch), strict=False):
            g = out[idx[b]]
            out[idx[b]] = (g[0], out[idx[a]][1], g[2], g[3])
    return out


def build_streets(frame: Frame, rng: np.random.Generator) -> StreetNetwork:
    """Lay out the city's streets inside ``frame``.

    Parameters
    ----------
    frame : Frame
        The city rectangle in local metres.
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    StreetNetwork
    """
    major = _major_lines(frame)
    local = _local_lines(frame, rng)
    words = rng.permutation(len(LOCAL_WORDS) * len(LOCAL_SUFFIXES))[: len(local)]
    if len(local) > len(words):
        raise ValueError("not enough local street names")
    names = [m[5] for m in major]
    classes = [m[4] for m in major]
    axes = [m[0] for m in major]
    geo = [(m[0], m[1], m[2], m[3]) for m in major]
    for (axis, c, lo, hi), w in zip(local, words, strict=False):
        word = LOCAL_WORDS[w // len(LOCAL_SUFFIXES)]
        suffix = LOCAL_SUFFIXES[w % len(LOCAL_SUFFIXES)]
        if hi - lo < (frame.width / 8) * 0.8 and axis == "EW":
            suffix = "CT"
        names.append(f"{word} {suffix}")
        classes.append("local")
        axes.append(axis)
        geo.append((axis, c, lo, hi))
    names = _unique(names)
    return _assemble(frame, np.array(names), np.array(classes), np.array(axes), geo)


def _unique(names: list[str]) -> list[str]:
    """Make names unique: a clash (a renamed cul-de-sac) takes the next free suffix."""
    taken: set[str] = set()
    out = []
    for n in names:
        word = n.rsplit(" ", 1)[0]
        cand = (
            [n]
            + [f"{word} {s}" for s in LOCAL_SUFFIXES]
            + [f"{p} {n}" for p in ("NORTH", "SOUTH", "EAST", "WEST", "OLD")]
        )
        name = next(c for c in cand if c not in taken)
        taken.add(name)
        out.append(name)
    return out


def _assemble(frame, names, classes, axes, geo) -> StreetNetwork:
    axis = np.array([g[0] for g in geo])
    c = np.array([g[1] for g in geo])
    lo = np.array([g[2] for g in geo])
    hi = np.array([g[3] for g in geo])
    ns = np.flatnonzero(axis == "NS")
    ew = np.flatnonzero(axis == "EW")
    eps = 0.01
    cross = (
        (c[ns, None] >= lo[None, ew] - eps)
        & (c[ns, None] <= hi[None, ew] + eps)
        & (c[None, ew] >= lo[ns, None] - eps)
        & (c[None, ew] <= hi[ns, None] + eps)
    )
    i_ns, i_ew = np.nonzero(cross)
    node_of: dict[tuple[int, int], int] = {}
    nx: list[float] = []
    ny: list[float] = []
    na: list[int] = []
    nb: list[int] = []

    def node(x: float, y: float, a: int, b: int) -> int:
        key = (round(x * 100), round(y * 100))
        if key not in node_of:
            node_of[key] = len(nx)
            nx.append(x)
            ny.append(y)
            # Higher class first, so intersections read "ARTERIAL / LOCAL".
            order = {"arterial": 0, "collector": 1, "local": 2}
            if b >= 0 and order[classes[b]] < order[classes[a]]:
                a, b = b, a
            na.append(a)
            nb.append(b)
        return node_of[key]

    stops: dict[int, list[tuple[float, int]]] = {i: [] for i in range(len(geo))}
    for a, b in zip(ns[i_ns], ew[i_ew], strict=False):
        k = node(float(c[a]), float(c[b]), int(a), int(b))
        stops[int(a)].append((float(c[b]), k))
        stops[int(b)].append((float(c[a]), k))
    for s in range(len(geo)):  # dead ends
        pos = {round(p, 2) for p, _ in stops[s]}
        for end in (lo[s], hi[s]):
            if round(float(end), 2) not in pos:
                x, y = (c[s], end) if axis[s] == "NS" else (end, c[s])
                stops[s].append((float(end), node(float(x), float(y), s, -1)))
    sa: list[int] = []
    sb: list[int] = []
    ss: list[int] = []
    for s in range(len(geo)):
        pts = sorted(set(stops[s]))
        for (_, k0), (_, k1) in pairwise(pts):
            if k0 != k1:
                sa.append(k0)
                sb.append(k1)
                ss.append(s)
    node_x, node_y = np.array(nx), np.array(ny)
    seg_a, seg_b, seg_street = np.array(sa), np.array(sb), np.array(ss)
    ax = axes[seg_street]
    n0 = house_number(ax, node_x[seg_a], node_y[seg_a], frame)
    n1 = house_number(ax, node_x[seg_b], node_y[seg_b], frame)
    odd_from = 2 * np.ceil((n0 - 1) / 2).astype(int) + 1
    odd_to = 2 * np.floor((n1 - 1) / 2).astype(int) + 1
    even_from = 2 * np.ceil(n0 / 2).astype(int)
    even_to = 2 * np.floor(n1 / 2).astype(int)
    return StreetNetwork(
        street_name=names,
        street_class=classes,
        street_axis=axes,
        node_x=node_x,
        node_y=node_y,
        node_street_a=np.array(na),
        node_street_b=np.array(nb),
        seg_a=seg_a,
        seg_b=seg_b,
        seg_street=seg_street,
        seg_odd_from=odd_from,
        seg_odd_to=odd_to,
        seg_even_from=even_from,
        seg_even_to=even_to,
    )
