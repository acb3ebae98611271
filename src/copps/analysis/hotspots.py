"""Hot spots: kernel density, Getis–Ord Gi*, emerging hot spots and change between periods.

``kde`` and ``gistar`` live in :mod:`.density` and :mod:`.getis_ord` (to keep
modules small) and are re-exported here, the public home of every hot-spot
method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .density import bandwidth_rule, binned_error_bound, kde
from .getis_ord import GiStarResult, gistar
from .significance import benjamini_hochberg, rate_ratio_test
from .trend import mann_kendall

__all__ = [
    "EMERGING_LABELS",
    "ChangeResult",
    "EmergingResult",
    "GiStarResult",
    "bandwidth_rule",
    "binned_error_bound",
    "change",
    "emerging",
    "gistar",
    "kde",
]

#: code -> label of :func:`emerging` categories; negative codes are the cold twins.
EMERGING_LABELS = {
    0: "no pattern",
    1: "new hot spot",
    2: "consecutive hot spot",
    3: "intensifying hot spot",
    4: "persistent hot spot",
    5: "diminishing hot spot",
    6: "sporadic hot spot",
    7: "oscillating hot spot",
    8: "historical hot spot",
}
EMERGING_LABELS.update(
    {-k: v.replace("hot spot", "cold spot") for k, v in list(EMERGING_LABELS.items()) if k}
)


@dataclass(frozen=True)
class EmergingResult:
    """Emerging hot-spot category of each cell.

    Attributes
    ----------
    category : ndarray of int8
        Code per cell, see :data:`EMERGING_LABELS` (``+`` hot, ``-`` cold).
    trend_z, trend_p : ndarray
        Mann–Kendall z and two-sided p of the cell's Gi* z series.
    hot_steps, cold_steps : ndarray of int
        Number of steps in which the cell was a significant hot / cold spot.
    step_classes : ndarray of int8, shape (T, nrows, ncols)
        Gi* classes at each step (see :class:`GiStarResult`).
    """

    category: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    hot_steps: np.ndarray
    cold_steps: np.ndarray
    step_classes: np.ndarray


def _patterns(sig: np.ndarray, opposite: np.ndarray, trend_sign: np.ndarray) -> np.ndarray:
    """Hot-side category codes from per-step significance (T, cells)."""
    t = sig.shape[0]
    final = sig[-1]
    n_sig = sig.sum(axis=0)
    share = n_sig / t
    # length of the run of significant steps that ends at the final step
    run = np.zeros(sig.shape[1], dtype=np.int64)
    alive = np.ones(sig.shape[1], dtype=bool)
    for step in range(t - 1, -1, -1):
        alive &= sig[step]
        run += alive
    out = np.zeros(sig.shape[1], dtype=np.int8)
    mostly = share >= 0.9
    only_run = n_sig == run
    rules = [
        (final & (n_sig == 1), 1),
        (final & only_run & (run >= 2) & ~mostly, 2),
        (final & mostly & (trend_sign > 0), 3),
        (final & mostly & (trend_sign == 0), 4),
        (final & mostly & (trend_sign < 0), 5),
        (final & ~mostly & opposite.any(axis=0), 7),
        (final & ~mostly, 6),
        (~final & mostly, 8),
    ]
    done = np.zeros(sig.shape[1], dtype=bool)
    for cond, code in rules:
        take = cond & ~done
        out[take] = code
        done |= take
    return out


def emerging(counts_by_step, neighbourhood="queen", mask=None, fdr: float | None = 0.05,
             trend_alpha: float = 0.05) -> EmergingResult:
    """Emerging hot-spot analysis: how each cell's Gi* hot/cold status evolves.

    Parameters
    ----------
    counts_by_step : array_like, shape (T, nrows, ncols)
        Counts per cell at each time step (weeks, months).
    neighbourhood, mask, fdr
        As for :func:`gistar`, applied at every step.
    trend_alpha : float
        Significance level of the Mann–Kendall trend in the Gi* z series.

    Returns
    -------
    EmergingResult

    Notes
    -----
    A cell is significant at a step when its Gi* class is non-zero (>= 90%
    after the FDR adjustment). Categories follow Esri's Emerging Hot Spot
    Analysis definitions (ArcGIS Pro documentation, "How Emerging Hot Spot
    Analysis works"): new (significant only at the final step), consecutive
    (one unbroken final run of >= 2 steps, < 90% of steps), intensifying /
    persistent / diminishing (>= 90% of steps including the final one, with an
    increasing / no / decreasing Mann–Kendall trend), oscillating (final step
    hot, cold at some step, < 90%), sporadic (final step hot, never cold,
    < 90%), historical (>= 90% but not the final step). Unlike Esri, the
    neighbourhood is spatial only (no time-lag neighbours).

    Example
    -------
    >>> steps = np.ones((12, 9, 9)); steps[-1, 3:6, 3:6] = 10.0
    >>> int(emerging(steps).category[4, 4])  # hot only in the last week: new
    1
    """
    cube = np.asarray(counts_by_step, dtype=float)
    if cube.ndim != 3:
        raise ValueError("counts_by_step must have shape (T, nrows, ncols)")
    zs = np.empty(cube.shape)
    classes = np.empty(cube.shape, dtype=np.int8)
    for step in range(cube.shape[0]):
        res = gistar(cube[step], neighbourhood, mask=mask, fdr=fdr)
        zs[step] = res.z
        classes[step] = res.classes
    flat_z = np.nan_to_num(zs.reshape(cube.shape[0], -1))
    mk = mann_kendall(flat_z.T)
    trend_sign = np.where(mk.p <= trend_alpha, np.sign(mk.z), 0).astype(int)
    flat_c = classes.reshape(cube.shape[0], -1)
    hot, cold = flat_c > 0, flat_c < 0
    hot_code = _patterns(hot, cold, trend_sign)
    cold_code = _patterns(cold, hot, -trend_sign)
    category = np.where(hot_code != 0, hot_code, -cold_code).astype(np.int8)
    shape = cube.shape[1:]
    return EmergingResult(category.reshape(shape), mk.z.reshape(shape), mk.p.reshape(shape),
                          hot.sum(axis=0).reshape(shape), cold.sum(axis=0).reshape(shape),
                          classes)


@dataclass(frozen=True)
class ChangeResult:
    """Change in counts per cell between two periods.

    Attributes
    ----------
    difference : ndarray
        ``after - before``.
    ratio : ndarray
        Rate ratio ``(after / exposure_after) / (before / exposure_before)``.
    p : ndarray
        Exact conditional (binomial) two-sided p-value of no change.
    p_adjusted : ndarray
        Benjamini–Hochberg adjusted p (equal to ``p`` when ``fdr`` is None).
    classes : ndarray of int8
        ``+1`` significant increase, ``-1`` significant decrease, ``0`` neither.
    """

    difference: np.ndarray
    ratio: np.ndarray
    p: np.ndarray
    p_adjusted: np.ndarray
    classes: np.ndarray


def change(before, after, exposure_before: float = 1.0, exposure_after: float = 1.0,
           alpha: float = 0.05, fdr: bool = True) -> ChangeResult:
    """Cells whose count rose or fell more than chance allows.

    Parameters
    ----------
    before, after : array_like
        Counts per cell in the two periods (same shape).
    exposure_before, exposure_after : float
        Lengths of the periods (e.g. days) when they differ.
    alpha : float
        Significance level (of the false discovery rate when ``fdr``).
    fdr : bool
        Adjust p-values across cells by Benjamini–Hochberg.

    Returns
    -------
    ChangeResult

    Notes
    -----
    With both periods Poisson, ``after | before + after ~ Binomial(n, pi0)``,
    ``pi0 = e_a / (e_a + e_b)`` under no change (Przyborowski & Wilenski 1940;
    the exact test behind R's ``poisson.test``).

    Example
    -------
    >>> r = change([[10, 3]], [[30, 4]])
    >>> r.classes.tolist()
    [[1, 0]]
    """
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    ratio, _, _, p = rate_ratio_test(a, b, exposure_after, exposure_before)
    p_adj = benjamini_hochberg(p) if fdr else p
    sign = np.sign(a / exposure_after - b / exposure_before)
    classes = np.where(p_adj <= alpha, sign, 0).astype(np.int8)
    return ChangeResult(a - b, ratio, p, p_adj, classes)
