"""Small-count suppression for published tables: primary (1..k-1) and secondary.

Pure numpy/scipy. A table is given by its inner cells (rows x columns of counts); the
published table adds its margins: row totals (last column), column totals (last row)
and the grand total (corner). ``protect`` decides which of these to hide.

Method
------
*Primary suppression*: every cell or margin whose count is 1..k-1 is hidden. Zeros are
published (an empty cell tells no one about a victim).

*Secondary suppression* stops a hidden value being recovered from the published ones.
Write the augmented table so that every line sums to zero (margins with a minus sign).
The values an attacker cannot tell apart are then the circulations on the hidden
cells: a hidden cell is determined exactly when it is a *bridge* of the bipartite
graph whose nodes are the rows and columns (margins included) and whose edges are the
hidden cells (Gusfield 1988; Kao 1996; this is the network model behind the Census
Bureau's 2-D suppression programs). So each hidden cell must lie on a cycle of hidden
cells. When one does not, the cheapest path of visible non-zero cells that closes a
cycle through it (Dijkstra, cost = the count hidden) is hidden too. Because every
hidden cell is at least 1, a unit circulation round the cycle in either direction
keeps all cells non-negative, so each hidden value could be one more or one less than
it is: no hidden cell is ever determined, and :func:`audit` proves it by linear
programming for any table, as an attacker would.

A published table is one of a fixed lattice (see :mod:`copps.publish.counts`): the
same cell always has the same value and the same mask whatever the query, so nothing
is learnt by differencing queries that is not learnt from the one table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

__all__ = ["ProtectedTable", "augment", "protect", "audit", "bridges"]


@dataclass(frozen=True)
class ProtectedTable:
    """An augmented table (inner cells, row totals in the last column, column totals in
    the last row) and which of its values are hidden."""

    values: np.ndarray  # (R+1, C+1) int
    hidden: np.ndarray  # (R+1, C+1) bool
    primary: np.ndarray  # (R+1, C+1) bool: hidden because 1..k-1
    k: int

    def published(self) -> np.ndarray:
        """The values as published: float, NaN where hidden."""
        out = self.values.astype(float)
        out[self.hidden] = np.nan
        return out


def augment(cells: np.ndarray) -> np.ndarray:
    """Inner cells -> the table with its row totals, column totals and grand total."""
    cells = np.asarray(cells, dtype=np.int64)
    if cells.ndim != 2:
        raise ValueError("cells must be a 2-D array of counts")
    if (cells < 0).any():
        raise ValueError("counts cannot be negative")
    r, c = cells.shape
    out = np.zeros((r + 1, c + 1), dtype=np.int64)
    out[:r, :c] = cells
    out[:r, c] = cells.sum(axis=1)
    out[r, :c] = cells.sum(axis=0)
    out[r, c] = cells.sum()
    return out


def _adjacency(hidden: np.ndarray) -> list[set[int]]:
    rows, cols = hidden.shape
    adj: list[set[int]] = [set() for _ in range(rows + cols)]
    for r, c in zip(*np.nonzero(hidden), strict=True):
        adj[r].add(rows + c)
        adj[rows + c].add(r)
    return adj


def _connected_without(adj: list[set[int]], a: int, b: int) -> bool:
    seen, stack = {a}, [a]
    while stack:
        node = stack.pop()
        for nxt in adj[node]:
            if node == a and nxt == b or node == b and nxt == a:
                continue  # the edge itself
            if nxt == b:
                return True
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def bridges(hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells (row, col) that lie on no cycle of hidden cells: these are determined."""
    adj = _adjacency(hidden)
    rows = hidden.shape[0]
    cells = zip(*np.nonzero(hidden), strict=True)
    return [(int(r), int(c)) for r, c in cells if not _connected_without(adj, r, rows + c)]


