"""The period a data source covers, and whether a window of days lies inside it.

A comparison is only as good as the two periods it compares: a month with one day of data
against a full month is "−97%" and "significant" for every category; a year the export does
not contain is "0 before" and every count "rises". copps therefore asks, before any
comparison, whether each window is fully covered by the data, covered in part, or not at all,
and compares only fully covered windows.

What the data covers (:func:`from_days`):

* it starts on the first day with an event (exports are cut by a query "since DATE", so
  that day is taken as whole);
* it ends the day before the last day with an event: the export was taken at some moment of
  that last day, so the day is **partial** (``Coverage.complete_to`` is the last complete day);
* inside that span, a run of days with no event is a **gap** when it is too long to be chance
  under the source's own mean daily rate ``r`` (events / days in the span): a run of ``L``
  empty days has probability ``exp(-r L)`` at a given start, so a run is a gap when
  ``L >= max(MIN_GAP_DAYS, ln(n_days / GAP_ALPHA) / r)`` — a Bonferroni bound over the
  ``n_days`` possible starts, so that a source without outages shows a false gap with
  probability at most ``GAP_ALPHA`` (0.001). Single empty days are never gaps
  (``MIN_GAP_DAYS`` = 2): a day missing from a 28-day window moves its count by under 4%.
  Examples over a year of data: 100 or 10 events a day -> 2 empty days are a gap; 1 a day
  -> 13; one a week -> 90 days.

Windows are half-open ranges of days ``[start, stop)`` (as in :mod:`copps.analysis.compstat`).
:meth:`Coverage.status` says ``"full"`` (every day covered), ``"none"`` (no day of the
window lies in the data's span outside a gap, and the partial last day is not in it) or
``"partial"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FULL",
    "PARTIAL",
    "NONE",
    "GAP_ALPHA",
    "MIN_GAP_DAYS",
    "Coverage",
    "from_days",
    "gap_length",
    "window_status",
    "clip",
    "intersect",
    "last_complete_week",
    "last_complete_month",
    "covered_steps_back",
    "days_covered",
]

FULL, PARTIAL, NONE = "full", "partial", "none"
GAP_ALPHA = 0.001
MIN_GAP_DAYS = 2
_DAY = np.timedelta64(1, "D")


def _day(value) -> np.datetime64:
    return np.datetime64(value, "D")


@dataclass(frozen=True)
class Coverage:
    """The days a source's data covers.

    Attributes
    ----------
    first : datetime64[D]
        First day with an event (taken as covered).
    last : datetime64[D]
        Last day with an event (taken as partial).
    gaps : tuple of (datetime64[D], datetime64[D])
        Runs of empty days judged to be missing data, each as (first day, last day), inclusive.
    events : int
        Events counted.
    """

    first: np.datetime64
    last: np.datetime64
    gaps: tuple = ()
    events: int = 0

    @property
    def complete_to(self) -> np.datetime64:
        """The last complete day: the day before the last event's day (may precede ``first``)."""
        return self.last - _DAY

    def covered_days(self, start, stop) -> int:
        """How many days of ``[start, stop)`` are covered (the partial last day is not)."""
        a, b = max(_day(start), self.first), min(_day(stop), self.last)
        n = max(0, int((b - a) / _DAY))
        for g0, g1 in self.gaps:
            lo, hi = max(a, g0), min(b, g1 + _DAY)
            n -= max(0, int((hi - lo) / _DAY))
        return n

    def status(self, start, stop) -> str:
        """``"full"``, ``"partial"`` or ``"none"`` for the window ``[start, stop)``."""
        start, stop = _day(start), _day(stop)
        length = int((stop - start) / _DAY)
        if length <= 0:
            return NONE
        covered = self.covered_days(start, stop)
        if covered == length:
            return FULL
        if covered == 0 and not (start <= self.last < stop):
            return NONE
        return PARTIAL


def window_status(coverage: Coverage | None, start, stop) -> str:
    """:meth:`Coverage.status`, with no coverage at all (no data) meaning ``"none"``."""
    return NONE if coverage is None else coverage.status(start, stop)


