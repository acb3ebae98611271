"""Location generalisation for public output: snap points and block-segment midpoints.

A published point must never mark a home. copps follows police.uk's method: a fixed
set of *snap points* is chosen once, each standing for at least ``n_min`` address
points (its catchment: the addresses nearer to it than to any other snap point), and
every true location is replaced by the snap point whose catchment holds it. The
catchment is the Voronoi cell of the snap point, so the rule needs no stored
assignment: any location, including one not in the address list, goes to its
nearest snap point.

Two guarantees, both checked by :func:`audit_snap_points`:

1. every catchment that holds an address holds at least ``n_min`` of them;
2. no snap point lies closer than ``min_offset_m`` to any address point, so a
   published point is never on top of a house. :meth:`SnapPoints.assign` keeps the
   same distance from the true location of every event it moves (an event that
   happened within ``min_offset_m`` of its nearest snap point goes to the nearest
   snap point that is far enough).

The US alternative (SFPD, Seattle) moves a point to the middle of its block segment:
:func:`snap_to_segment_midpoints`. Segment midpoints can also seed the snap points
(``candidates=``), which puts published points on street centrelines, as police.uk's
master list does.

Pure numpy/scipy/shapely; coordinates are local metres (see :mod:`copps.geo.crs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree

from copps.geo.streets import parse_location

__all__ = [
    "SnapPoints",
    "SnapAudit",
    "build_snap_points",
    "audit_snap_points",
    "segment_midpoints",
    "snap_to_segment_midpoints",
    "displacement",
    "min_displacement",
    "public_block",
]

DEFAULT_N_MIN = 8
DEFAULT_MIN_OFFSET_M = 10.0
# Published coordinates are rounded (6 decimal places of a degree: < 0.12 m); points are
# placed this much further out so that rounding never brings one inside the offset.
ROUNDING_MARGIN_M = 0.25
_UNPLACED = -1


@dataclass(frozen=True)
class SnapPoints:
    """A fixed set of published locations and the rule that maps true locations onto them.

    Attributes
    ----------
    x, y : ndarray of float
        Snap point coordinates (local metres).
    addresses : ndarray of int
        Address points in each snap point's catchment when the set was built.
    n_min : int
        The minimum catchment the set was built for.
    min_offset_m : float
        No published point is closer than this to an address point or to the true
        location of an event it stands for.
    """

    x: np.ndarray
    y: np.ndarray
    addresses: np.ndarray
    n_min: int
    min_offset_m: float

    def __len__(self) -> int:
        return len(self.x)

    def nearest(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index of the snap point whose catchment holds each location (-1 for NaN)."""
        x, y = np.asarray(x, float), np.asarray(y, float)
        out = np.full(len(x), _UNPLACED, dtype=np.int64)
        ok = np.isfinite(x) & np.isfinite(y)
        if len(self) and ok.any():
            _, idx = cKDTree(np.column_stack([self.x, self.y])).query(np.column_stack([x[ok], y[ok]]))
            out[ok] = idx
        return out

    def assign(self, x: np.ndarray, y: np.ndarray, *, search: int = 16) -> np.ndarray:
        """Index of the snap point each true location is published at (-1: not published).

        The nearest snap point, unless it is closer than ``min_offset_m`` to the true
        location; then the nearest one that is at least that far. A location with no
        such point among its ``search`` nearest is not placed.
        """
        x, y = np.asarray(x, float), np.asarray(y, float)
        out = np.full(len(x), _UNPLACED, dtype=np.int64)
        ok = np.isfinite(x) & np.isfinite(y)
        if not len(self) or not ok.any():
            return out
        k = min(search, len(self))
        dist, idx = cKDTree(np.column_stack([self.x, self.y])).query(np.column_stack([x[ok], y[ok]]), k=k)
        dist, idx = dist.reshape(-1, k), idx.reshape(-1, k)
        far = dist >= self.min_offset_m + ROUNDING_MARGIN_M if self.min_offset_m > 0 else np.ones_like(dist, bool)
        first = np.argmax(far, axis=1)
        chosen = idx[np.arange(len(idx)), first]
        chosen[~far.any(axis=1)] = _UNPLACED
        out[ok] = chosen
        return out


@dataclass(frozen=True)
class SnapAudit:
    """What a snap-point set guarantees for a list of address points."""

    points: int
    used: int  # snap points with at least one address in their catchment
    min_addresses: int  # the smallest non-empty catchment
    min_offset_m: float  # the closest any snap point comes to any address


def _kd_leaves(x: np.ndarray, y: np.ndarray, idx: np.ndarray, n_min: int, out: list) -> None:
    """Split by the median along the longer side until a part holds < 2 * n_min points."""
    stack = [idx]
    while stack:
        part = stack.pop()
        if len(part) < 2 * n_min:
            out.append(part)
            continue
        px, py = x[part], y[part]
        key = px if np.ptp(px) >= np.ptp(py) else py
        order = part[np.argsort(key, kind="stable")]
        half = len(order) // 2
        stack.extend([order[:half], order[half:]])


