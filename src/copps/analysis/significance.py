"""Shared significance helpers: false discovery rate and exact tests for counts."""

from __future__ import annotations

import numpy as np
from scipy import special, stats

__all__ = [
    "benjamini_hochberg",
    "bh_cutoff",
    "confidence_classes",
    "excess_share_test",
    "normal_two_sided_p",
    "rate_ratio_test",
]


def normal_two_sided_p(z) -> np.ndarray:
    """Two-sided p-value of a standard normal z score, ``2 * Phi(-|z|)``."""
    return 2.0 * special.ndtr(-np.abs(np.asarray(z, dtype=float)))


def benjamini_hochberg(p) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaN entries are ignored and kept).

    Notes
    -----
    ``p_adj(i) = min_{j >= i} min(1, m p_(j) / j)`` over the sorted p-values;
    rejecting ``p_adj <= q`` controls the false discovery rate at ``q``
    (Benjamini & Hochberg 1995, JRSS B 57:289–300). Equal to R's
    ``p.adjust(method = "BH")``.
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    flat = p.ravel()
    ok = np.flatnonzero(~np.isnan(flat))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(flat[ok], kind="stable")]
    ranked = flat[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    res = out.ravel()
    res[order] = np.minimum(ranked, 1.0)
    return res.reshape(p.shape)


def bh_cutoff(p, levels) -> np.ndarray:
    """Largest p-value rejected by Benjamini–Hochberg at each FDR level.

    ``p <= bh_cutoff(p, [q])[0]`` is the same as ``benjamini_hochberg(p) <= q``,
    but only the p-values below ``max(levels)`` are sorted. Returns ``-inf``
    where nothing is rejected.
    """
    p = np.asarray(p, dtype=float).ravel()
    levels = np.asarray(levels, dtype=float)
    m = int(np.count_nonzero(~np.isnan(p)))
    cand = np.sort(p[p <= levels.max()])
    rank = np.arange(1, cand.size + 1)
    out = np.full(levels.shape, -np.inf)
    for n, q in enumerate(levels):
        ok = np.flatnonzero(cand <= q * rank / max(m, 1))
        if ok.size:
            out[n] = cand[ok[-1]]
    return out


def confidence_classes(z, p, levels=(0.10, 0.05, 0.01), thresholds=None) -> np.ndarray:
    """Hot/cold classes at 90/95/99% confidence, as int8.

    ``+3``/``-3`` = hot/cold at 99%, ``+2``/``-2`` at 95%, ``+1``/``-1`` at 90%,
    ``0`` = not significant (or not computed). The sign follows ``z``. A cell is
    in class ``k`` when ``p <= thresholds[k-1]`` (default: the levels; pass
    :func:`bh_cutoff` values for false-discovery-rate control).
    """
    if thresholds is not None:
        levels = thresholds
    z = np.asarray(z, dtype=float)
    p = np.asarray(p, dtype=float)
    cls = np.zeros(z.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for level, alpha in enumerate(levels, start=1):
            cls[p <= alpha] = level
    cls[~np.isfinite(z) | ~np.isfinite(p)] = 0
    return (cls * np.sign(np.nan_to_num(z))).astype(np.int8)


def rate_ratio_test(a, b, exposure_a=1.0, exposure_b=1.0, alpha: float = 0.05):
    """Exact conditional test and confidence interval for a ratio of Poisson rates.

    Parameters
    ----------
    a, b : array_like of int
        Counts in the period of interest and in the comparison period.
    exposure_a, exposure_b : array_like
        Lengths (days, population) of the two periods.
    alpha : float
        1 - confidence level.

    Returns
    -------
    ratio, lower, upper, p : ndarray
        Rate ratio ``(a/ea)/(b/eb)``, its exact (Clopper–Pearson) confidence
        limits, and the two-sided exact p-value of ``ratio == 1``.

    Notes
    -----
    Conditional on ``n = a + b``, ``a ~ Binomial(n, pi)`` with
    ``pi = R ea / (R ea + eb)``; limits for ``pi`` invert the binomial
    (Clopper & Pearson 1934) and map to ``R = pi eb / ((1 - pi) ea)``. The
    p-value is the binomial test of ``pi0 = ea/(ea+eb)``, two-sided by the
    method of small p-values (as R's ``poisson.test``). See Ulm (1990) and
    Breslow & Day (1987), Statistical Methods in Cancer Research II, ch. 2.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ea = np.asarray(exposure_a, dtype=float)
    eb = np.asarray(exposure_b, dtype=float)
    a, b, ea, eb = np.broadcast_arrays(a, b, ea, eb)
    n = a + b
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a / ea) / (b / eb)
        lo_pi = np.where(a > 0, special.betaincinv(a, n - a + 1, alpha / 2), 0.0)
        hi_pi = np.where(b > 0, special.betaincinv(a + 1, n - a, 1 - alpha / 2), 1.0)
        lower = lo_pi * eb / ((1 - lo_pi) * ea)
        upper = np.where(hi_pi < 1, hi_pi * eb / ((1 - hi_pi) * ea), np.inf)
    pi0 = ea / (ea + eb)
    p = np.ones(a.shape)
    keys = np.column_stack([a.ravel(), n.ravel(), pi0.ravel()])
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    pu = np.ones(len(uniq))
    for i, (ai, ni, pii) in enumerate(uniq):
        if ni > 0:
            pu[i] = stats.binomtest(int(ai), int(ni), float(pii)).pvalue
    p = pu[inverse.ravel()].reshape(a.shape)
    return ratio, lower, upper, p


def excess_share_test(counts, total, shares):
    """Exact one-sided test that each area holds more of ``total`` events than its share predicts.

    Parameters
    ----------
    counts : array_like of int
        Events inside each area.
    total : int
        Events in the whole region (every area lies inside it).
    shares : array_like of float
        Each area's share of the region (its area over the region's, or any other exposure
        share), in ``[0, 1]``.

    Returns
    -------
    expected, p : ndarray
        ``total * shares``, and ``P(X >= count)`` for ``X ~ Binomial(total, share)``; p is 1
        for an area with no share or no events.

    Notes
    -----
    Under "events fall anywhere in the region with equal chance per unit of exposure", the
    count in an area is binomial with the area's share as its probability, and the upper tail
    is the p-value of an excess (the binomial form of the Poisson test of an observed count
    against an expected one; Breslow & Day 1987, ch. 2). Areas are tested one by one: adjust
    across them with :func:`benjamini_hochberg`.

    Example
    -------
    >>> e, p = excess_share_test([7, 1], 20, [0.1, 0.1])
    >>> e.tolist(), [round(float(v), 4) for v in p]
    ([2.0, 2.0], [0.0024, 0.8784])
    """
    counts = np.asarray(counts, dtype=float)
    shares = np.clip(np.asarray(shares, dtype=float), 0.0, 1.0)
    if np.any(counts > total):
        raise ValueError("an area holds more events than the whole region")
    expected = total * shares
    p = np.where((counts > 0) & (shares > 0), stats.binom.sf(counts - 1, int(total), shares), 1.0)
    return expected, p