def clip(coverage: Coverage | None, start=None, stop=None) -> Coverage | None:
    """The part of ``coverage`` inside ``[start, stop)`` (either end may be None), for data read
    through a date filter: days outside the filter are not covered. ``stop`` before the partial
    last day makes ``stop - 1`` the last complete day.

    Example
    -------
    >>> c = from_days(np.arange("2024-01-01", "2024-09-01", dtype="datetime64[D]"))
    >>> str(clip(c, "2024-03-01", "2024-04-01").complete_to)
    '2024-03-31'
    """
    if coverage is None:
        return None
    first, last = coverage.first, coverage.last
    if start is not None:
        first = max(first, _day(start))
    if stop is not None:
        last = min(last, _day(stop))
    if last < first:
        return None
    gaps = tuple((max(a, first), min(b, last)) for a, b in coverage.gaps if b >= first and a <= last)
    return Coverage(first, last, gaps, coverage.events)


def gap_length(rate: float, n_days: int, alpha: float = GAP_ALPHA, floor: int = MIN_GAP_DAYS) -> int:
    """The shortest run of empty days called a gap at a mean of ``rate`` events a day.

    Example
    -------
    >>> gap_length(1.0, 365), gap_length(100.0, 365), gap_length(1 / 7, 365)
    (13, 2, 90)
    """
    if rate <= 0 or n_days <= 0:
        return max(floor, n_days + 1)
    return max(int(floor), math.ceil(math.log(max(n_days, 1) / alpha) / rate))


def from_days(days, counts=None, *, alpha: float = GAP_ALPHA, floor: int = MIN_GAP_DAYS) -> Coverage | None:
    """The coverage of events on ``days`` (one entry per event, or per day with ``counts``).

    Parameters
    ----------
    days : array_like of datetime64[D]
        Event days (local dates), or distinct days when ``counts`` is given.
    counts : array_like of int, optional
        Events on each of ``days``.
    alpha, floor : float, int
        Gap rule (see the module notes).

    Returns
    -------
    Coverage or None
        None when there are no events.

    Example
    -------
    >>> d = np.array(["2024-01-01", "2024-01-02", "2024-03-01"], dtype="datetime64[D]")
    >>> c = from_days(d, [40, 35, 30])
    >>> str(c.complete_to), [(str(a), str(b)) for a, b in c.gaps]
    ('2024-02-29', [('2024-01-03', '2024-02-29')])
    """
    d = np.asarray(days, dtype="datetime64[D]")
    if counts is None:
        d, n = np.unique(d, return_counts=True)
    else:
        n = np.asarray(counts, dtype=np.int64)
        keep = n > 0
        d, n = d[keep], n[keep]
        order = np.argsort(d)
        d, n = d[order], n[order]
    if d.size == 0:
        return None
    first, last = d[0], d[-1]
    span = int((last - first) / _DAY) + 1
    total = int(n.sum())
    need = gap_length(total / span, span, alpha, floor)
    gaps = []
    # empty runs lie between consecutive event days
    steps = ((d[1:] - d[:-1]) / _DAY).astype(np.int64) - 1
    for i in np.nonzero(steps >= need)[0]:
        gaps.append((d[i] + _DAY, d[i + 1] - _DAY))
    return Coverage(first, last, tuple(gaps), total)


def intersect(coverages) -> Coverage | None:
    """The days every one of ``coverages`` covers: what a count pooled over several kinds (or
    sources) may be compared on. The latest first day, the earliest partial last day, every gap.

    Example
    -------
    >>> crime = from_days(np.arange("2024-01-01", "2024-12-01", dtype="datetime64[D]"))
    >>> crashes = from_days(np.arange("2024-03-01", "2024-11-15", dtype="datetime64[D]"))
    >>> both = intersect([crime, crashes])
    >>> str(both.first), str(both.complete_to)
    ('2024-03-01', '2024-11-13')
    """
    present = [c for c in coverages if c is not None]
    if not present:
        return None
    first = max(c.first for c in present)
    last = min(c.last for c in present)
    gaps = sorted({g for c in present for g in c.gaps if g[1] >= first and g[0] <= last})
    return Coverage(first, max(last, first), tuple(gaps), sum(c.events for c in present))


