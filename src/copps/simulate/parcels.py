"""Addressable places (parcels) along the city's streets.

Every event of the synthetic city happens at a parcel (a house, a shop, a
lot) or at an intersection. Parcels sit on both sides of every segment, set
back from the centreline, with a house number that follows the segment's
odd/even ranges; their spacing is the typical frontage of the street's class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copps.simulate.projection import Frame
from copps.simulate.streets import StreetNetwork, house_number

__all__ = ["Parcels", "build_parcels", "hundred_block"]

FRONTAGE_M = {"arterial": 45.0, "collector": 28.0, "local": 19.0}
SETBACK_M = 14.0
END_CLEAR_M = 9.0


@dataclass(frozen=True)
class Parcels:
    """Address points.

    Attributes
    ----------
    x, y : ndarray of float
        Local metres.
    seg, street : ndarray of int
        The segment and street the parcel fronts.
    number : ndarray of int
        House number (odd on the west/south side, even on the east/north side).
    node : ndarray of int
        The nearest true intersection (a node where two streets cross).
    """

    x: np.ndarray
    y: np.ndarray
    seg: np.ndarray
    street: np.ndarray
    number: np.ndarray
    node: np.ndarray

    def __len__(self) -> int:
        return len(self.x)

    def address(self, i: int, streets: StreetNetwork) -> str:
        """``"7512 MAPLE CT"``."""
        return f"{self.number[i]} {streets.street_name[self.street[i]]}"


def build_parcels(streets: StreetNetwork, frame: Frame) -> Parcels:
    """Place parcels along every segment of ``streets``."""
    length = streets.seg_length
    spacing = np.vectorize(FRONTAGE_M.get)(streets.seg_class)
    n = np.maximum(np.floor((length - 2 * END_CLEAR_M) / spacing).astype(int) + 1, 0)
    n[length < 2 * END_CLEAR_M + 1] = 0
    seg = np.repeat(np.arange(len(length)), n)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)
    usable = length[seg] - 2 * END_CLEAR_M
    t = END_CLEAR_M + np.where(n[seg] > 1, k * usable / np.maximum(n[seg] - 1, 1), usable / 2)
    ax, ay = streets.node_x[streets.seg_a[seg]], streets.node_y[streets.seg_a[seg]]
    bx, by = streets.node_x[streets.seg_b[seg]], streets.node_y[streets.seg_b[seg]]
    ux, uy = (bx - ax) / length[seg], (by - ay) / length[seg]
    cx, cy = ax + ux * t, ay + uy * t
    # Both sides: odd to the west/south (-normal), even to the east/north (+normal).
    px, py = uy, -ux  # normal pointing east for NS (uy=1), south for EW (ux=1)
    street = streets.seg_street[seg]
    axis = streets.street_axis[street]
    sign_even = np.where(axis == "NS", 1.0, -1.0)  # east for NS, north for EW
    xs, ys, nums, segs = [], [], [], []
    raw = house_number(axis, cx, cy, frame)
    for parity, sgn in ((1, -sign_even), (0, sign_even)):
        xs.append(cx + sgn * px * SETBACK_M)
        ys.append(cy + sgn * py * SETBACK_M)
        nums.append((2 * np.floor((raw - parity) / 2) + parity).astype(int))
        segs.append(seg)
    seg_all = np.concatenate(segs)
    x, y = np.concatenate(xs), np.concatenate(ys)
    number = np.concatenate(nums)
    # The far side of a boundary street lies in the next town.
    inside = (x > frame.xmin) & (x < frame.xmax) & (y > frame.ymin) & (y < frame.ymax)
    seg_all, x, y, number = seg_all[inside], x[inside], y[inside], number[inside]
    return Parcels(
        x=x,
        y=y,
        seg=seg_all,
        street=streets.seg_street[seg_all],
        number=number,
        node=_nearest_crossing(streets, seg_all, x, y),
    )


def _nearest_crossing(streets: StreetNetwork, seg: np.ndarray, x: np.ndarray, y: np.ndarray):
    a, b = streets.seg_a[seg], streets.seg_b[seg]
    da = np.hypot(streets.node_x[a] - x, streets.node_y[a] - y)
    db = np.hypot(streets.node_x[b] - x, streets.node_y[b] - y)
    a_ok = streets.node_street_b[a] >= 0
    b_ok = streets.node_street_b[b] >= 0
    use_a = (a_ok & (da <= db)) | ~b_ok
    return np.where(use_a, a, b)


def hundred_block(number: np.ndarray | int, street: str) -> str:
    """Seattle-style hundred block: ``"75XX BLOCK OF MAPLE CT"``."""
    h = int(number) // 100
    return f"{h}XX BLOCK OF {street}" if h else f"XX BLOCK OF {street}"
