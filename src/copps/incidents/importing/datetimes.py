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

import numpy as np

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

    def parse_many(self, values) -> dict[str, datetime | None]:
        """Each distinct value -> ``parse(value)``, or None where that raises ValueError. Formats
        of numeric fields (``%m/%d/%Y %I:%M:%S %p``, ``%Y-%m-%d %H:%M``, ...) are read by numpy
        for the values strptime reads the same way; every other value is read by ``parse``."""
        distinct = [v for v in set(values) if v]
        out: dict[str, datetime | None] = {}
        fast = _naive_many(distinct, self.fmt) if self.fmt != EXCEL and "%z" not in self.fmt else None
        if fast is not None:
            naive, ok = fast
            utc, steady = _localise(naive, self.tz)
            for value, dt, good in zip(distinct, utc, ok & steady, strict=True):
                if good:
                    out[value] = dt
        for value in distinct:
            if value not in out:
                try:
                    out[value] = self.parse(value)
                except ValueError:
                    out[value] = None
        return out

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


# The strptime directives ``parse_many`` reads with numpy, each with the number of digits
# strptime accepts and the values it allows (datetime() refuses seconds 60 and 61: so do we).
_FAST = {"%Y": (4, 4, 1, 9999), "%y": (2, 2, 0, 99), "%m": (1, 2, 1, 12), "%d": (1, 2, 1, 31),
         "%H": (1, 2, 0, 23), "%I": (1, 2, 1, 12), "%M": (1, 2, 0, 59), "%S": (1, 2, 0, 59)}  # fmt: skip
_FAST_TOKENS = re.compile(r"%[YymdHIMSp]|[/\-: T]")


def _fast_tokens(fmt: str) -> list[str] | None:
    """The format as directives and one-character separators, each directive followed by a
    separator (or ending it), or None when numpy cannot read it the way strptime does."""
    tokens = _FAST_TOKENS.findall(fmt)
    if "".join(tokens) != fmt or len(set(t for t in tokens if t.startswith("%"))) != sum(
        1 for t in tokens if t.startswith("%")
    ):
        return None
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.startswith("%") and b.startswith("%"):
            return None  # adjacent directives (%Y%m%d): strptime's regex splits them, we do not
    return tokens


def _naive_many(values: list[str], fmt: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(naive datetime64[s], readable mask) for ``values`` in ``fmt``, with numpy; a value left
    unreadable may still be read by strptime (extra spaces, another format): never the reverse."""
    tokens = _fast_tokens(fmt)
    if tokens is None or not values:
        return None
    try:
        rest = np.array(values, dtype=np.str_).astype(np.bytes_)  # ASCII only: strptime's \d is wider
    except UnicodeEncodeError:
        return None
    ok = np.ones(len(values), bool)
    parts: dict[str, np.ndarray] = {}
    for k, tok in enumerate(tokens):
        if not tok.startswith("%"):
            continue
        sep = tokens[k + 1] if k + 1 < len(tokens) else None
        if sep is None:
            head = rest
        else:
            head, found, rest = np.strings.partition(rest, sep.encode())
            ok &= found == sep.encode()
        if tok == "%p":
            upper = np.strings.upper(head)
            ok &= (upper == b"AM") | (upper == b"PM")
            parts[tok] = upper == b"PM"
            continue
        shortest, longest, low, high = _FAST[tok]
        length = np.strings.str_len(head)
        ok &= (length >= shortest) & (length <= longest) & np.strings.isdigit(head)
        number = np.where(ok, head, b"0").astype(np.int64)
        ok &= (number >= low) & (number <= high)
        parts[tok] = number
    zero = np.zeros(len(values), np.int64)
    year = parts.get("%Y", 1900 + zero)
    if "%y" in parts:
        year = np.where(parts["%y"] <= 68, parts["%y"] + 2000, parts["%y"] + 1900)
    month, day = parts.get("%m", 1 + zero), parts.get("%d", 1 + zero)
    ok &= (year >= 2) & (year <= 9998)  # the first and last years (a zone's offset may leave them): strptime
    hour = parts.get("%H", zero)
    if "%I" in parts:
        hour = parts["%I"] % 12 + np.where(parts.get("%p", zero.astype(bool)), 12, 0)
    month0 = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    days_in_month = ((month0 + 1).astype("datetime64[D]") - month0.astype("datetime64[D]")).astype(np.int64)
    ok &= day <= days_in_month
    seconds = hour * 3600 + parts.get("%M", zero) * 60 + parts.get("%S", zero)
    naive = month0.astype("datetime64[s]") + ((day - 1) * 86400 + seconds).astype("timedelta64[s]")
    return np.where(ok, naive, np.datetime64("2000-01-01T00:00:00", "s")), ok


def _localise(naive: np.ndarray, tz: ZoneInfo) -> tuple[list, np.ndarray]:
    """(UTC datetimes, decided mask) of naive local times, as ``dt.replace(tzinfo=tz)
    .astimezone(UTC)`` gives them: the zone's offset is asked once per distinct hour, and an
    hour whose offset changes within it (a DST change) is left to the caller."""
    hours = naive.astype("datetime64[h]")
    distinct, inverse = np.unique(hours, return_inverse=True)
    offsets = np.empty(len(distinct), np.int64)
    steady = np.ones(len(distinct), bool)
    for k, h in enumerate(distinct.astype("datetime64[s]").tolist()):
        first = h.replace(tzinfo=tz).utcoffset()
        last = (h + timedelta(minutes=59, seconds=59)).replace(tzinfo=tz).utcoffset()
        steady[k] = first == last
        offsets[k] = int(first.total_seconds())
    utc = naive - offsets[inverse].astype("timedelta64[s]")
    return [d.replace(tzinfo=UTC) for d in utc.tolist()], steady[inverse]