TIE_M = 0.05


def _robust_counts(cx: np.ndarray, cy: np.ndarray, ax: np.ndarray, ay: np.ndarray) -> np.ndarray:
    """Addresses per point, counting only those nearer to it than to any other by ``TIE_M``.

    On a regular street grid many addresses are exactly as far from two points; a
    rounding error then decides which catchment holds them. Counting neither makes the
    guarantee hold whichever way such ties fall."""
    k = min(2, len(cx))
    d, idx = cKDTree(np.column_stack([cx, cy])).query(np.column_stack([ax, ay]), k=k)
    d, idx = d.reshape(len(ax), k), idx.reshape(len(ax), k)
    clear = np.ones(len(ax), bool) if k == 1 else (d[:, 1] - d[:, 0]) >= TIE_M
    return np.bincount(idx[clear, 0], minlength=len(cx))


def _push_away(cx: np.ndarray, cy: np.ndarray, tree: cKDTree, min_offset: float) -> tuple[np.ndarray, np.ndarray]:
    """Move each point that is within ``min_offset`` of an address to the nearest spot
    (on rings of growing radius, 16 bearings) that is not."""
    cx, cy = cx.copy(), cy.copy()
    if min_offset <= 0:
        return cx, cy
    d, _ = tree.query(np.column_stack([cx, cy]))
    bad = np.flatnonzero(d < min_offset)
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    for i in bad:
        for radius in min_offset * np.array([0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]):
            px, py = cx[i] + radius * np.cos(angles), cy[i] + radius * np.sin(angles)
            dd, _ = tree.query(np.column_stack([px, py]))
            ok = np.flatnonzero(dd >= min_offset)
            if len(ok):
                j = ok[np.argmax(dd[ok] - 1e-9 * np.arange(len(ok)))] if radius > min_offset * 4 else ok[0]
                cx[i], cy[i] = px[j], py[j]
                break
        else:
            cx[i] = cy[i] = np.nan  # nowhere near is far enough from every address: drop it
    return cx, cy


def build_snap_points(
    ax: np.ndarray,
    ay: np.ndarray,
    *,
    n_min: int = DEFAULT_N_MIN,
    min_offset_m: float = DEFAULT_MIN_OFFSET_M,
    candidates: tuple[np.ndarray, np.ndarray] | None = None,
) -> SnapPoints:
    """Choose snap points so that each catchment holds at least ``n_min`` addresses.

    Parameters
    ----------
    ax, ay : array of float
        Address points (or distinct event locations) in local metres.
    n_min : int
        Minimum number of address points a published point stands for (police.uk: 8).
    min_offset_m : float
        No snap point may lie closer than this to any address point.
    candidates : (x, y), optional
        Where snap points may go (street segment midpoints, public places). Default:
        the centroid of each leaf of a median k-d split of the addresses into groups of
        ``n_min`` to ``2 * n_min - 1``.

    Returns
    -------
    SnapPoints

    Notes
    -----
    Candidates are pushed at least ``min_offset_m`` away from every address, then the
    candidate with the smallest deficient catchment (fewer than ``n_min`` addresses,
    empty ones included) is removed, a few at a time, and its addresses fall to their
    next-nearest candidate, until every catchment is large enough. Removal never moves
    a surviving point, so the offset guarantee survives it, and catchments only grow.
    An address (almost) equally near two candidates counts for neither, so the guarantee
    does not depend on how a tie falls. Fewer than ``n_min`` addresses in all: no snap
    points (nothing can be published).

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.uniform(0, 1000, 400), rng.uniform(0, 1000, 400)
    >>> snaps = build_snap_points(x, y, n_min=8)
    >>> audit_snap_points(snaps, x, y).min_addresses >= 8
    True
    """
    ax, ay = np.asarray(ax, float), np.asarray(ay, float)
    keep = np.isfinite(ax) & np.isfinite(ay)
    ax, ay = ax[keep], ay[keep]
    if n_min < 1:
        raise ValueError("n_min must be at least 1")
    empty = SnapPoints(np.empty(0), np.empty(0), np.empty(0, np.int64), n_min, float(min_offset_m))
    if len(ax) < n_min:
        return empty
    tree = cKDTree(np.column_stack([ax, ay]))
    if candidates is None:
        leaves: list[np.ndarray] = []
        _kd_leaves(ax, ay, np.arange(len(ax)), n_min, leaves)
        cx = np.array([ax[leaf].mean() for leaf in leaves])
        cy = np.array([ay[leaf].mean() for leaf in leaves])
    else:
        cx, cy = (np.asarray(c, float).copy() for c in candidates)
    cx, cy = _push_away(cx, cy, tree, min_offset_m + ROUNDING_MARGIN_M if min_offset_m > 0 else 0.0)
    ok = np.isfinite(cx) & np.isfinite(cy)
    cx, cy = cx[ok], cy[ok]
    alive = np.ones(len(cx), bool)
    while alive.any():
        live = np.flatnonzero(alive)
        counts = _robust_counts(cx[live], cy[live], ax, ay)
        deficient = np.flatnonzero(counts < n_min)
        if not len(deficient):
            return SnapPoints(cx[live], cy[live], counts.astype(np.int64), n_min, float(min_offset_m))
        if len(deficient) == len(live):  # keep the biggest: it will absorb the rest
            deficient = deficient[np.argsort(counts[deficient], kind="stable")][:-1]
            if not len(deficient):
                return empty
        # Remove the emptiest deficient candidates first, but not two neighbours in one
        # round (their addresses may be all the other needs).
        order = deficient[np.argsort(counts[deficient], kind="stable")]
        nbr_tree = cKDTree(np.column_stack([cx[live], cy[live]]))
        k = min(5, len(live))
        _, nbrs = nbr_tree.query(np.column_stack([cx[live[order]], cy[live[order]]]), k=k)
        nbrs = np.asarray(nbrs).reshape(len(order), k)
        removed = np.zeros(len(live), bool)
        for row, j in enumerate(order):
            if counts[j] and removed[nbrs[row, 1:]].any():
                continue
            removed[j] = True
        alive[live[removed]] = False
    return empty


