"""Monthly count tables on a fixed lattice, protected by :mod:`copps.publish.aggregate`.

The lattice is what makes differencing fail. Counts are published only as cells of
tables fixed in advance:

* one table per kind (crime, call, collision) and calendar month, and only for months
  that ended at least the publication delay ago, so a published cell never changes
  as days pass (no day-by-day differencing, no shifted windows: a query names whole
  months and gets whole tables);
* rows: the kind's public categories (every non-sensitive taxonomy category, whether
  or not it occurred); columns: every district, and the city total as the margin;
  a query for some districts or categories gets those cells of the same table, never a
  new sum (no "A" vs "A or B" differencing);
* sensitive events are a separate one-row table per kind and month (districts x
  "Sensitive offences"), never added into a public category or into a total with
  non-sensitive events. Non-sensitive counts can be recomputed exactly from the
  published points, so a total mixing the two would give the sensitive count away.

Events without a district are not counted. No year totals are published as cells: a
yearly figure is the sum of the months shown, and :mod:`copps.publish.trends` shows such a
sum only when every month in it is published.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from copps.publish.aggregate import ProtectedTable, protect
from copps.publish.pipeline import SENSITIVE_CATEGORY, CountRecord

__all__ = ["CountTable", "complete_months", "build_tables", "table_rows", "CITY", "ALL"]

CITY = "City"
ALL = "All categories"


@dataclass(frozen=True)
class CountTable:
    kind: str
    month: str
    sensitive: bool
    rows: tuple[str, ...]  # categories
    columns: tuple[str, ...]  # district codes
    table: ProtectedTable

    def cell(self, category: str, district: str) -> int | None:
        """A published value (``district`` may be ``CITY``, ``category`` may be ``ALL``), None if hidden."""
        r = len(self.rows) if category == ALL else self.rows.index(category)
        c = len(self.columns) if district == CITY else self.columns.index(district)
        return None if self.table.hidden[r, c] else int(self.table.values[r, c])


def complete_months(first: str, cut: datetime) -> list[str]:
    """Months (``YYYY-MM``) from ``first`` whose last day is before the cut-off date."""
    year, month = map(int, first.split("-"))
    out = []
    while True:
        nxt = date(year + month // 12, month % 12 + 1, 1)
        if nxt > cut.date():
            return out
        out.append(f"{year:04d}-{month:02d}")
        year, month = nxt.year, nxt.month


def build_tables(
    records: Iterable[CountRecord],
    *,
    months: Sequence[str],
    districts: Sequence[str],
    categories: dict[str, Sequence[str]],
    k: int,
    sensitive: bool = True,
    protector: Callable[[np.ndarray, int], ProtectedTable] = protect,
) -> list[CountTable]:
    """The protected tables for every kind in ``categories`` and every month in ``months``.

    ``categories`` maps each kind to its public category rows (fixed, from the taxonomy);
    a category seen in the data but not listed is added (sorted) for that kind. ``protector``
    protects each table's inner cells (:func:`~copps.publish.aggregate.protect`, or one that
    gives its kept result: ``copps.publish.published``).
    """
    counts: Counter = Counter()
    seen: dict[str, set[str]] = {kind: set() for kind in categories}
    wanted = set(months)
    for rec in records:
        if rec.month not in wanted or rec.district not in districts or rec.kind not in categories:
            continue
        counts[(rec.kind, rec.month, rec.sensitive, rec.category, rec.district)] += rec.n
        if not rec.sensitive:
            seen[rec.kind].add(rec.category)
    col = {d: j for j, d in enumerate(districts)}
    out = []
    for kind, fixed in categories.items():
        rows = tuple(fixed) + tuple(sorted(seen[kind] - set(fixed)))
        for month in months:
            cells = np.zeros((len(rows), len(districts)), dtype=np.int64)
            srow = np.zeros((1, len(districts)), dtype=np.int64)
            for i, cat in enumerate(rows):
                for d in districts:
                    cells[i, col[d]] = counts.get((kind, month, False, cat, d), 0)
            for d in districts:
                srow[0, col[d]] = counts.get((kind, month, True, SENSITIVE_CATEGORY, d), 0)
            out.append(CountTable(kind, month, False, rows, tuple(districts), protector(cells, k)))
            if sensitive:
                table = protector(srow, k)
                out.append(CountTable(kind, month, True, (SENSITIVE_CATEGORY,), tuple(districts), table))
    return out


def table_rows(
    table: CountTable, *, districts: Sequence[str] | None = None, categories: Sequence[str] | None = None
) -> list[dict]:
    """The published cells of one table, as flat records (count None = suppressed).

    Selecting districts or categories picks cells; it never sums anything new.
    A one-row (sensitive) table has no "All categories" row: it would repeat the row.
    """
    cols = [*table.columns, CITY]
    rows = list(table.rows) + ([] if len(table.rows) == 1 else [ALL])
    out = []
    for category in rows:
        if categories and category not in categories and category != ALL:
            continue
        for district in cols:
            if districts and district not in districts and district != CITY:
                continue
            value = table.cell(category, district)
            out.append(
                {
                    "kind": table.kind,
                    "month": table.month,
                    "sensitive": table.sensitive,
                    "category": category,
                    "district": district,
                    "count": value,
                    "suppressed": value is None,
                }
            )
    return out
