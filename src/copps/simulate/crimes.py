"""Crimes of the synthetic city, with near-repeat burglary waves.

Every crime type is an inhomogeneous Poisson process over parcels (see
``intensity``). Residential burglary is also self-exciting: each burglary
triggers a Poisson number of further burglaries at the same home or within
the near-repeat radius over the next days (a Hawkes branching process).
No other type has such contagion.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from copps.simulate.assemble import make_table, parcel_addresses
from copps.simulate.events import EventTable
from copps.simulate.intensity import Setting, draw, parcel_weights
from copps.simulate.offences import CRIME_TYPES, CRIMES_PER_YEAR, CrimeType
from copps.simulate.plan import NearRepeat
from copps.simulate.rhythms import RHYTHMS

__all__ = ["UNGEOCODED_SHARE", "generate_crimes"]

#: Share of exported crimes without coordinates, as in real exports.
UNGEOCODED_SHARE = 0.015
_MIN = np.timedelta64(60, "s")
_HOUR = np.timedelta64(3600, "s")


def _neighbours(s: Setting, weights: np.ndarray, radius: float):
    """A grid index of parcels with positive weight, for radius queries."""
    ok = np.flatnonzero(weights > 0)
    cx = np.floor((s.parcels.x[ok] - s.frame.xmin) / radius).astype(int)
    cy = np.floor((s.parcels.y[ok] - s.frame.ymin) / radius).astype(int)
    cells: dict[tuple[int, int], list[int]] = {}
    for p, a, b in zip(ok, cx, cy, strict=False):
        cells.setdefault((int(a), int(b)), []).append(int(p))
    return {k: np.array(v) for k, v in cells.items()}


def _near_repeat(
    s: Setting, nr: NearRepeat, weights: np.ndarray, parcel: np.ndarray, time: np.ndarray, rng
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offspring of a Hawkes process seeded by the background burglaries.

    Returns parcel, time and parent (index into the combined list, -1 for background).
    """
    grid = _neighbours(s, weights, nr.radius_m)
    end = s.start.astype("datetime64[s]") + np.timedelta64(s.days, "D")
    parcels, times, parents = [parcel], [time], [np.full(len(parcel), -1)]
    current = np.arange(len(parcel))
    offset = 0
    all_p, all_t = parcel, time
    m = RHYTHMS["weekday_daytime"]
    while len(current):
        k = rng.poisson(nr.branching, len(current))
        par = np.repeat(current, k)
        if len(par) == 0:
            break
        cap = 1 - np.exp(-nr.window_days / nr.mean_delay_days)
        delay = np.ceil(-nr.mean_delay_days * np.log(1 - rng.uniform(0, cap, len(par)))).astype(int)
        delay = np.clip(delay, 1, nr.window_days)
        day = all_t[par].astype("datetime64[D]") + delay
        dow = (day.astype("int64") - 4) % 7
        hour = np.array([rng.choice(24, p=m[d] / m[d].sum()) for d in dow], int)
        t = (
            day.astype("datetime64[s]")
            + hour * _HOUR
            + rng.integers(0, 3600, len(par)) * np.timedelta64(1, "s")
        )
        p = all_p[par].copy()
        move = rng.random(len(par)) >= nr.same_address_share
        for i in np.flatnonzero(move):
            src = all_p[par[i]]
            px, py = s.parcels.x[src], s.parcels.y[src]
            gx = int(np.floor((px - s.frame.xmin) / nr.radius_m))
            gy = int(np.floor((py - s.frame.ymin) / nr.radius_m))
            cand = np.concatenate(
                [
                    grid.get((gx + a, gy + b), np.empty(0, int))
                    for a in (-1, 0, 1)
                    for b in (-1, 0, 1)
                ]
            )
            d = np.hypot(s.parcels.x[cand] - px, s.parcels.y[cand] - py)
            cand = cand[(d <= nr.radius_m) & (cand != src)]
            if len(cand):
                w = weights[cand]
                p[i] = rng.choice(cand, p=w / w.sum())
        keep = t < end
        offset = len(all_p)
        parcels.append(p[keep])
        times.append(t[keep])
        parents.append(par[keep])
        all_p = np.concatenate([all_p, p[keep]])
        all_t = np.concatenate([all_t, t[keep]])
        current = np.arange(offset, len(all_p))
    return np.concatenate(parcels), np.concatenate(times), np.concatenate(parents)


def _windows(ct: CrimeType, t: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    before, after = ct.window_h
    lo = t - (rng.uniform(0, before, len(t)) * 3600).astype(int) * np.timedelta64(1, "s")
    hi = t + (rng.uniform(0, after, len(t)) * 3600).astype(int) * np.timedelta64(1, "s")
    return lo, hi


def generate_crimes(s: Setting, rng: np.random.Generator) -> tuple[EventTable, np.ndarray]:
    """Draw every crime of the period.

    Returns
    -------
    crimes : EventTable
        Sorted by true time; ``id`` is the Incident ID; ``parent`` links
        near-repeat offspring to the burglary that triggered them.
    call_time : ndarray of datetime64[s]
        When the linked 911 call came in (NaT for crimes reported online or on view).
    """
    tables = []
    call_times = []
    nr = s.plan.near_repeat
    for ct in CRIME_TYPES:
        w = parcel_weights(s, ct.land_use, ct.facilities, hotspot=ct.key)
        parcel, t = draw(s, w, CRIMES_PER_YEAR * ct.share, ct.rhythm, rng, intervention=True)
        parent = np.full(len(parcel), -1)
        if ct.key == nr.type_key:
            order = np.argsort(t, kind="stable")
            parcel, t, parent = _near_repeat(s, nr, w, parcel[order], t[order], rng)
        n = len(parcel)
        lo, hi = _windows(ct, t, rng)
        channel = np.where(rng.random(n) < ct.p_online, "online", "phone").astype(object)
        if ct.key in ("drugs", "warrant", "weapons"):
            channel[rng.random(n) < 0.7] = "onview"
        online = channel == "online"
        discovered = hi + (rng.exponential(30, n) * 60).astype(int) * np.timedelta64(1, "s")
        report = discovered + rng.integers(20, 150, n) * _MIN
        report[online] = hi[online] + ((1 + rng.exponential(36, online.sum())) * 3600).astype(
            int
        ) * np.timedelta64(1, "s")
        call_t = np.where(channel == "phone", discovered, np.datetime64("NaT"))
        tables.append(
            make_table(
                s,
                kind="crime",
                type_key=ct.key,
                category=ct.category,
                subcategory=ct.subcategory,
                offence=ct.description,
                sensitive=ct.sensitive,
                occurred_from=lo,
                occurred_to=hi,
                reported_at=report,
                true_time=t,
                x=s.parcels.x[parcel],
                y=s.parcels.y[parcel],
                parcel=parcel,
                node=s.parcels.node[parcel],
                street=s.parcels.street[parcel],
                address=parcel_addresses(s, parcel),
                channel=channel,
                parent=parent,
            )
        )
        call_times.append(call_t)
    table = EventTable.concat(tables)
    call_time = np.concatenate(call_times)
    order = np.argsort(table.true_time, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    table = table.select(order)
    parent = np.where(table.parent >= 0, rank[np.maximum(table.parent, 0)], -1)
    geocoded = rng.random(len(table)) >= UNGEOCODED_SHARE
    table = dataclasses.replace(
        table, id=618000 + np.arange(len(table), dtype=np.int64), parent=parent, geocoded=geocoded
    )
    return table, call_time[order]
