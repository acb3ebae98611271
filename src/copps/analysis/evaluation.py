"""Evaluation: how well does a hot-spot surface anticipate the crimes that came later?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PAIResult", "pai"]


@dataclass(frozen=True)
class PAIResult:
    """Hit rate, PAI and PEI curves for cells ranked by the surface.

    Attributes
    ----------
    area_share : ndarray
        Cumulative share of the study area flagged, cells taken in order of
        decreasing surface value.
    hit_rate : ndarray
        Share of later events inside the flagged area.
    pai : ndarray
        Predictive accuracy index, ``hit_rate / area_share``.
    pei : ndarray
        Predictive efficiency index: hits over the most hits any area of the
        same size could have caught (1 = as good as hindsight).
    at : dict
        ``{area share: (hit rate, PAI, PEI)}`` at the requested coverages.
    """

    area_share: np.ndarray
    hit_rate: np.ndarray
    pai: np.ndarray
    pei: np.ndarray
    at: dict


def pai(surface, later_events, area_shares=(0.01, 0.05, 0.1, 0.2), cell_area=None) -> PAIResult:
    """Hit rate, PAI and PEI of a hot-spot surface against later events.

    Parameters
    ----------
    surface : array_like
        Score per cell (KDE, Gi* z, counts); NaN cells are outside the study area.
    later_events : array_like
        Count of events per cell in the evaluation period (same shape).
    area_shares : sequence of float
        Coverages at which to report.
    cell_area : array_like, optional
        Area of each cell (default: equal areas).

    Returns
    -------
    PAIResult

    Notes
    -----
    ``PAI = (n/N) / (a/A)`` (Chainey, Tompson & Uhlig 2008, Security Journal
    21:4–28); ``PEI = n / n*`` with ``n*`` the events in the best cells of the
    same total area (Hunt 2016; used in the NIJ Real-Time Crime Forecasting
    Challenge, 2017). Ties in the surface are broken by
    cell order (stable), so equal scores do not borrow hindsight.

    Example
    -------
    >>> r = pai([[3.0, 2.0], [1.0, 0.0]], [[5, 1], [0, 4]], area_shares=(0.25, 0.5))
    >>> r.at[0.25]
    (0.5, 2.0, 1.0)
    """
    s = np.asarray(surface, dtype=float).ravel()
    ev = np.asarray(later_events, dtype=float).ravel()
    area = np.ones_like(s) if cell_area is None else np.asarray(cell_area, float).ravel()
    ok = ~np.isnan(s)
    s, ev, area = s[ok], ev[ok], area[ok]
    total_events = ev.sum()
    if total_events <= 0:
        raise ValueError("no later events to evaluate against")
    order = np.argsort(-s, kind="stable")
    share = np.cumsum(area[order]) / area.sum()
    hits = np.cumsum(ev[order]) / total_events
    best_order = np.argsort(-(ev / area), kind="stable")
    best_share = np.cumsum(area[best_order]) / area.sum()
    best_hits = np.cumsum(ev[best_order]) / total_events
    best_at = np.interp(share, np.concatenate([[0.0], best_share]),
                        np.concatenate([[0.0], best_hits]))
    with np.errstate(divide="ignore", invalid="ignore"):
        pai_curve = hits / share
        pei_curve = np.where(best_at > 0, hits / best_at, np.nan)
    at = {}
    for a in area_shares:
        i = int(np.searchsorted(share, a - 1e-12))
        i = min(i, share.size - 1)
        at[a] = (float(hits[i]), float(pai_curve[i]), float(pei_curve[i]))
    return PAIResult(share, hits, pai_curve, pei_curve, at)
