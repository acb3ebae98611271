"""Public trend dashboards and the public CompStat table, read from the protected count tables.

Every figure here is a cell of the fixed lattice of :mod:`copps.publish.counts` (after
primary and secondary suppression) or a sum of such cells. A sum that would need a hidden
cell is itself hidden, so no suppressed count can be worked out from a dashboard. Changes
against last year come with the exact rate-ratio test of :func:`copps.analysis.compstat.compare`
(interval and p); a change is called significant only when p <= 0.05.

Areas: the city and each district (all categories, and the separate "Sensitive offences"
row), and each beat (non-sensitive categories only: sensitive offences never go below
district level).

Only months the data covers in full are compared (:mod:`copps.incidents.coverage`): the
dashboard ends with the last fully covered month (a month holding a few days of data is not
shown as "−100%"), and a comparison with a month the data does not cover, or covers in part,
shows "no data" or "partial data" — never a percent or a flag.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from copps.analysis import coverage as cov
from copps.analysis.compstat import compare
from copps.incidents import coverage
from copps.publish import published
from copps.publish.counts import ALL, CITY

__all__ = ["Area", "Change", "TrendRow", "Trend", "areas", "trend", "compstat", "data_span", "NO_DATA", "PARTIAL"]

WINDOW = 12  # months on a dashboard, and in each half of the year-on-year comparison
NO_DATA, PARTIAL = "no data", "partial"  # Change.status of a comparison not made


@dataclass(frozen=True)
class Area:
    type: str  # city, district, beat
    code: str
    name: str

    @property
    def key(self) -> str:
        return "city" if self.type == "city" else f"{self.type}:{self.code}"


@dataclass(frozen=True)
class Change:
    """``now`` against ``before`` (None when either is hidden, or not covered by the data).

    ``status`` is "" for a comparison made, :data:`NO_DATA` when a period lies outside the
    data and :data:`PARTIAL` when the data covers part of it: then there is no percent and no
    flag."""

    now: int | None
    before: int | None
    percent: float | None = None
    lower: float | None = None  # percent change at the 95% limits
    upper: float | None = None
    p: float | None = None
    significant: bool = False
    direction: str = ""  # "up", "down" or "" (no significant change)
    status: str = ""


@dataclass(frozen=True)
class TrendRow:
    category: str
    sensitive: bool
    counts: list[int | None]  # one per month of Trend.months; None = suppressed
    month: Change  # latest month against the same month a year before
    year: Change  # the last 12 months against the 12 before
    ytd: Change  # year to date against the same months a year before

    @property
    def empty(self) -> bool:
        """Nothing in the window (all zeros): the dashboard leaves such rows out."""
        return all(c == 0 for c in self.counts) and self.month.now in (0, None) and not self.sensitive


@dataclass(frozen=True)
class Trend:
    area: Area
    kind: str
    months: list[str]
    rows: list[TrendRow]
    k: int
    data_from: date | None = None  # the first day of data
    data_to: date | None = None  # the last complete day of data the public may see


def areas() -> list[Area]:
    out = [Area("city", "", CITY)]
    out += [Area("district", c, n) for c, n in published.district_codes()]
    out += [Area("beat", c, n) for c, n in published.beat_codes()]
    return out


def find_area(key: str) -> Area | None:
    return next((a for a in areas() if a.key == key), None)


def _days(months: list[str]) -> int:
    return sum(monthrange(int(m[:4]), int(m[5:]))[1] for m in months)


def _year_before(month: str) -> str:
    return f"{int(month[:4]) - 1:04d}-{month[5:]}"


def _sum(series: dict[str, int | None], months: list[str]) -> int | None:
    """Sum of published cells; hidden if any is hidden or a month is not published at all."""
    values = [series.get(m) for m in months]
    if not months or any(v is None for v in values):
        return None
    return int(sum(values))


def _month_status(c: cov.Coverage | None, months: list[str]) -> str:
    """"full" when the data covers every day of every month, "none" when it covers none of them."""
    seen = {
        cov.window_status(c, np.datetime64(m, "D"), (np.datetime64(m, "M") + 1).astype("datetime64[D]"))
        for m in months
    }
    return cov.FULL if seen == {cov.FULL} else cov.NONE if seen <= {cov.NONE} else cov.PARTIAL


def _change(series: dict[str, int | None], now: list[str], before: list[str], c: cov.Coverage | None) -> Change:
    status = {_month_status(c, now), _month_status(c, before)}
    if status != {cov.FULL}:
        return Change(_sum(series, now), None, status=NO_DATA if cov.NONE in status else PARTIAL)
    a, b = _sum(series, now), _sum(series, before)
    if a is None or b is None:
        return Change(a, b)
    r = compare([a], [b], exposure_now=_days(now), exposure_before=_days(before))
    pct = None if b == 0 else float(r.percent_change[0])
    lo = None if b == 0 or not np.isfinite(r.lower[0]) else 100.0 * (float(r.lower[0]) - 1)
    hi = None if b == 0 or not np.isfinite(r.upper[0]) else 100.0 * (float(r.upper[0]) - 1)
    sig = bool(r.significant[0])
    direction = {1: "up", -1: "down"}.get(int(r.direction[0]), "")
    return Change(a, b, pct, lo, hi, float(r.p[0]), sig, direction)


def _series(area: Area, kind: str) -> tuple[list[str], dict[tuple[str, bool], dict[str, int | None]]]:
    tables = published.beat_tables() if area.type == "beat" else published.count_tables()
    column = CITY if area.type == "city" else area.code
    out: dict[tuple[str, bool], dict[str, int | None]] = {}
    for table in tables.tables:
        if table.kind != kind or (column != CITY and column not in table.columns):
            continue
        rows = list(table.rows) + ([] if table.sensitive else [ALL])
        for category in rows:
            out.setdefault((category, table.sensitive), {})[table.month] = table.cell(category, column)
    return tables.months, out


def data_span(kind: str | None) -> tuple[date | None, date | None]:
    """The first day of data and the last complete day the public may see (before the
    publication cut-off) of a kind (None: every kind)."""
    from django.db.models import Max, Min

    from copps.publish.pipeline import cutoff
    from copps.publish.store import visible

    c = coverage.of(kind)
    if c is None:
        return None, None
    # Clamped to the dates of published (non-sensitive) records, which the map shows anyway: the
    # first or last event of all may be a sensitive one, whose date must never be told.
    records = visible().filter(date__isnull=False)
    if kind:
        records = records.filter(kind=kind)
    shown = records.aggregate(first=Min("date"), last=Max("date"))
    if shown["first"] is None:
        return None, None
    first = max(coverage.as_date(c.first), shown["first"])
    last = min(coverage.as_date(c.complete_to), cutoff().date() - timedelta(days=1), shown["last"])
    return first, last


def trend(area: Area, kind: str) -> Trend:
    """Monthly counts by category for the last 12 published months the data covers in full
    (the latest of them is the last fully covered one), with the changes."""
    published_months, series = _series(area, kind)
    c = coverage.of(kind)
    covered = [m for m in published_months if _month_status(c, [m]) == cov.FULL]
    months = [m for m in published_months if covered and m <= covered[-1]]
    shown = months[-WINDOW:]
    rows = []
    last = months[-1] if months else None
    for (category, sensitive), values in series.items():
        if last is None:
            break
        year_now = months[-WINDOW:]
        year_before = [_year_before(m) for m in year_now]
        ytd_now = [m for m in months if m[:4] == last[:4]]
        rows.append(
            TrendRow(
                category=category,
                sensitive=sensitive,
                counts=[values.get(m) for m in shown],
                month=_change(values, [last], [_year_before(last)], c),
                year=_change(values, year_now, year_before, c)
                if len(year_now) == WINDOW
                else Change(None, None, status=NO_DATA),
                ytd=_change(values, ytd_now, [_year_before(m) for m in ytd_now], c),
            )
        )
    # the taxonomy order, "All categories" last, the sensitive row at the very end
    rows.sort(key=lambda r: (r.sensitive, r.category == ALL))
    from copps.publish.conf import rules

    first, to = data_span(kind)
    return Trend(area, kind, shown, rows, rules().k, first, to)


def compstat(area: Area, kind: str) -> Trend:
    """The public CompStat table: the same rows, read for the latest month and the year to date."""
    return trend(area, kind)
