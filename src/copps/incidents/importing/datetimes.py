"""Turning the date and time strings of real exports into aware datetimes.

Real files use 12-hour clocks, 2-digit years, ISO 8601 with a ``Z``, offsets written
``+00``, ``+0000`` or ``+05:30``, separate date and time columns, month-only dates, and
Excel serial numbers where someone saved the file from a spreadsheet. A profile may
name the format; otherwise it is detected from the first values of the column
(``excel`` when they are day numbers).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["CANDIDATE_FORMATS", "EXCEL", "DateParser", "detect_format", "excel_serial"]

# The format name of Excel serial day numbers (days since 1899-12-30, the fraction the time).
EXCEL = "excel"

# Tried in this order when a profile names no format: US month-first before
# day-first, because every built-in source is month-first.
CANDIDATE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%m/%d/%y",
    "%Y%m%d %H%M",
    "%Y%m%d",
    "%Y-%m",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H%M",  # e.g. "1/21/2016 1900", as extracted from "Occurred: 1/21/2016 at 1900"
)

_EXCEL_EPOCH = datetime(1899, 12, 30)
_CACHE_LIMIT = 200_000


_HOURS_ONLY_OFFSET = re.compile(r"([+-]\d\d)$")


def _strptime(value: str, fmt: str) -> datetime:
    if fmt.endswith("%z"):
        if value.endswith("Z"):
            value = value[:-1] + "+0000"
        else:
            value = _HOURS_ONLY_OFFSET.sub(r"\g<1>00", value)  # "+00" (PostgreSQL's own output)
    return datetime.strptime(value, fmt)


def excel_serial(value: str) -> datetime | None:
    """An Excel serial day number as a naive datetime rounded to the second, or None.

    Rounded because a spreadsheet stores 19:00 as 0.791666... of a day, which read exactly
    is 18:59:59.9999 -- in the previous hour."""
    try:
        serial = float(value)
    except ValueError:
        return None
    if not 20_000 <= serial <= 80_000:  # 1954..2119 as Excel day numbers
        return None
    return _EXCEL_EPOCH + timedelta(seconds=round(serial * 86400))


def detect_format(samples: list[str]) -> str | None:
    """The candidate format that parses most samples (at least half), or None.

    Most, not all: a file edited in a spreadsheet has a few cells in another form,
    which the parser's fallbacks read.
    """
    samples = [s for s in samples if s]
    best, best_hits = None, 0
    for fmt in CANDIDATE_FORMATS:
        hits = 0
        for s in samples:
            try:
                _strptime(s, fmt)
            except ValueError:
                continue
            hits += 1
        if hits > best_hits:
            best, best_hits = fmt, hits
    serials = sum(1 for s in samples if excel_serial(s) is not None)
    if serials > best_hits:
        best, best_hits = EXCEL, serials
    return best if samples and best_hits * 2 >= len(samples) else None


class DateParser:
    """Parses one column's values to UTC-aware datetimes.

    Naive values are in ``tz`` (the source's local time). Values that do not match
    the column's format are tried against the other candidates (files edited in a
    spreadsheet mix formats) and as Excel serial day numbers.
    """

    def __init__(self, fmt: str, tz: str):
        self.fmt = fmt
        self.tz = ZoneInfo(tz)
        self._cache: dict[str, datetime] = {}

    def example(self) -> str:
        if self.fmt == EXCEL:
            return "45376.99896 (an Excel day number)"
        return datetime(2016, 3, 25, 23, 58, 30).strftime(self.fmt.replace("%z", "+0000"))

    def parse(self, value: str) -> datetime:
        """Raise ValueError with a readable reason when ``value`` is no date/time."""
        hit = self._cache.get(value)
        if hit is not None:
            return hit
        dt = self._parse(value)
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[value] = dt
        return dt

    def _parse(self, value: str) -> datetime:
        try:
            if self.fmt == EXCEL:
                raise ValueError(value)
            dt = _strptime(value, self.fmt)
        except ValueError:
            dt = self._fallback(value)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=self.tz)
        return dt.astimezone(UTC)

    def _fallback(self, value: str) -> datetime:
        serial = excel_serial(value)
        if serial is not None:
            return serial
        for fmt in CANDIDATE_FORMATS:
            try:
                return _strptime(value, fmt)
            except ValueError:
                continue
        raise ValueError(f"{value!r} is not a date/time (expected like {self.example()!r})")