def audit_snap_points(snaps: SnapPoints, ax: np.ndarray, ay: np.ndarray) -> SnapAudit:
    """Measure the guarantees of ``snaps`` on the address points ``ax, ay``."""
    ax, ay = np.asarray(ax, float), np.asarray(ay, float)
    if not len(snaps) or not len(ax):
        return SnapAudit(len(snaps), 0, 0, float("inf"))
    owner = snaps.nearest(ax, ay)
    counts = np.bincount(owner[owner >= 0], minlength=len(snaps))
    used = counts > 0
    d, _ = cKDTree(np.column_stack([ax, ay])).query(np.column_stack([snaps.x, snaps.y]))
    return SnapAudit(len(snaps), int(used.sum()), int(counts[used].min()), float(d.min()))


def segment_midpoints(x0, y0, x1, y1) -> tuple[np.ndarray, np.ndarray]:
    """Midpoints of straight block segments from (x0, y0) to (x1, y1)."""
    return (np.asarray(x0, float) + np.asarray(x1, float)) / 2, (np.asarray(y0, float) + np.asarray(y1, float)) / 2


def snap_to_segment_midpoints(x, y, x0, y0, x1, y1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move each location to the midpoint of its nearest block segment.

    Returns the published x, y (NaN where the input is NaN) and the segment index (-1).
    This is the US hundred-block convention: it hides the house along the block but,
    unlike snap points, gives no minimum number of addresses per published point.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    lines = shapely.linestrings(np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1))
    mx, my = segment_midpoints(x0, y0, x1, y1)
    seg = np.full(len(x), _UNPLACED, dtype=np.int64)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.any() and len(lines):
        tree = shapely.STRtree(lines)
        pt_idx, line_idx = tree.query_nearest(shapely.points(x[ok], y[ok]), all_matches=False)
        sub = np.full(ok.sum(), _UNPLACED, dtype=np.int64)
        sub[pt_idx] = line_idx
        seg[ok] = sub
    px = np.where(seg >= 0, mx[np.maximum(seg, 0)] if len(mx) else np.nan, np.nan)
    py = np.where(seg >= 0, my[np.maximum(seg, 0)] if len(my) else np.nan, np.nan)
    return px, py, seg


def displacement(true_x, true_y, pub_x, pub_y) -> np.ndarray:
    """Distance in metres between each true location and where it is published."""
    dx = np.asarray(pub_x, float) - np.asarray(true_x, float)
    return np.hypot(dx, np.asarray(pub_y, float) - np.asarray(true_y, float))


def min_displacement(true_x, true_y, pub_x, pub_y) -> float:
    """The smallest distance between a published coordinate and a true location it stands
    for (inf when nothing is published). A privacy test asserts it is at least the
    generalisation's ``min_offset_m``."""
    d = displacement(true_x, true_y, pub_x, pub_y)
    d = d[np.isfinite(d)]
    return float(d.min()) if len(d) else float("inf")


def public_block(address: str) -> str:
    """The public form of a location: ``45XX BIRCH LN`` or ``BIRCH LN / OAK ST``, or ``""``.

    Built only from what :func:`copps.geo.streets.parse_location` read: a parsed street with
    its house number generalised to the hundred, or an intersection of two parsed streets.
    Nothing of the text is copied through: free text ("JANE DOE RESIDENCE, BIRCH LN"), an
    e-mail address, a spelled-out number, a street with no number or anything the grammar
    cannot read publishes ``""``. A dropped block loses little; a leaked name or house number
    cannot be taken back.

    >>> public_block("3108 Occidental Dr Apt 4")
    '31XX OCCIDENTAL DR'
    >>> public_block("IN FRONT OF 1234 MAIN ST")
    ''
    >>> public_block("JANE DOE RESIDENCE, BIRCH LN")
    ''
    """
    location = parse_location(address or "")
    return location.public() if location is not None else ""
