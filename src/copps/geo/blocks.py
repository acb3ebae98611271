"""Hundred-block addresses: the public form of a street address.

``3108 OCCIDENTAL DR`` becomes ``31XX OCCIDENTAL DR``; an intersection has no house number
and is written one way whatever the export used (``S KING ST / 8 AV S``, ``HEATHER CT \\
SEQUOIA CT``, ``A ST AND B ST`` become ``S KING ST & 8 AV S``, ...): the one form every page,
download and PDF prints. The block form never contains a house number, whatever the input
looks like.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["hundred_block", "has_house_number", "intersection", "INTERSECTION_JOIN"]

INTERSECTION_JOIN = " & "
# What exports put between two street names: a slash or backslash (not the slash of a half
# house number, 12 1/2), an ampersand, "AND" or "@".
_CROSSING = re.compile(r"\s*(?:\\|(?<!\d)/|/(?!\d)|&|@)\s*|\s+AND\s+")

_SPACES = re.compile(r"\s+")
# A leading house number: 3108, 3108A, 3108-3112, 12 1/2, 0004XX (already a block).
_LEADING = re.compile(r"^(?P<num>\d+)(?:[A-Z]\b|-\d+[A-Z]?\b|\s+\d/\d\b)?\s+(?P<rest>.+)$")
_BLOCK_ALREADY = re.compile(r"^(?P<num>\d*)XX\b\s*(?P<rest>.*)$")
_BLOCK_OF = re.compile(r"^(?P<num>\d*XX)\s+BLOCK\s+OF\s+(?P<rest>.+)$")
_UNIT = re.compile(r"\s*(?:#|\b(?:APT|UNIT|STE|SUITE|SPC|SPACE|RM|ROOM|FL|FLOOR|BLDG)\b\.?)\s*[\w-]*\s*$")
_ANY_NUMBER_WORD = re.compile(r"\b\d{2,}[A-Z]?\b")


@lru_cache(maxsize=65536)
def hundred_block(address: str) -> str:
    """The hundred-block form of ``address`` (upper case, single spaces).

    >>> hundred_block("3108 Occidental Dr  Apt 4")
    '31XX OCCIDENTAL DR'
    >>> hundred_block("22 BECKFORD CT")
    '0XX BECKFORD CT'
    >>> hundred_block("004XX N STATE ST")
    '4XX N STATE ST'
    """
    text = _SPACES.sub(" ", (address or "").upper()).strip().strip(",")
    if not text:
        return ""
    streets = intersection(text)
    if streets:
        return streets  # an intersection names no house
    m = _BLOCK_OF.match(text)
    if m:
        text = f"{m['num']} {m['rest']}"
    m = _BLOCK_ALREADY.match(text)
    if m:
        hundreds = int(m["num"]) if m["num"] else 0
        return f"{hundreds}XX {_strip_unit(m['rest'])}".strip()
    m = _LEADING.match(text)
    if m:
        return f"{int(m['num']) // 100}XX {_strip_unit(m['rest'])}"
    return _strip_unit(text)


def intersection(text: str) -> str:
    """``text`` written as an intersection ("HEATHER CT & SEQUOIA CT"), or "" when it is not one.

    >>> intersection("HEATHER CT \\\\ SEQUOIA CT")
    'HEATHER CT & SEQUOIA CT'
    >>> intersection("7512 MAPLE CT")
    ''
    """
    text = _SPACES.sub(" ", (text or "").upper()).strip()
    parts = [p.strip() for p in _CROSSING.split(text)]
    if len(parts) < 2 or not all(parts):
        return ""
    return INTERSECTION_JOIN.join(parts)


def _strip_unit(rest: str) -> str:
    previous = None
    while previous != rest:
        previous, rest = rest, _UNIT.sub("", rest).strip()
    return rest


def has_house_number(text: str) -> bool:
    """True when ``text`` starts with something that looks like a house number."""
    return bool(_LEADING.match(_SPACES.sub(" ", text.upper()).strip()))
