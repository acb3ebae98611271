"""Confidence intervals for a share and for a mean: the one home of every interval copps shows.

A share of a few dozen answers or requests (surveys, "has it improved?", requests closed fixed)
is shown with its 95% interval so that a difference between two areas is not read into noise.
Callers pass counts; the interval is worked out by scipy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import stats

__all__ = ["Estimate", "proportion", "mean_t"]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval, from ``n`` observations (``low``/``high`` None when
    there is no interval to give)."""

    n: int
    value: float
    low: float | None
    high: float | None


def proportion(
    successes: int, n: int, *, confidence: float = 0.95, method: Literal["wilson", "exact"] = "wilson"
) -> Estimate:
    """A share ``successes / n`` with its two-sided confidence interval.

    Parameters
    ----------
    successes, n : int
        How many of ``n`` (``n`` > 0, 0 <= ``successes`` <= ``n``).
    confidence : float
        The interval's confidence level (0.95 by default).
    method : {"wilson", "exact"}
        ``"wilson"``, the Wilson score interval, for every share shown to people;
        ``"exact"``, the Clopper–Pearson interval, where coverage must never fall below
        ``confidence`` whatever the count (it is wider).

    Returns
    -------
    Estimate
        ``value`` = successes / n and the interval, exactly 0 (1) at ``successes`` = 0 (``n``).

    Notes
    -----
    With z the normal quantile for ``confidence`` and p = k/n, the Wilson interval is
    centre ± half with centre = (p + z²/2n) / (1 + z²/n) and
    half = z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n) (Wilson 1927; Brown, Cai & DasGupta 2001
    recommend it over the Wald interval for small n). Clopper–Pearson (1934) inverts the
    binomial test with beta quantiles. Both come from ``scipy.stats.binomtest``.

    Examples
    --------
    Newcombe (1998), Statistics in Medicine 17:857, table I, 81 of 263:

    >>> e = proportion(81, 263)
    >>> round(e.value, 4), round(e.low, 4), round(e.high, 4)
    (0.308, 0.2553, 0.3662)
    >>> e = proportion(81, 263, method="exact")
    >>> round(e.low, 4), round(e.high, 4)
    (0.2527, 0.3676)
    >>> [round(v, 3) for v in (proportion(8, 10).low, proportion(8, 10).high)]
    [0.49, 0.943]
    """
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    if method not in ("wilson", "exact"):
        raise ValueError(f"unknown interval method {method!r}")
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(confidence_level=confidence, method=method)
    # At k = 0 (k = n) the bound is exactly 0 (1); say so rather than leave rounding error.
    low = 0.0 if successes == 0 else max(0.0, float(ci.low))
    high = 1.0 if successes == n else min(1.0, float(ci.high))
    return Estimate(int(n), successes / n, low, high)


def mean_t(values: list[float], *, confidence: float = 0.95) -> Estimate:
    """A mean with its Student-t interval: mean ± t(n−1) · s / √n.

    With one value there is no spread to estimate, so no interval (low = high = None).

    Examples
    --------
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
