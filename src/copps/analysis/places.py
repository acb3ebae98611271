"""Places: how concentrated crime is, and how often the same place or victim is hit again."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ConcentrationResult", "RepeatsResult", "concentration", "repeats"]


@dataclass(frozen=True)
class ConcentrationResult:
    """Concentration of events across places.

    Attributes
    ----------
    lorenz_places, lorenz_events : ndarray
        Lorenz curve: cumulative share of places (least to most affected) and
        of their events, both starting at 0 and ending at 1.
    gini : float
        Gini coefficient (0 = every place alike, towards 1 = all at one place).
    top_shares : dict
        ``{fraction of places: share of events}`` at the most affected places,
        e.g. ``top_shares[0.2]`` for the 80/20 rule.
    places_for_half, places_for_80 : float
        Smallest share of places holding 50% / 80% of events.
    rates : ndarray or None
        Events per unit of denominator per place (e.g. per facility or per 1,000 residents).
    rate_ratio : ndarray or None
        Each place's rate over the overall rate (risky facilities: well above 1).
    """

    lorenz_places: np.ndarray
    lorenz_events: np.ndarray
    gini: float
    top_shares: dict
    places_for_half: float
    places_for_80: float
    rates: np.ndarray | None
    rate_ratio: np.ndarray | None


def concentration(counts_per_place, denominators=None,
                  top=(0.01, 0.05, 0.1, 0.2)) -> ConcentrationResult:
    """Lorenz curve, Gini and the share of events at the top places.

    Parameters
    ----------
    counts_per_place : array_like
        Events per place (street segment, address, facility), zeros included:
        places with no crime are part of the denominator of concentration.
    denominators : array_like, optional
        Exposure per place (units, residents) for rates.
    top : sequence of float
        Fractions of places to report shares for.

    Returns
    -------
    ConcentrationResult

    Notes
    -----
    ``G = sum_i (2i - n - 1) x_(i) / (n sum x)`` over counts sorted ascending
    (i = 1..n); Weisburd (2015), Criminology 53:133–157 (law of crime
    concentration); Eck, Clarke & Guerette (2007), Crime Prevention Studies
    21 (risky facilities). With fewer events than places the Gini cannot
    reach 1 (Bernasco & Steenbeek 2017, J. Quant. Criminology 33:451–467);
    read it next to ``top_shares``.

    Example
    -------
    >>> r = concentration([0, 0, 0, 1, 9])
    >>> round(r.gini, 2), r.top_shares[0.2]
    (0.76, 0.9)
    """
    x = np.asarray(counts_per_place, dtype=float).ravel()
    n = x.size
    total = x.sum()
    if n == 0 or total <= 0:
        raise ValueError("need at least one place with events")
    asc = np.sort(x)
    ranks = np.arange(1, n + 1)
    gini = float(((2 * ranks - n - 1) * asc).sum() / (n * total))
    lorenz_events = np.concatenate([[0.0], np.cumsum(asc) / total])
    lorenz_places = np.concatenate([[0.0], ranks / n])
    desc_cum = np.cumsum(asc[::-1]) / total
    shares = {}
    for f in top:
        m = max(1, int(np.ceil(f * n - 1e-9)))
        shares[f] = float(desc_cum[m - 1])
    half = float((np.searchsorted(desc_cum, 0.5 - 1e-12) + 1) / n)
    eighty = float((np.searchsorted(desc_cum, 0.8 - 1e-12) + 1) / n)
    rates = ratio = None
    if denominators is not None:
        den = np.asarray(denominators, dtype=float).ravel()
        with np.errstate(divide="ignore", invalid="ignore"):
            rates = x / den
            ratio = rates / (total / den.sum())
    return ConcentrationResult(lorenz_places, lorenz_events, gini, shares, half, eighty, rates,
                               ratio)


@dataclass(frozen=True)
class RepeatsResult:
    """Repeat victimisation at places (or victims).

    Attributes
    ----------
    places, counts : ndarray
        Each distinct place id and its number of events.
    is_repeat : ndarray of bool
        Per event (input order): an earlier event hit the same place within the window.
    time_to_repeat : ndarray
        Gaps (in the units of ``times``) between consecutive events at a place
        that fall within the window: the time-to-repeat distribution.
    repeat_places : int
        Places with at least one repeat.
    repeat_share : float
        Share of events that are repeats.
    """

    places: np.ndarray
    counts: np.ndarray
    is_repeat: np.ndarray
    time_to_repeat: np.ndarray
    repeat_places: int
    repeat_share: float


def repeats(place_ids, times, window=None) -> RepeatsResult:
    """Repeat locations or victims and the time between repeats.

    Parameters
    ----------
    place_ids : array_like
        Place (address, victim) of each event; any sortable ids.
    times : array_like
        Event times (days as floats, or ``datetime64``; gaps are then in days).
    window : float, optional
        Largest gap that still counts as a repeat (e.g. 365 days); ``None``
        counts every later event at the same place.

    Returns
    -------
    RepeatsResult

    Notes
    -----
    An event is a repeat when the previous event at the same place happened
    at most ``window`` earlier (Farrell & Pease 1993, *Once Bitten, Twice
    Bitten*, Home Office CPU paper 46; Johnson, Bowers & Hirschfield 1997).

    Example
    -------
    >>> r = repeats(["a", "b", "a", "a"], [0, 5, 10, 400], window=365)
    >>> r.is_repeat.tolist(), r.time_to_repeat.tolist()
    ([False, False, True, False], [10.0])
    """
    ids = np.asarray(place_ids)
    t = np.asarray(times)
    if np.issubdtype(t.dtype, np.datetime64):
        t = (t - t.min()) / np.timedelta64(1, "D")
    t = np.asarray(t, dtype=float)
    places, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    order = np.lexsort((t, inverse))
    same = inverse[order][1:] == inverse[order][:-1]
    gaps = np.diff(t[order])
    hit = same & (np.ones_like(same) if window is None else gaps <= window)
    is_repeat = np.zeros(t.size, dtype=bool)
    is_repeat[order[1:][hit]] = True
    repeat_places = int(np.unique(inverse[is_repeat]).size)
    share = float(is_repeat.mean()) if t.size else 0.0
    return RepeatsResult(places, counts, is_repeat, gaps[hit], repeat_places, share)
