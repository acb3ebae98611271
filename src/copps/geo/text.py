"""Free text written by residents or staff, made fit to publish: no e-mail address, no phone
number, no house number. Every public output of such text (problem pages, Open311 documents,
the "is it one of these?" list) goes through :func:`clean_text`."""

from __future__ import annotations

import re

__all__ = ["clean_text"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\+?\d[\d ().-]{6,}\d")
_NUMBER = re.compile(r"\b(\d*)(\d\d)\b")


def clean_text(text: str) -> str:
    """Plain text with e-mail addresses and phone numbers removed and every number of three
    or more digits turned into a hundred-block number ("1234 Elm St" -> "12XX Elm St"), since
    it could be a house number. (A year reads "20XX": write "since last spring".)

    >>> clean_text("Call 555-123-4567 or mail ann@example.org about 1234 Elm St")
    'Call [removed] or mail [removed] about 12XX Elm St'
    """
    text = _EMAIL.sub("[removed]", text or "")
    text = _PHONE.sub("[removed]", text)
    return _NUMBER.sub(lambda m: m.group(0) if not m.group(1) else m.group(1) + "XX", text)
