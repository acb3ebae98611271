"""Free text written by residents or staff, made fit to publish: no e-mail address, no phone
number, no house or unit number. Every public output of such text (problem pages, Open311
documents, the "is it one of these?" list) goes through :func:`clean_text`."""

from __future__ import annotations

import re

from copps.geo.streets import NUMBER_WORDS, STREET_TYPES

__all__ = ["clean_text"]

_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\w-]+)+", re.IGNORECASE)
_PHONE = re.compile(r"\+?\d[\d ().-]{6,}\d")
_PO_BOX = re.compile(r"\bP\.?\s*O\.?\s*BOX\s*#?\s*\w+", re.IGNORECASE)
_UNIT = re.compile(
    r"\b(?:APT|APARTMENT|UNIT|STE|SUITE|SPC|SPACE|RM|ROOM|LOT|TRLR)\b\.?\s*(?:NO\.?\s*)?#?\s*[A-Z]?\d[\w-]{0,5}"
    r"|#\s*\d[\w-]{0,5}",
    re.IGNORECASE,
)
_TYPES = "|".join(sorted(STREET_TYPES, key=len, reverse=True))
# What follows a house number: up to three name words and a street type ("22 Beckford Ct").
_NOT_A_NAME = r"(?!(?:ON|AT|IN|NEAR|BY|TO|FROM|AND|OR|IS|ARE|WAS|WERE|THE|OF|FOR|WITH)\b)"
_STREET_AHEAD = rf"(?=\s*(?:[NSEW]\.?\s+)?(?:{_NOT_A_NAME}[A-Za-z][\w'-]*\.?\s+){{0,3}}(?:{_TYPES})\b\.?)"
_AHEAD = re.compile(_STREET_AHEAD, re.IGNORECASE)
_SPELLED = re.compile(
    rf"\b(?:(?:{'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))})(?:[\s-]+|$))+{_STREET_AHEAD}", re.IGNORECASE
)
# A number with whatever is glued to it: 4521, 4521A, 4521½, 4521 1/2, 4521Birch, 22.
_NUMBER = re.compile(r"(?<![\w./])(\d+)(½|\s1/2\b)?([A-Za-z]+)?(?![\w½])")
_LONG = re.compile(r"(?<!\d)\d{3,}(?![\d\x00])")
_MARK = "\x00"  # stands for "XX" until every number is done, so "524XX" is not read again
# Suffixes that make a number something other than a house: 5th, 3pm, 30mph, 10ft, 2x.
_KEEP = frozenset("st nd rd th am pm mph kph ft km kg lb lbs mm cm hr hrs min mins yo yr yrs".split())


def _number(m: re.Match, before_street: bool) -> str:
    digits, fraction, suffix = m.group(1), m.group(2) or "", m.group(3) or ""
    if not fraction and suffix.lower() in _KEEP:
        return m.group(0)
    word = f" {suffix}" if len(suffix) >= 2 and suffix.isalpha() else ""  # 4521Birch -> 45XX Birch
    if len(digits) >= 3:
        return f"{digits[:-2]}{_MARK}{word}"
    if before_street or suffix or fraction:
        return f"0{_MARK}{word}"
    return m.group(0)


def _numbers(text: str) -> str:
    out, last = [], 0
    for m in _NUMBER.finditer(text):
        ahead = _AHEAD.match(text, m.end()) is not None
        out += [text[last : m.start()], _number(m, ahead)]
        last = m.end()
    text = "".join([*out, text[last:]])
    # three digits or more anywhere else, even inside a token ("100A8"), could be a house number
    text = _LONG.sub(lambda m: m.group(0)[:-2] + _MARK, text)
    return text.replace(_MARK, "XX")


def clean_text(text: str) -> str:
    """Plain text with e-mail addresses, phone numbers, PO boxes and unit numbers removed, and
    every number that could be a house number generalised to its hundred block: any number of
    three or more digits ("1234 Elm St" -> "12XX Elm St", "4521A" / "4521½" -> "45XX",
    "4521Birch" -> "45XX Birch"), a one- or two-digit number before a street ("22 Beckford Ct"
    -> "0XX Beckford Ct") and a spelled-out one ("four five two one Birch Ln" -> "[removed]
    Birch Ln"). Small counts stay ("3 cars", "2nd time", "10pm"). (A year reads "20XX":
    write "since last spring".)

    >>> clean_text("Call 555-123-4567 or mail ann@example.org about 1234 Elm St")
    'Call [removed] or mail [removed] about 12XX Elm St'
    >>> clean_text("22 Beckford Ct, apt 3: 2 cars")
    '0XX Beckford Ct, [removed]: 2 cars'
    """
    text = _EMAIL.sub("[removed]", (text or "").replace(_MARK, ""))
    text = _PHONE.sub("[removed]", text)
    text = _PO_BOX.sub("[removed]", text)
    text = _UNIT.sub("[removed]", text)
    text = _SPELLED.sub("[removed] ", text)
    return _numbers(text)
