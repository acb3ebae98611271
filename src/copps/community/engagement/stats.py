"""Confidence intervals for survey results (pure scipy; no Django).

A survey answered by n residents of an area estimates the area's opinion with sampling error;
copps shows every mean and proportion with its 95% interval so that a difference between two
beats is not read into noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

__all__ = ["Estimate", "wilson", "mean_t"]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval, from ``n`` answers."""

    n: int
    value: float
    low: float | None
    high: float | None


def wilson(successes: int, n: int, confidence: float = 0.95) -> Estimate:
    """A proportion with its Wilson score interval.

    Notes
    -----
    With z the normal quantile for ``confidence``, p = k/n:
    centre = (p + z²/2n) / (1 + z²/n), half-width = z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n)
    (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it over the Wald interval for small n).

    Example
    -------
    >>> e = wilson(7, 20)
    >>> round(e.value, 3), round(e.low, 4), round(e.high, 4)
    (0.35, 0.1812, 0.567)
    """
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At k = 0 (k = n) the bound is exactly 0 (1); say so rather than leave rounding error.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Estimate(n, p, low, high)


def mean_t(values: list[float], confidence: float = 0.95) -> Estimate:
    """A mean with its Student-t interval: mean ± t(n−1) · s / √n.

    With one answer there is no spread to estimate, so no interval (low = high = None).

    Example
    -------
    >>> e = mean_t([1, 2, 3, 4, 5])
    >>> e.value, round(e.low, 4), round(e.high, 4)
    (3.0, 1.0368, 4.9632)
    """
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = sum(values) / n
    if n == 1:
        return Estimate(1, mean, None, None)
    s = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * s / math.sqrt(n)
    return Estimate(n, mean, mean - half, mean + half)
