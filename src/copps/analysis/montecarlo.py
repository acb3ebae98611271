"""The one Monte Carlo / permutation engine behind every significance test.

Every simulation in ``copps.analysis`` draws its randomness from a
:class:`numpy.random.Generator` made by :func:`rng`, runs in batches through
:func:`simulate`, and turns exceedance counts into pseudo p-values with
:func:`pseudo_p`. Nothing touches NumPy's global random state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Exceedances", "draw_indices", "pseudo_p", "rng", "simulate", "subset_sums"]


def rng(seed=None) -> np.random.Generator:
    """A NumPy Generator from a seed, a SeedSequence or an existing Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


@dataclass(frozen=True)
class Exceedances:
    """How the observed statistics sit among their simulated values.

    Attributes
    ----------
    greater : ndarray
        Number of simulations ``>=`` the observed value.
    lesser : ndarray
        Number of simulations ``<=`` the observed value.
    mean, std : ndarray
        Mean and standard deviation of the simulated values.
    permutations : int
        Number of simulations.
    """

    greater: np.ndarray
    lesser: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    permutations: int

    def p(self, alternative: str = "greater") -> np.ndarray:
        """Pseudo p-values, see :func:`pseudo_p`."""
        return pseudo_p(self.greater, self.lesser, self.permutations, alternative)


def pseudo_p(greater, lesser, permutations: int, alternative: str = "greater") -> np.ndarray:
    """Pseudo p-value ``(M + 1) / (R + 1)`` from exceedance counts.

    Parameters
    ----------
    greater, lesser : array_like
        Simulations at or above / at or below the observed value.
    permutations : int
        ``R``, the number of simulations.
    alternative : {"greater", "lesser", "directed", "two-sided"}
        ``"directed"`` is esda's conditional-permutation definition: ``M`` is
        the count in the tail the observation falls in (``greater``, or
        ``R - greater`` when that is smaller). ``"two-sided"`` doubles the
        smaller one-sided p and caps it at 1.

    Notes
    -----
    Davison & Hinkley (1997), *Bootstrap Methods and their Application*, §4.2;
    Anselin (1995) for the conditional permutation of local statistics.
    """
    greater = np.asarray(greater, dtype=float)
    lesser = np.asarray(lesser, dtype=float)
    r = float(permutations)
    if alternative == "greater":
        m = greater
    elif alternative == "lesser":
        m = lesser
    elif alternative == "directed":
        m = np.where(r - greater < greater, r - greater, greater)
    elif alternative == "two-sided":
        one = (np.minimum(greater, lesser) + 1.0) / (r + 1.0)
        return np.minimum(1.0, 2.0 * one)
    else:
        raise ValueError(f"unknown alternative {alternative!r}")
    return (m + 1.0) / (r + 1.0)


def simulate(
    observed,
    statistic: Callable[[np.random.Generator, int], np.ndarray],
    permutations: int,
    seed=None,
    batch: int = 64,
) -> Exceedances:
    """Run ``statistic`` under the null hypothesis and count exceedances.

    Parameters
    ----------
    observed : array_like
        The observed statistic (any shape).
    statistic : callable
        ``statistic(generator, k)`` returns ``k`` simulated statistics, an
        array of shape ``(k, *observed.shape)``.
    permutations : int
        Total number of simulations.
    seed : int, Generator or None
        Source of randomness.
    batch : int
        Simulations per call, to bound memory.

    Returns
    -------
    Exceedances
    """
    gen = rng(seed)
    obs = np.asarray(observed, dtype=float)
    greater = np.zeros(obs.shape)
    lesser = np.zeros(obs.shape)
    total = np.zeros(obs.shape)
    total2 = np.zeros(obs.shape)
    done = 0
    while done < permutations:
        k = min(batch, permutations - done)
        sims = np.asarray(statistic(gen, k), dtype=float)
        greater += (sims >= obs).sum(axis=0)
        lesser += (sims <= obs).sum(axis=0)
        total += sims.sum(axis=0)
        total2 += (sims * sims).sum(axis=0)
        done += k
    n = max(permutations, 1)
    mean = total / n
    var = np.maximum(total2 / n - mean * mean, 0.0)
    return Exceedances(greater, lesser, mean, np.sqrt(var), int(permutations))


def subset_sums(pool, sizes, permutations: int, seed=None) -> np.ndarray:
    """Sums of random subsets drawn without replacement from ``pool``.

    Parameters
    ----------
    pool : array_like
        Values to draw from.
    sizes : array_like of int
        Subset sizes wanted (each at most ``len(pool)``).
    permutations : int
        Number of draws.
    seed : int, Generator or None

    Returns
    -------
    ndarray, shape (permutations, len(sizes))
        Column ``j`` holds sums of ``sizes[j]`` distinct pool values; one set
        of draws is shared by all sizes (nested prefixes of one random order).
    """
    gen = rng(seed)
    pool = np.asarray(pool, dtype=float)
    sizes = np.asarray(sizes, dtype=np.int64)
    kmax = int(sizes.max(initial=0))
    if kmax > pool.size:
        raise ValueError("subset larger than the pool")
    if kmax == 0:
        return np.zeros((permutations, sizes.size))
    csum = np.cumsum(pool[draw_indices(pool.size, kmax, permutations, gen)], axis=1)
    out = np.zeros((permutations, sizes.size))
    nz = sizes > 0
    out[:, nz] = csum[:, sizes[nz] - 1]
    return out


def draw_indices(n: int, k: int, permutations: int, seed=None) -> np.ndarray:
    """``permutations`` random ordered samples of ``k`` distinct indices from ``range(n)``.

    Returns an int64 array of shape ``(permutations, k)``; every prefix of a
    row is a uniformly random subset of its size.

    Notes
    -----
    Sequential sampling without replacement: the ``j``-th index is uniform on
    the ``n - j`` indices not yet taken, found by drawing from ``range(n - j)``
    and stepping past the taken ones in increasing order. Cost O(P k^2), which
    suits the small ``k`` of a neighbourhood.
    """
    gen = rng(seed)
    if k > n:
        raise ValueError("cannot draw more distinct indices than there are")
    idx = np.empty((permutations, k), dtype=np.int64)
    for j in range(k):
        col = gen.integers(0, n - j, size=permutations)
        chosen = np.sort(idx[:, :j], axis=1)
        for c in range(j):
            col = col + (col >= chosen[:, c])
        idx[:, j] = col
    return idx
