"""Getis–Ord Gi* on a regular grid, computed with window sums instead of a weights matrix.

Public entry point: :func:`copps.analysis.hotspots.gistar`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import ndimage

from . import montecarlo
from .significance import benjamini_hochberg, bh_cutoff, confidence_classes, normal_two_sided_p

__all__ = ["GiStarResult", "MIN_FEATURES", "MIN_HOT_WINDOW", "gistar", "neighbourhood_window", "window_sum"]

#: Fewer events than this in the study area: no Gi* map. Esri's hot-spot guidance asks for at
#: least 30 features ("How Hot Spot Analysis works"; Optimized Hot Spot Analysis refuses fewer).
MIN_FEATURES = 30
#: The fewest events a hot cell's window (itself and its neighbours) must hold, the cell itself
#: holding at least one: with a few hundred events over tens of thousands of cells the normal
#: approximation calls a window of one or two events "99%" (Ord & Getis 1995 warn it needs
#: enough neighbours and values that are not heavily skewed).
MIN_HOT_WINDOW = 3


@dataclass(frozen=True)
class GiStarResult:
    """Gi* for every cell of a grid (NaN outside the study area).

    Attributes
    ----------
    z : ndarray
        Gi* z score (Getis & Ord 1992; Ord & Getis 1995).
    p : ndarray
        Two-sided normal p-value of ``z``.
    p_sim : ndarray or None
        Conditional-permutation pseudo p-value (esda's "directed" definition:
        the smaller tail, ``(M + 1) / (R + 1)``); ``None`` without permutations.
    p_used : ndarray
        The p-value that drives the classes (``p``, or the two-sided permutation p, which
        is ``2 p_sim`` capped at 1 when no simulation ties with the observation).
    fdr : float or None
        The false discovery rate of ``significant`` (None: no adjustment).
    classes : ndarray of int8
        ``+3/+2/+1`` hot spot at 99/95/90% confidence, ``-3/-2/-1`` cold
        spot, ``0`` neither, after the false discovery rate adjustment.
    significant : ndarray of bool
        ``p_adjusted <= fdr``.
    neighbours : ndarray
        Cells in each cell's window, itself included (``K_i``).
    """

    z: np.ndarray
    p: np.ndarray
    p_sim: np.ndarray | None
    p_used: np.ndarray
    fdr: float | None
    classes: np.ndarray
    significant: np.ndarray
    neighbours: np.ndarray

    @cached_property
    def p_adjusted(self) -> np.ndarray:
        """Benjamini–Hochberg adjusted ``p_used`` (``p_used`` itself when fdr is None).

        Computed on first access: the classes only need the BH cut-offs, which
        cost a sort of the few small p-values rather than of every cell.
        """
        return self.p_used if self.fdr is None else benjamini_hochberg(self.p_used)


def neighbourhood_window(neighbourhood) -> np.ndarray:
    """Boolean window (self included) for ``"queen"``, ``"rook"`` or a radius in cells.

    A radius ``r`` keeps the cells whose centres are at most ``r`` cell widths
    from the focal centre (``r = sqrt(2)`` equals queen, ``r = 1`` rook).
    """
    if neighbourhood == "queen":
        return np.ones((3, 3), dtype=bool)
    if neighbourhood == "rook":
        return np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)
    if isinstance(neighbourhood, str):
        raise ValueError(f"unknown neighbourhood {neighbourhood!r}")
    r = float(neighbourhood)
    if not r >= 0:
        raise ValueError("radius must be non-negative")
    k = int(np.floor(r + 1e-9))
    off = np.arange(-k, k + 1)
    dx, dy = np.meshgrid(off, off)
    return dx * dx + dy * dy <= r * r * (1 + 1e-12)


def _shift_sum(a: np.ndarray, r: int, axis: int) -> np.ndarray:
    """Sum of ``a`` over ``[i - r, i + r]`` along ``axis`` with zeros outside."""
    out = a.copy()
    src = np.moveaxis(a, axis, 0)
    dst = np.moveaxis(out, axis, 0)
    for s in range(1, r + 1):
        dst[s:] += src[:-s]
        dst[:-s] += src[s:]
    return out


def window_sum(a, window: np.ndarray) -> np.ndarray:
    """Sum of ``a`` over ``window`` centred on every cell, zero outside the grid.

    Square windows are separable (two passes of shifted sums); a rook window
    is a row sum plus a column sum less the centre; other windows use
    :func:`scipy.ndimage.correlate`.
    """
    a = np.asarray(a, dtype=float)
    r = window.shape[0] // 2
    if window.all():
        return _shift_sum(_shift_sum(a, r, 0), r, 1)
    if r == 1 and window.sum() == 5 and window[1].all() and window[:, 1].all():
        return _shift_sum(a, 1, 0) + _shift_sum(a, 1, 1) - a
    return ndimage.correlate(a, window.astype(float), mode="constant", cval=0.0)


#: above this many distinct values, draws are shared by rank instead of by value
GROUPED_MAX_VALUES = 512


def _conditional_p(y, lag_other, k_other, valid, permutations, seed):
    """esda's conditional-permutation pseudo p for Gi*, reusing draws.

    Under the null, the neighbours of cell ``i`` other than itself are a random
    ``k_i``-subset of the other ``n - 1`` values, so the null of cell ``i``
    depends only on ``(y_i, k_i)``. For counts (few distinct values) one set
    of draws serves every cell that shares its value, and prefixes of each
    draw serve every ``k``. For many distinct values, one set of index draws
    over ``n - 1`` sorted values serves every cell, shifted past the cell's own
    rank (the construction esda uses, vectorised over cells).
    """
    gen = montecarlo.rng(seed)
    vals = y[valid]
    ks = k_other[valid].astype(np.int64)
    obs = lag_other[valid]
    p = np.full(vals.shape, np.nan)
    p_two = np.full(vals.shape, np.nan)
    sorted_vals = np.sort(vals)
    uniq, inverse = np.unique(vals, return_inverse=True)

    def score(cells, sims):
        sims = np.sort(sims, axis=-1)
        if sims.ndim == 1:
            greater = permutations - np.searchsorted(sims, obs[cells], side="left")
            lesser = np.searchsorted(sims, obs[cells], side="right")
        else:
            greater = (sims >= obs[cells, None]).sum(axis=1)
            lesser = (sims <= obs[cells, None]).sum(axis=1)
        p[cells] = montecarlo.pseudo_p(greater, lesser, permutations, "directed")
        p_two[cells] = montecarlo.pseudo_p(greater, lesser, permutations, "two-sided")

    if uniq.size <= GROUPED_MAX_VALUES:
        for g, v in enumerate(uniq):
            cells = np.flatnonzero(inverse == g)
            pool = np.delete(sorted_vals, np.searchsorted(sorted_vals, v))
            kvals, kinv = np.unique(ks[cells], return_inverse=True)
            sims = montecarlo.subset_sums(pool, kvals, permutations, gen)
            for j in range(kvals.size):
                score(cells[kinv == j], sims[:, j])
    else:
        kmax = int(ks.max(initial=0))
        draws = montecarlo.draw_indices(vals.size - 1, kmax, permutations, gen)
        rank = np.searchsorted(sorted_vals, vals)
        for k in np.unique(ks):
            d = draws[:, :k].T[None, :, :]  # (1, k, P)
            for chunk in np.array_split(np.flatnonzero(ks == k), max(1, (ks == k).sum() // 256)):
                shifted = d + (d >= rank[chunk, None, None])
                score(chunk, sorted_vals[shifted].sum(axis=1))
    out = np.full(y.shape, np.nan)
    out[valid] = p
    two = np.full(y.shape, np.nan)
    two[valid] = p_two
    return out, two


def gistar(
    counts,
    neighbourhood="queen",
    permutations: int = 0,
    seed=None,
    fdr: float | None = 0.05,
    mask=None,
    classify: str = "p",
    min_events: float = 0,
) -> GiStarResult:
    """Getis–Ord Gi* hot and cold spots on a grid of counts.

    Parameters
    ----------
    counts : ndarray (nrows, ncols) or Grid
        Value per cell (a :class:`~copps.analysis.grid.Grid` brings its mask).
    neighbourhood : {"queen", "rook"} or float
        Binary window including the cell itself; a number is a radius in cells.
    permutations : int
        Conditional permutations for ``p_sim`` (0 = skip).
    seed : int, Generator or None
        Randomness for the permutations.
    fdr : float or None
        False discovery rate for ``significant``; ``None`` turns the
        Benjamini–Hochberg adjustment off (classes then use raw p-values).
    mask : ndarray of bool, optional
        Cells in the study area; cells outside are neither counted nor scored.
    classify : {"p", "p_sim"}
        Which p-value drives the classes: the normal ``p``, or the permutation p made
        two-sided, ``2 (min(G, L) + 1) / (R + 1)`` with ``G``/``L`` the simulations at or
        above / at or below the observed window sum (equals ``2 p_sim`` without ties).
    min_events : float
        With ``min_events > 0`` a cell is classed hot only when it holds a positive count
        itself and its window at least ``min_events`` (copps uses :data:`MIN_HOT_WINDOW`);
        0 leaves the classes as the statistic gives them. Cold classes are unchanged.

    Returns
    -------
    GiStarResult

    Notes
    -----
    With binary weights ``w_ij`` (``w_ii = 1``), ``K_i = sum_j w_ij`` and the
    ``n`` cells' mean ``ybar`` and population standard deviation ``s``::

        z_i = (sum_j w_ij y_j - K_i ybar) / (s sqrt((n K_i - K_i^2) / (n - 1)))

    (Ord & Getis 1995, Geographical Analysis 27:286–306), the same as
    esda ``G_Local(y, w, transform="B", star=True).Zs``. The window sums are
    separable shifted sums, so the cost is O(cells) with no weights matrix.

    Example
    -------
    >>> counts = np.zeros((5, 5)); counts[2, 2] = 9.0
    >>> r = gistar(counts)
    >>> round(float(r.z[2, 2]), 4)
    1.3333
    """
    from .grid import Grid

    if isinstance(counts, Grid):
        if mask is None:
            mask = counts.mask
        counts = counts.counts
    y = np.asarray(counts, dtype=float)
    if y.ndim != 2:
        raise ValueError("counts must be a 2-D grid")
    valid = np.ones(y.shape, bool) if mask is None else np.asarray(mask, bool)
    if valid.shape != y.shape:
        raise ValueError("mask shape must match counts")
    y = np.where(valid, y, 0.0)
    window = neighbourhood_window(neighbourhood)
    n = int(valid.sum())
    ybar = y.sum() / n
    s = np.sqrt(max((y * y).sum() / n - ybar * ybar, 0.0))
    lag = window_sum(y, window)
    k = window_sum(valid.astype(float), window)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - k * ybar) / (s * np.sqrt((n * k - k * k) / (n - 1)))
    z[~valid] = np.nan
    p = normal_two_sided_p(z)
    p_sim = p_sim_two = None
    if permutations:
        p_sim, p_sim_two = _conditional_p(y, lag - y, k - 1, valid, int(permutations), seed)
    if classify == "p":
        p_use = p
    elif classify == "p_sim":
        if p_sim is None:
            raise ValueError("classify='p_sim' needs permutations > 0")
        # two-sided with ties counted in both tails: equal to 2 p_sim when values do not tie, but a
        # window of zeros among mostly-zero cells is not "significantly low" (esda's directed
        # p_sim gives it 1/(R+1) whenever no simulation falls below it)
        p_use = p_sim_two
    else:
        raise ValueError("classify must be 'p' or 'p_sim'")
    if fdr is None:
        classes = confidence_classes(z, p_use)
        with np.errstate(invalid="ignore"):
            significant = p_use <= 0.05
    else:
        # p <= BH cut-off  <=>  BH-adjusted p <= level (Benjamini & Hochberg 1995)
        levels = (0.10, 0.05, 0.01)
        cut = bh_cutoff(p_use, levels + (fdr,))
        classes = confidence_classes(z, p_use, thresholds=cut[:3])
        with np.errstate(invalid="ignore"):
            significant = p_use <= cut[3]
    if min_events > 0:
        sparse = (classes > 0) & ((y <= 0) | (lag < min_events - 1e-9))
        classes[sparse] = 0
        significant = significant & ~sparse
    k[~valid] = 0
    return GiStarResult(z, p, p_sim, p_use, fdr, classes, significant, k)
