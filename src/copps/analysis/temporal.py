"""When crime happens: hour-by-weekday profiles (aoristic) and seasonality."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["WEEKDAYS", "SeasonalityResult", "seasonality", "weekly_profile"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEK = 7 * 24 * 60  # minutes


def _minutes(t) -> np.ndarray:
    """Minutes since Monday 1970-01-05 00:00 (1970-01-01 was a Thursday)."""
    t = np.asarray(t, dtype="datetime64[s]")
    return (t - np.datetime64("1970-01-05T00:00:00")) / np.timedelta64(60, "s")


def _covered(u: np.ndarray) -> np.ndarray:
    """Minutes of ``[0, u)`` spent in each hour-of-week bin, shape (len(u), 168)."""
    weeks = np.floor(u / _WEEK)
    rest = u - weeks * _WEEK
    starts = np.arange(168) * 60.0
    return weeks[:, None] * 60.0 + np.clip(rest[:, None] - starts[None, :], 0.0, 60.0)


def weekly_profile(start, end=None, weights=None, chunk: int = 20000) -> np.ndarray:
    """Hour x weekday profile with aoristic weighting.

    Parameters
    ----------
    start : array_like of datetime64
        Earliest time each event may have happened (local time).
    end : array_like of datetime64, optional
        Latest time (e.g. a burglary discovered after a weekend away); ``NaT``
        or ``None`` means the event time is known exactly (= ``start``).
    weights : array_like, optional
        Weight per event (default 1).
    chunk : int
        Events processed at once (memory ~ 168 x 8 x chunk bytes x 3).

    Returns
    -------
    ndarray, shape (7, 24)
        Rows Monday..Sunday, columns hours 0..23; sums to the total weight.

    Notes
    -----
    Aoristic analysis spreads each event uniformly over its window: the share
    given to an hour is the fraction of the window that falls in it
    (Ratcliffe & McCullagh 1998, Int. J. Geographical Information Science
    12:751–764; Ratcliffe 2002, J. Quant. Criminology 18:23–43). Windows longer
    than a week spread over whole weeks plus the remainder.

    Example
    -------
    >>> s = np.array(["2024-01-01T22:00"], dtype="datetime64[m]")  # a Monday
    >>> e = np.array(["2024-01-02T02:00"], dtype="datetime64[m]")
    >>> p = weekly_profile(s, e)
    >>> float(p[0, 22]), float(p[1, 1])
    (0.25, 0.25)
    """
    s = _minutes(start).astype(float).ravel()
    e = s.copy() if end is None else _minutes(end).astype(float).ravel()
    e = np.where(np.isnan(e), s, e)
    if np.any(e < s):
        raise ValueError("an event ends before it starts")
    w = np.ones_like(s) if weights is None else np.asarray(weights, dtype=float).ravel()
    out = np.zeros(168)
    # exact times: the bin of the start
    point = e == s
    if point.any():
        bins = (np.floor(np.mod(s[point], _WEEK) / 60.0)).astype(np.int64)
        out += np.bincount(bins, weights=w[point], minlength=168)
    idx = np.flatnonzero(~point)
    for lo in range(0, idx.size, chunk):
        sel = idx[lo:lo + chunk]
        base = np.floor(s[sel] / _WEEK) * _WEEK  # keep numbers small
        cover = _covered(e[sel] - base) - _covered(s[sel] - base)
        out += (cover * (w[sel] / (e[sel] - s[sel]))[:, None]).sum(axis=0)
    return out.reshape(7, 24)


@dataclass(frozen=True)
class SeasonalityResult:
    """Counts by season bucket against the exposure each bucket had.

    Attributes
    ----------
    labels : tuple of str
    counts : ndarray
    days : ndarray
        Days of each bucket inside the study period (the exposure).
    index : ndarray
        Seasonal index: the bucket's daily rate over the overall daily rate
        (1 = average; 1.2 = 20% above).
    chi2, p : float
        Goodness-of-fit test of "no seasonality" (counts proportional to days).
    df : int
        Degrees of freedom of the test: buckets with exposure, less one.
    min_expected : float
        The smallest expected count of a bucket with exposure; under 5 the chi-square
        approximation is rough (Cochran's rule) and the p-value should be read with care.
    """

    labels: tuple[str, ...]
    counts: np.ndarray
    days: np.ndarray
    index: np.ndarray
    chi2: float
    p: float
    df: int = 0
    min_expected: float = float("nan")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _week_of_year(a: np.ndarray) -> np.ndarray:
    """0 for 1–7 January, 1 for 8–14 January, ... 52 for the year's last one or two days."""
    return ((a - a.astype("datetime64[Y]").astype("datetime64[D]")).astype(int) // 7).astype(np.int64)


def seasonality(times, period: str = "month", start=None, end=None, covered=None) -> SeasonalityResult:
    """Seasonal pattern of events by month of year, week of year or day of week.

    Parameters
    ----------
    times : array_like of datetime64
        Event dates.
    period : {"month", "week", "weekday"}
        "week" is the week of the year counted from 1 January (days 1–7 are week 1; week 53
        holds the year's last day or two, and its short exposure is accounted for).
    start, end : datetime64, optional
        Study period (inclusive); defaults to the first and last event dates.
    covered : array_like of datetime64[D], optional
        The days the data covers (``coverage.days_covered``). When given, only these days are
        exposure and events on other days are left out, so that a gap in the data or a partial
        year is not read as a season.

    Returns
    -------
    SeasonalityResult

    Notes
    -----
    Each bucket's exposure is the number of its days in the study period (or,
    with ``covered``, of its days the data covers), so a partial year, a gap in
    the data or February's 28 days do not masquerade as a season. Pearson's
    chi-square test of counts against exposure-proportional expectations,
    ``sum (O - E)^2 / E`` on ``k - 1`` degrees of freedom over the ``k``
    buckets with exposure (scipy.stats.chisquare; Pearson 1900). Months and
    weeks of one year alone cannot tell a season from a trend: the test says
    the rate was not even, not that it will recur.

    Example
    -------
    >>> d = np.array(["2024-01-01", "2024-01-02", "2024-01-08"], dtype="datetime64[D]")
    >>> seasonality(d, "weekday", "2024-01-01", "2024-01-14").counts.tolist()[:2]
    [2.0, 1.0]
    """
    d = np.asarray(times, dtype="datetime64[D]").ravel()
    if covered is not None:
        span = np.unique(np.asarray(covered, dtype="datetime64[D]").ravel())
        if start is not None:
            span = span[span >= np.datetime64(start, "D")]
        if end is not None:
            span = span[span <= np.datetime64(end, "D")]
        d = d[np.isin(d, span)]
    else:
        lo = d.min() if start is None else np.datetime64(start, "D")
        hi = d.max() if end is None else np.datetime64(end, "D")
        d = d[(d >= lo) & (d <= hi)]
        span = np.arange(lo, hi + np.timedelta64(1, "D"))
    if period == "month":
        key = lambda a: (a.astype("datetime64[M]").astype(int) % 12)  # noqa: E731
        labels = _MONTHS
    elif period == "week":
        key = _week_of_year
        labels = tuple(f"W{i}" for i in range(1, 54))
    elif period == "weekday":
        key = lambda a: ((a - np.datetime64("1970-01-05")).astype(int) % 7)  # noqa: E731
        labels = WEEKDAYS
    else:
        raise ValueError("period must be 'month', 'week' or 'weekday'")
    k = len(labels)
    counts = np.bincount(key(d), minlength=k).astype(float)
    days = np.bincount(key(span), minlength=k).astype(float)
    total = counts.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        index = (counts / days) / (total / days.sum())
    used = days > 0
    if total == 0 or used.sum() < 2:  # nothing to test: no events, or one bucket with exposure
        return SeasonalityResult(labels, counts, days, index, float("nan"), float("nan"), 0, float("nan"))
    expected = total * days[used] / days[used].sum()
    chi2, p = stats.chisquare(counts[used], expected)
    return SeasonalityResult(
        labels, counts, days, index, float(chi2), float(p), int(used.sum()) - 1, float(expected.min())
    )