def last_complete_week(coverage: Coverage | None) -> np.datetime64 | None:
    """The Sunday ending the last ISO week (Monday–Sunday) the data covers in full, or None."""
    if coverage is None:
        return None
    end = coverage.complete_to
    # datetime64 day 0 (1970-01-01) was a Thursday: weekday 0 = Monday
    weekday = (int(end.astype(np.int64)) + 3) % 7
    sunday = end - np.timedelta64((weekday + 1) % 7, "D")
    for _ in range(520):
        if sunday - np.timedelta64(6, "D") < coverage.first:
            return None
        if coverage.status(sunday - np.timedelta64(6, "D"), sunday + _DAY) == FULL:
            return sunday
        sunday = sunday - np.timedelta64(7, "D")
    return None


def last_complete_month(coverage: Coverage | None) -> np.datetime64 | None:
    """The last calendar month (``datetime64[M]``) the data covers in full, or None."""
    if coverage is None:
        return None
    month = (coverage.complete_to + _DAY).astype("datetime64[M]") - np.timedelta64(1, "M")
    while month.astype("datetime64[D]") >= coverage.first:
        if coverage.status(month.astype("datetime64[D]"), (month + 1).astype("datetime64[D]")) == FULL:
            return month
        month = month - np.timedelta64(1, "M")
    return None


def covered_steps_back(coverage: Coverage | None, stop, *, step_days: int = 7, limit: int | None = None) -> int:
    """How many whole steps of ``step_days`` days, counted back from ``stop`` (exclusive), the data
    covers in full in an unbroken run (at most ``limit``): the windows a weekly alert or a trend may
    use, so that no tested or baseline step holds time without data.

    The steps are ``[stop - step_days·(i+1), stop - step_days·i)`` for i = 0, 1, ...; counting
    stops at the first step not covered in full (a gap, the partial last day, or before the data).

    Example
    -------
    >>> c = from_days(np.arange("2024-01-01", "2024-03-01", dtype="datetime64[D]"))
    >>> str(c.complete_to), covered_steps_back(c, "2024-03-01"), covered_steps_back(c, "2024-02-29")
    ('2024-02-28', 0, 8)
    >>> covered_steps_back(c, "2024-02-29", limit=3), covered_steps_back(c, "2024-02-29", step_days=28)
    (3, 2)
    """
    stop = _day(stop)
    step = np.timedelta64(step_days, "D")
    n = 0
    while (limit is None or n < limit) and window_status(coverage, stop - step * (n + 1), stop - step * n) == FULL:
        n += 1
    return n


def days_covered(coverage: Coverage | None, start, stop) -> np.ndarray:
    """The covered days of ``[start, stop)`` as a ``datetime64[D]`` array: inside the data's span,
    outside its gaps, and never its partial last day. This is the exposure of a count over the
    window: a rate per bucket (month, week of year) divides by these days, not by the calendar's.

    Example
    -------
    >>> c = Coverage(np.datetime64("2024-01-01"), np.datetime64("2024-01-10"),
    ...              ((np.datetime64("2024-01-04"), np.datetime64("2024-01-05")),))
    >>> [str(d)[-2:] for d in days_covered(c, "2023-12-30", "2024-02-01")]
    ['01', '02', '03', '06', '07', '08', '09']
    """
    if coverage is None:
        return np.array([], dtype="datetime64[D]")
    lo, hi = max(_day(start), coverage.first), min(_day(stop), coverage.last)
    if hi <= lo:
        return np.array([], dtype="datetime64[D]")
    days = np.arange(lo, hi, dtype="datetime64[D]")
    keep = np.ones(days.size, dtype=bool)
    for g0, g1 in coverage.gaps:
        keep &= ~((days >= g0) & (days <= g1))
    return days[keep]
