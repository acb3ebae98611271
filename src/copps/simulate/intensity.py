"""Where and when events happen: per-parcel intensity and the draws from it.

An event type's intensity at a parcel is its land-use weight, plus a share
concentrated on facilities of the types it favours (split between facilities
by their risk), times the multiplier of any planted hot spot that covers the
parcel. The intervention scales the intensity in its target and buffer from
its start day; days before and after are drawn separately (an inhomogeneous
Poisson process that is piecewise constant in time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copps.simulate.areas import Areas
from copps.simulate.landuse import LAND_USES, Facilities
from copps.simulate.parcels import Parcels
from copps.simulate.plan import Plan
from copps.simulate.projection import Frame
from copps.simulate.rhythms import sample_times
from copps.simulate.streets import StreetNetwork

__all__ = ["Setting", "draw", "parcel_weights"]


@dataclass(frozen=True)
class Setting:
    """Everything the event generators need to know about the city."""

    frame: Frame
    streets: StreetNetwork
    parcels: Parcels
    use: np.ndarray
    facilities: Facilities
    areas: Areas
    plan: Plan
    start: np.datetime64
    days: int
    scale: float

    @property
    def use_index(self) -> np.ndarray:
        """Index of each parcel's land use in ``LAND_USES``."""
        return _use_index(self.use)

    @property
    def on_arterial(self) -> np.ndarray:
        return self.streets.street_class[self.parcels.street] == "arterial"


def _use_index(use: np.ndarray) -> np.ndarray:
    idx = np.zeros(len(use), int)
    for i, u in enumerate(LAND_USES):
        idx[use == u] = i
    return idx


def _land_use_vector(land_use: dict) -> np.ndarray:
    return np.array([float(land_use.get(u, 0.0)) for u in LAND_USES])


def parcel_weights(
    s: Setting,
    land_use: dict,
    facilities: dict | None = None,
    hotspot: str | bool | None = None,
    arterial: float = 1.0,
) -> np.ndarray:
    """Relative intensity of one event type at every parcel.

    Parameters
    ----------
    s : Setting
    land_use : dict
        Weight per land use (missing uses weigh 0).
    facilities : dict, optional
        Share of the type's events at each facility type.
    hotspot : str or bool, optional
        A crime type key (hot spots listing it apply), ``True`` (every hot
        spot applies: disorder calls) or None.
    arterial : float
        Multiplier for parcels fronting an arterial.
    """
    w = _land_use_vector(land_use)[s.use_index]
    if arterial != 1.0:
        w = np.where(s.on_arterial, w * arterial, w)
    facilities = facilities or {}
    total_share = sum(facilities.values())
    base_total = w.sum()
    fac = s.facilities
    for ftype, share in facilities.items():
        idx = np.flatnonzero(fac.type == ftype)
        if len(idx) == 0:
            continue
        risk = s.plan.facility_risk[idx]
        add = share / (1.0 - total_share) * base_total * risk / risk.sum()
        np.add.at(w, fac.parcel[idx], add)
    if hotspot is not None and hotspot is not False:
        for h in s.plan.hotspots:
            if hotspot is True or hotspot in h.crimes:
                inside = np.hypot(s.parcels.x - h.x, s.parcels.y - h.y) <= h.radius
                w = np.where(inside, w * h.multiplier, w)
    return w


def _intervention_factor(s: Setting) -> np.ndarray:
    iv = s.plan.intervention
    zone = s.plan.intervention_zone(s.parcels.x, s.parcels.y)
    f = np.ones(len(zone))
    f[zone == "target"] = 1.0 + iv.effect_target
    f[zone == "buffer"] = 1.0 + iv.effect_buffer
    f[zone == "control"] = 1.0 + iv.effect_control
    return f


def draw(
    s: Setting,
    weights: np.ndarray,
    per_year: float,
    rhythm: str,
    rng: np.random.Generator,
    intervention: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the parcels and true times of one event type over the whole period.

    Returns
    -------
    parcel : ndarray of int
    time : ndarray of datetime64[s]
    """
    rate = per_year * s.scale / 365.25
    if not intervention:
        n = rng.poisson(rate * s.days)
        parcel = rng.choice(len(weights), size=n, p=weights / weights.sum())
        return parcel, sample_times(rhythm, n, 0, s.days, s.start, rng)
    day = min(max(s.plan.intervention.day, 0), s.days)
    w_post = weights * _intervention_factor(s)
    n_pre = rng.poisson(rate * day)
    n_post = rng.poisson(rate * (s.days - day) * w_post.sum() / weights.sum())
    p_pre = rng.choice(len(weights), size=n_pre, p=weights / weights.sum())
    p_post = rng.choice(len(weights), size=n_post, p=w_post / w_post.sum())
    t_pre = sample_times(rhythm, n_pre, 0, day, s.start, rng)
    t_post = sample_times(rhythm, n_post, day, s.days, s.start, rng)
    return np.concatenate([p_pre, p_post]), np.concatenate([t_pre, t_post])
