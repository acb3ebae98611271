"""Alerts: flag an area x category whose latest count is higher than its recent past allows.

Each step is compared with a baseline made of the preceding steps. The
false-alarm rate (the chance of an alert in a step when nothing has changed)
is the one parameter an analyst sets; the control limit follows from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

__all__ = ["AlertResult", "DEFAULT_BASELINE", "cusum_threshold", "detect"]


@dataclass(frozen=True)
class AlertResult:
    """Alerts per series and step (steps without a full baseline are never alerts).

    Attributes
    ----------
    alert : ndarray of bool
        Where the count (or CUSUM) exceeded its limit.
    expected : ndarray
        Baseline mean per step.
    limit : ndarray
        Upper control limit: an alert needs ``count > limit`` (Poisson and
        negative binomial) or ``cusum > limit`` (CUSUM).
    score : ndarray
        Upper-tail probability ``P(X >= count)`` under the baseline model, or
        the CUSUM statistic.
    """

    alert: np.ndarray
    expected: np.ndarray
    limit: np.ndarray
    score: np.ndarray


def cusum_threshold(false_alarm: float, k: float = 0.5) -> float:
    """CUSUM decision interval ``h`` giving an in-control alarm rate of ``false_alarm``.

    Notes
    -----
    Siegmund's approximation of the in-control average run length of a
    one-sided CUSUM with reference value ``k`` on standardised data,
    ``ARL0 = (exp(2 k b) - 2 k b - 1) / (2 k^2)`` with ``b = h + 1.166``
    (Siegmund 1985, *Sequential Analysis*; Montgomery, *Introduction to
    Statistical Quality Control*, §9.1), solved for ``ARL0 = 1/false_alarm``.
    """
    arl = 1.0 / false_alarm

    def gap(h: float) -> float:
        b = 2.0 * k * (h + 1.166)
        return (math.exp(b) - b - 1.0) / (2.0 * k * k) - arl

    return float(optimize.brentq(gap, -1.0, 100.0))


def _baseline(x: np.ndarray, baseline: int, guard: int):
    """Mean and variance of the ``baseline`` steps ending ``guard`` steps before each step."""
    t = x.shape[-1]
    c1 = np.concatenate([np.zeros(x.shape[:-1] + (1,)), np.cumsum(x, axis=-1)], axis=-1)
    c2 = np.concatenate([np.zeros(x.shape[:-1] + (1,)), np.cumsum(x * x, axis=-1)], axis=-1)
    mean = np.full(x.shape, np.nan)
    var = np.full(x.shape, np.nan)
    first = baseline + guard
    if first < t:
        hi = np.arange(first, t) - guard
        lo = hi - baseline
        s1 = c1[..., hi] - c1[..., lo]
        s2 = c2[..., hi] - c2[..., lo]
        mean[..., first:] = s1 / baseline
        if baseline > 1:
            var[..., first:] = np.maximum(s2 - s1 * s1 / baseline, 0.0) / (baseline - 1)
    return mean, var


DEFAULT_BASELINE = 8  # preceding steps a step is compared with


def detect(series, method: str = "poisson", false_alarm: float = 0.01, baseline: int = DEFAULT_BASELINE,
           guard: int = 0, k: float = 0.5) -> AlertResult:
    """Flag steps whose count is improbably high given the preceding baseline.

    Parameters
    ----------
    series : array_like, shape (..., T)
        Counts per step (e.g. areas x categories x weeks).
    method : {"poisson", "negbin", "cusum"}
        ``"poisson"``: alert when ``count > F^-1(1 - false_alarm)`` for a
        Poisson with the baseline mean. ``"negbin"``: the same with a negative
        binomial fitted by moments to the baseline (Poisson when the baseline
        is not overdispersed). ``"cusum"``: one-sided CUSUM of the standardised
        counts ``(x - m) / sqrt(v)`` with reference ``k`` and decision interval
        from :func:`cusum_threshold`.
    false_alarm : float
        In-control probability of an alert per step (for CUSUM, 1 / ARL0).
    baseline : int
        Number of preceding steps the expectation is estimated from.
    guard : int
        Steps skipped between the baseline and the tested step, so that a
        slowly building problem does not hide in its own baseline.
    k : float
        CUSUM reference value, in standard deviations (half the shift to detect).

    Returns
    -------
    AlertResult

    Notes
    -----
    Count control charts: Montgomery, *Introduction to Statistical Quality
    Control*, ch. 7 and 9; for crime, the exceedance rule resembles the
    Farrington et al. (1996, JRSS A 159:547–563) outbreak detector without its
    trend term. Because the limit is an upper quantile of a discrete law, the
    realised false-alarm rate is at most ``false_alarm`` when the baseline
    mean is known, and slightly above it when estimated from few steps.

    Example
    -------
    >>> r = detect([[3, 4, 2, 5, 3, 4, 3, 2, 14]], baseline=8)
    >>> r.alert[0].tolist()[-1], float(r.limit[0, -1])
    (True, 8.0)
    """
    x = np.asarray(series, dtype=float)
    mean, var = _baseline(x, int(baseline), int(guard))
    ready = ~np.isnan(mean)
    limit = np.full(x.shape, np.nan)
    score = np.full(x.shape, np.nan)
    q = 1.0 - false_alarm
    if method == "poisson" or method == "negbin":
        mu = np.where(ready, np.maximum(mean, 1e-9), 1.0)
        limit_p = stats.poisson.ppf(q, mu)
        tail_p = stats.poisson.sf(x - 1, mu)
        if method == "negbin":
            v = np.where(ready, var, 0.0)
            over = ready & (v > mu)
            size = np.where(over, mu * mu / np.where(over, v - mu, 1.0), 1.0)
            prob = np.where(over, mu / np.where(over, v, 1.0), 0.5)
            limit_p = np.where(over, stats.nbinom.ppf(q, size, prob), limit_p)
            tail_p = np.where(over, stats.nbinom.sf(x - 1, size, prob), tail_p)
        limit[ready] = limit_p[ready]
        score[ready] = tail_p[ready]
        alert = ready & (x > limit)
    elif method == "cusum":
        h = cusum_threshold(false_alarm, k)
        sd = np.sqrt(np.where(ready, np.maximum(mean, 1e-9), 1.0))
        zstd = np.where(ready, (x - np.where(ready, mean, 0.0)) / sd, 0.0)
        c = np.zeros(x.shape[:-1])
        for step in range(x.shape[-1]):
            c = np.where(ready[..., step], np.maximum(0.0, c + zstd[..., step] - k), 0.0)
            score[..., step] = np.where(ready[..., step], c, np.nan)
            c = np.where(c > h, 0.0, c)  # restart after an alarm
        limit[ready] = h
        alert = ready & (np.nan_to_num(score) > h)
    else:
        raise ValueError("method must be 'poisson', 'negbin' or 'cusum'")
    return AlertResult(alert, mean, limit, score)
