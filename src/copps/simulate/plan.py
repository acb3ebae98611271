"""The planted facts: hot spots, risky facilities, the intervention, collision
corridors, service-request clusters and the near-repeat process.

Everything analysis should later recover is decided here, before a single
event is drawn, and recorded in ``truth.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copps.simulate.landuse import Facilities
from copps.simulate.parcels import Parcels
from copps.simulate.projection import Frame
from copps.simulate.streets import ARTERIAL_SPACING_X, ARTERIAL_SPACING_Y, StreetNetwork

RISKY_SHARE = 0.85

__all__ = [
    "RISKY_SHARE",
    "Corridor",
    "HotSpot",
    "Intervention",
    "NearRepeat",
    "Plan",
    "RequestCluster",
    "make_plan",
]

_STREET_CRIME = (
    "theft_from_vehicle",
    "theft_other",
    "shoplifting",
    "simple_assault",
    "aggravated_assault",
    "robbery_street",
    "robbery_commercial",
    "vandalism",
    "drugs",
    "disorderly",
    "trespass",
)
_MOTEL_CRIME = (
    "drugs",
    "disorderly",
    "simple_assault",
    "theft_from_vehicle",
    "vehicle_theft",
    "trespass",
)
_APT_CRIME = (
    "vehicle_theft",
    "theft_from_vehicle",
    "vandalism",
    "simple_assault",
    "domestic_violence",
)
_PARK_CRIME = ("drugs", "vandalism", "robbery_street", "simple_assault", "theft_other")


@dataclass(frozen=True)
class HotSpot:
    """A small area where its crime types (and disorder calls) run ``multiplier`` times hotter."""

    id: int
    label: str
    x: float
    y: float
    radius: float
    multiplier: float
    crimes: tuple[str, ...]
    facility: int = -1


@dataclass(frozen=True)
class Intervention:
    """A past response at one hot spot, displacement to a ring around it, an untouched control."""

    target: int
    control: int
    day: int
    buffer_m: float = 400.0
    effect_target: float = -0.40
    effect_buffer: float = 0.12
    effect_control: float = 0.0


@dataclass(frozen=True)
class Corridor:
    """A stretch of an arterial with ``multiplier`` times the collisions of its class."""

    street: int
    from_node: int
    to_node: int
    segments: np.ndarray
    multiplier: float = 5.0


@dataclass(frozen=True)
class RequestCluster:
    """A place where the listed service requests run ``multiplier`` times hotter."""

    id: int
    x: float
    y: float
    radius: float
    services: tuple[str, ...]
    multiplier: float
    hotspot: int  # co-located crime hot spot, or -1


@dataclass(frozen=True)
class NearRepeat:
    """Self-exciting residential burglary: each burglary triggers Poisson(branching) more."""

    type_key: str = "burglary_residential"
    radius_m: float = 200.0
    window_days: int = 14
    branching: float = 0.3
    same_address_share: float = 0.25
    mean_delay_days: float = 4.0


@dataclass(frozen=True)
class Plan:
    """All planted facts of one city."""

    hotspots: tuple[HotSpot, ...]
    facility_risk: np.ndarray
    facility_risky: np.ndarray
    intervention: Intervention
    corridors: tuple[Corridor, ...]
    clusters: tuple[RequestCluster, ...]
    near_repeat: NearRepeat

    def hotspot_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index of the hot spot whose circle holds each point, or -1."""
        out = np.full(len(x), -1)
        for h in self.hotspots:
            out[np.hypot(x - h.x, y - h.y) <= h.radius] = h.id
        return out

    def intervention_zone(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``"target"``, ``"buffer"``, ``"control"`` or ``""`` for each point."""
        iv = self.intervention
        t, c = self.hotspots[iv.target], self.hotspots[iv.control]
        dt = np.hypot(x - t.x, y - t.y)
        zone = np.full(len(x), "", dtype=object)
        zone[(dt > t.radius) & (dt <= t.radius + iv.buffer_m)] = "buffer"
        zone[dt <= t.radius] = "target"
        zone[np.hypot(x - c.x, y - c.y) <= c.radius] = "control"
        return zone


def _facility_risk(fac: Facilities, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per-facility weights: a fifth of each type carry about 85% of its facility weight.

    Background events on the same parcels and hot spots over ordinary
    facilities bring the realised share of the top fifth to about 80%.
    """
    risk = np.ones(len(fac))
    risky = np.zeros(len(fac), bool)
    for t in np.unique(fac.type):
        idx = np.flatnonzero(fac.type == t)
        if t in ("school", "park"):
            continue
        k = max(1, int(np.ceil(0.2 * len(idx))))
        top = rng.choice(idx, size=k, replace=False)
        risky[top] = True
        risk[idx] = rng.lognormal(0.0, 0.25, len(idx))
        risk[top] *= RISKY_SHARE / (1 - RISKY_SHARE) * (len(idx) - k) / k if len(idx) > k else 1.0
    return risk, risky


def _pick_facility(fac, parcels, ftype, risky, away, min_d, rng) -> int:
    idx = np.flatnonzero((fac.type == ftype) & (risky if ftype != "park" else True))
    px, py = parcels.x[fac.parcel[idx]], parcels.y[fac.parcel[idx]]
    ok = np.ones(len(idx), bool)
    for (ax, ay), d in zip(away, min_d, strict=False):
        ok &= np.hypot(px - ax, py - ay) >= d
    if not ok.any():
        ok = np.ones(len(idx), bool)
    return int(rng.choice(idx[ok]))


def make_plan(
    frame: Frame,
    streets: StreetNetwork,
    parcels: Parcels,
    fac: Facilities,
    days: int,
    rng: np.random.Generator,
) -> Plan:
    """Decide where and how strongly every planted pattern acts."""
    risk, risky = _facility_risk(fac, rng)
    t_xy = (
        frame.xmin + ARTERIAL_SPACING_X,
        frame.ymin + 3 * ARTERIAL_SPACING_Y,
    )  # NW arterial crossing
    c_xy = (
        frame.xmin + 3 * ARTERIAL_SPACING_X,
        frame.ymin + ARTERIAL_SPACING_Y,
    )  # SE arterial crossing
    spots = [
        HotSpot(0, "commercial corner (intervention target)", *t_xy, 250.0, 5.0, _STREET_CRIME)
    ]
    away = [t_xy, c_xy]
    dmin = [250 + 400 + 200 + 250, 900]
    for label, ftype, radius, mult, crimes in (
        ("motel", "motel", 200.0, 6.0, _MOTEL_CRIME),
        ("apartment complex", "apartment_complex", 250.0, 4.0, _APT_CRIME),
        ("park", "park", 180.0, 6.0, _PARK_CRIME),
    ):
        f = _pick_facility(fac, parcels, ftype, risky, away, dmin, rng)
        fx, fy = float(parcels.x[fac.parcel[f]]), float(parcels.y[fac.parcel[f]])
        spots.append(HotSpot(len(spots), label, fx, fy, radius, mult, crimes, facility=f))
        away.append((fx, fy))
        dmin.append(900)
    spots.append(
        HotSpot(len(spots), "commercial corner (control)", *c_xy, 250.0, 5.0, _STREET_CRIME)
    )
    iv = Intervention(target=0, control=len(spots) - 1, day=round(days * 0.55))
    corridors = _corridors(frame, streets, rng)
    rx, ry = _quiet_place(frame, spots, rng)
    clusters = (
        RequestCluster(0, spots[1].x, spots[1].y, 200.0, ("graffiti", "illegal_dumping"), 8.0, 1),
        RequestCluster(1, spots[3].x, spots[3].y, 180.0, ("graffiti", "streetlight_out"), 8.0, 3),
        RequestCluster(2, rx, ry, 250.0, ("pothole", "abandoned_vehicle"), 6.0, -1),
    )
    return Plan(tuple(spots), risk, risky, iv, corridors, clusters, NearRepeat())


def _quiet_place(
    frame: Frame, spots: list[HotSpot], rng: np.random.Generator
) -> tuple[float, float]:
    """A point at least 1.2 km from every hot spot (for the control request cluster)."""
    for _ in range(1000):
        x = rng.uniform(frame.xmin + 400, frame.xmax - 400)
        y = rng.uniform(frame.ymin + 400, frame.ymax - 400)
        if all(np.hypot(x - h.x, y - h.y) > 1200 for h in spots):
            return float(x), float(y)
    return float(frame.xmin + 400), float(frame.ymin + 400)


def _corridors(
    frame: Frame, streets: StreetNetwork, rng: np.random.Generator
) -> tuple[Corridor, ...]:
    """Three arterial stretches, each between consecutive arterial crossings (or the edge)."""
    arterials = np.flatnonzero(streets.street_class == "arterial")
    out = []
    for s in rng.choice(arterials, size=3, replace=False):
        segs = np.flatnonzero(streets.seg_street == s)
        ns = streets.street_axis[s] == "NS"
        pos = streets.node_y if ns else streets.node_x
        lo0 = frame.ymin if ns else frame.xmin
        step = ARTERIAL_SPACING_Y if ns else ARTERIAL_SPACING_X
        k = int(rng.integers(0, 4))
        lo, hi = lo0 + k * step, lo0 + (k + 1) * step
        mid = 0.5 * (pos[streets.seg_a[segs]] + pos[streets.seg_b[segs]])
        segs = segs[(mid > lo) & (mid < hi)]
        order = np.argsort(pos[streets.seg_a[segs]])
        segs = segs[order]
        out.append(
            Corridor(int(s), int(streets.seg_a[segs[0]]), int(streets.seg_b[segs[-1]]), segs)
        )
    return tuple(out)
