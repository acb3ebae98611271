"""CompStat comparisons: this week / 28 days / year to date against earlier periods.

The classic CompStat table shows a percent change for every area and crime
type; most of those changes are noise. :func:`compare` adds an exact test so
that only changes larger than chance are flagged.

A comparison needs both periods inside the data: :func:`period_status` labels each window
``"full"``, ``"partial"`` or ``"none"`` against a :class:`~copps.analysis.coverage.Coverage`,
and :func:`covered_compare` tests only pairs of fully covered windows (the others get no ratio,
no percent and never a flag).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .coverage import FULL, Coverage, window_status
from .significance import rate_ratio_test

__all__ = [
    "CompareResult",
    "PERIODS",
    "compare",
    "comparable",
    "covered_compare",
    "period_counts",
    "period_status",
    "period_windows",
]

#: comparison name -> (days in the current window, kind of comparison)
PERIODS = {
    "week": 7,
    "28 days": 28,
    "year to date": None,
}


@dataclass(frozen=True)
class CompareResult:
    """Counts now against counts before, per entry.

    Attributes
    ----------
    now, before : ndarray
        The two counts.
    change : ndarray
        ``now - before``.
    percent_change : ndarray
        ``100 (rate_now / rate_before - 1)`` (NaN when ``before`` is 0).
    ratio, lower, upper : ndarray
        Rate ratio with its exact confidence limits.
    p : ndarray
        Exact two-sided p of "no change in rate".
    significant : ndarray of bool
        ``p <= alpha``: the only changes worth a question at the meeting.
    direction : ndarray of int8
        ``+1`` significant rise, ``-1`` significant fall, ``0`` otherwise.
    """

    now: np.ndarray
    before: np.ndarray
    change: np.ndarray
    percent_change: np.ndarray
    ratio: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    p: np.ndarray
    significant: np.ndarray
    direction: np.ndarray


def compare(counts_now, counts_before, exposure_now=1.0, exposure_before=1.0,
            alpha: float = 0.05) -> CompareResult:
    """Compare counts between two periods with an exact Poisson rate-ratio test.

    Parameters
    ----------
    counts_now, counts_before : array_like
        Counts (any matching shape: areas x categories, ...).
    exposure_now, exposure_before : array_like
        Lengths of the two periods (days) or other denominators.
    alpha : float
        Significance level, also ``1 -`` confidence of the limits.

    Returns
    -------
    CompareResult

    Notes
    -----
    Conditional on the total, ``now ~ Binomial(now + before, e_now / (e_now +
    e_before))`` when rates are equal; the p-value is the exact binomial test
    and the limits are Clopper–Pearson limits mapped to the rate ratio
    (Breslow & Day 1987, vol. II, §2.3; R ``poisson.test``).

    Example
    -------
    >>> r = compare([30, 12], [15, 10])
    >>> r.percent_change.round(1).tolist(), r.significant.tolist()
    ([100.0, 20.0], [True, False])
    """
    now = np.asarray(counts_now, dtype=float)
    before = np.asarray(counts_before, dtype=float)
    ratio, lower, upper, p = rate_ratio_test(now, before, exposure_now, exposure_before, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(before > 0, 100.0 * (ratio - 1.0), np.nan)
    sig = p <= alpha
    direction = np.where(sig, np.sign(now / np.asarray(exposure_now, float)
                                      - before / np.asarray(exposure_before, float)), 0)
    return CompareResult(now, before, now - before, pct, ratio, lower, upper, p, sig,
                         direction.astype(np.int8))


def comparable(status_now: str, status_before: str) -> bool:
    """Only two fully covered windows are compared."""
    return status_now == FULL and status_before == FULL


def covered_compare(counts_now, counts_before, exposure_now, exposure_before, status_now: str,
                    status_before: str, alpha: float = 0.05) -> CompareResult:
    """:func:`compare`, or, when either window is not fully covered, the counts with no ratio,
    no interval, no p (all NaN) and no flag.

    Example
    -------
    >>> r = covered_compare([30], [0], 28, 28, "full", "none")
    >>> r.significant.tolist(), bool(np.isnan(r.ratio[0]))
    ([False], True)
    """
    if comparable(status_now, status_before):
        return compare(counts_now, counts_before, exposure_now, exposure_before, alpha)
    now = np.asarray(counts_now, dtype=float)
    before = np.asarray(counts_before, dtype=float)
    nan = np.full(np.broadcast(now, before).shape, np.nan)
    return CompareResult(now, before, now - before, nan, nan.copy(), nan.copy(), nan.copy(), nan.copy(),
                         np.zeros(nan.shape, bool), np.zeros(nan.shape, np.int8))


def _count(days: np.ndarray, groups: np.ndarray, ngroups: int, lo, hi) -> np.ndarray:
    sel = (days >= lo) & (days < hi)
    return np.bincount(groups[sel], minlength=ngroups).astype(float)


def period_counts(days, today, groups=None, ngroups: int | None = None) -> dict:
    """Counts for the standard CompStat windows ending on ``today`` (inclusive).

    Parameters
    ----------
    days : array_like of datetime64[D]
        Event dates.
    today : datetime64[D] or str
        Last day of the current windows.
    groups : array_like of int, optional
        Group index per event (area or category), ``0..ngroups-1``.
    ngroups : int, optional
        Number of groups (default ``max(groups) + 1``).

    Returns
    -------
    dict
        ``{window: {"now", "prior period", "prior year": (counts, days)}}`` for
        ``"week"``, ``"28 days"`` and ``"year to date"``. The prior period is the
        window just before; the prior year is the same dates a year earlier
        (364 days earlier for week and 28 days, so weekdays line up). Feed any
        pair to :func:`compare` with the day counts as exposures.

    Example
    -------
    >>> d = np.array(["2024-03-01", "2024-03-05", "2024-02-27"], dtype="datetime64[D]")
    >>> period_counts(d, "2024-03-06")["week"]["now"][0].tolist()
    [2.0]
    """
    days = np.asarray(days, dtype="datetime64[D]")
    g = np.zeros(days.size, dtype=np.int64) if groups is None else np.asarray(groups, np.int64)
    k = int(ngroups if ngroups is not None else (g.max() + 1 if g.size else 1))
    one = np.timedelta64(1, "D")
    return {
        name: {key: (_count(days, g, k, lo, hi), float((hi - lo) / one)) for key, (lo, hi) in windows.items()}
        for name, windows in period_windows(today).items()
    }


def period_windows(today) -> dict:
    """The windows of :func:`period_counts` as ``{window: {key: (first day, day after last)}}``."""
    today = np.datetime64(today, "D")
    one = np.timedelta64(1, "D")
    end = today + one
    out: dict = {}
    for name, length in PERIODS.items():
        if length is None:
            year = today.astype("datetime64[Y]")
            start = year.astype("datetime64[D]")
            prior_start = (year - 1).astype("datetime64[D]")
            n_days = int((end - start) / one)
            prior_end = prior_start + np.timedelta64(n_days, "D")
            windows = {
                "now": (start, end),
                "prior period": (prior_start, prior_end),
                "prior year": (prior_start, prior_end),
            }
        else:
            span = np.timedelta64(length, "D")
            shift = np.timedelta64(364, "D")
            windows = {
                "now": (end - span, end),
                "prior period": (end - 2 * span, end - span),
                "prior year": (end - span - shift, end - shift),
            }
        out[name] = windows
    return out


def period_status(today, coverage: Coverage | None) -> dict:
    """``{window: {key: "full" | "partial" | "none"}}`` for the windows ending on ``today``.

    Example
    -------
    >>> from copps.analysis.coverage import from_days
    >>> cov = from_days(np.arange("2024-01-01", "2024-09-01", dtype="datetime64[D]"))
    >>> period_status("2024-08-30", cov)["year to date"]
    {'now': 'full', 'prior period': 'none', 'prior year': 'none'}
    """
    return {
        name: {key: window_status(coverage, lo, hi) for key, (lo, hi) in w.items()}
        for name, w in period_windows(today).items()
    }