def _close_cycle(values: np.ndarray, hidden: np.ndarray, r: int, c: int) -> list[tuple[int, int]] | None:
    """The visible non-zero cells to hide so that (r, c) lies on a cycle (cheapest path)."""
    rows, cols = values.shape
    n = rows + cols
    weight = np.where(hidden, 1e-6, np.where(values > 0, values.astype(float), 0.0))
    weight[r, c] = 0.0  # not the edge itself
    rr, cc = np.nonzero(weight)
    graph = csr_matrix((np.r_[weight[rr, cc], weight[rr, cc]], (np.r_[rr, rows + cc], np.r_[rows + cc, rr])),
                       shape=(n, n))
    dist, pred = dijkstra(graph, indices=r, return_predecessors=True)
    if not np.isfinite(dist[rows + c]):
        return None
    path, node = [], rows + c
    while node != r:
        prev = pred[node]
        a, b = (prev, node - rows) if prev < rows else (node, prev - rows)
        if not hidden[a, b]:
            path.append((int(a), int(b)))
        node = prev
    return path


def protect(cells: np.ndarray, k: int = 10) -> ProtectedTable:
    """Hide the counts 1..k-1 of ``cells`` and its margins, then enough others that no
    hidden value can be worked out from the published ones.

    Example
    -------
    >>> t = protect(np.array([[12, 3], [20, 15]]), k=10)
    >>> t.published()
    array([[nan, nan, 15.],
           [nan, nan, 35.],
           [32., 18., 50.]])
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    values = augment(cells)
    primary = (values >= 1) & (values < k)
    hidden = primary.copy()
    order = sorted(zip(*np.nonzero(primary), strict=True), key=lambda rc: (values[rc], rc))
    for r, c in order:
        adj = _adjacency(hidden)
        if _connected_without(adj, r, values.shape[0] + c):
            continue
        path = _close_cycle(values, hidden, r, c)
        if path is None:  # cannot happen with margins (the totals always close a cycle)
            hidden[values > 0] = True
            break
        for a, b in path:
            hidden[a, b] = True
    return ProtectedTable(values=values, hidden=hidden, primary=primary, k=k)


def audit(values: np.ndarray, hidden: np.ndarray, *, extra_known: np.ndarray | None = None) -> np.ndarray:
    """What an attacker can learn: for each hidden cell of an augmented table, the smallest
    and largest value consistent with every published value, the table's additivity and
    non-negativity (linear programming). Returns an array (n_hidden, 4): row, col, low, high.

    ``extra_known`` (bool, same shape) marks hidden cells the attacker knows from elsewhere
    (e.g. non-sensitive counts derivable from the published points).
    """
    values = np.asarray(values, dtype=float)
    hidden = np.asarray(hidden, bool)
    unknown = hidden & ~(extra_known if extra_known is not None else np.zeros_like(hidden))
    cells = list(zip(*np.nonzero(unknown), strict=True))
    if not cells:
        return np.empty((0, 4))
    index = {rc: i for i, rc in enumerate(cells)}
    rows, cols = values.shape
    a_eq, b_eq = [], []
    # row r: sum of inner cells - row total = 0; same for columns (incl. the margin row / column).
    lines = [[(r, c, 1.0) for c in range(cols - 1)] + [(r, cols - 1, -1.0)] for r in range(rows)]
    lines += [[(r, c, 1.0) for r in range(rows - 1)] + [(rows - 1, c, -1.0)] for c in range(cols)]
    for line in lines:
        coef, rhs = np.zeros(len(cells)), 0.0
        for r, c, s in line:
            if (r, c) in index:
                coef[index[(r, c)]] += s
            else:
                rhs -= s * values[r, c]
        if coef.any():
            a_eq.append(coef)
            b_eq.append(rhs)
    out = np.zeros((len(cells), 4))
    for i, (r, c) in enumerate(cells):
        obj = np.zeros(len(cells))
        obj[i] = 1.0
        lo = linprog(obj, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=(0, None), method="highs")
        hi = linprog(-obj, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=(0, None), method="highs")
        out[i] = (r, c, lo.fun, -hi.fun if hi.status == 0 else np.inf)
    return out
