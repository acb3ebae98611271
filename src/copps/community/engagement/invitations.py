"""Invitation codes: one survey answer per printed code, without knowing who answers.

Anyone can answer an open survey, so anyone can add answers whose values they know (issue 13,
item 10). Where ``COPPS_SURVEY_CODES=required``, an answer counts only with an invitation code:
staff print codes with ``copps survey_codes`` and hand them out one to a household (a letter
to each address, a card at a meeting), keeping no record of which code went where. A code is a
random 40-bit serial and a 40-bit keyed MAC of the survey and serial (16 characters of Crockford's
base 32), so codes need no table and cannot be made up; the answer stores a keyed hash of the
survey and serial in place of the browser's, so each code answers once. The code says nothing
about the person: it was drawn at random and never written down next to an address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

__all__ = ["new_codes", "code_key"]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
SALT = "copps.engagement.survey-code"


def _mac(survey_pk: int, serial: int) -> int:
    return int.from_bytes(salted_hmac(SALT, f"{survey_pk}:{serial}").digest()[:5], "big")


def _encode(number: int) -> str:
    chars = [ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(16))]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, 16, 4))


def new_codes(survey_pk: int, count: int) -> list[str]:
    """``count`` fresh codes for the survey, e.g. ``7KQ2-M9XD-...``."""
    serials = [secrets.randbits(40) for _ in range(count)]
    return [_encode((s << 40) | _mac(survey_pk, s)) for s in serials]


def code_key(survey_pk: int, code: str) -> str | None:
    """What an answer with ``code`` stores as its key (unique per survey), or None when the code
    was not made for this survey. Case, spaces, dashes and O/I/L typed for 0/1 do not matter."""
    text = "".join(code.upper().split()).replace("-", "").translate(_READ_AS)
    if len(text) != 16 or any(c not in ALPHABET for c in text):
        return None
    number = 0
    for c in text:
        number = number * 32 + ALPHABET.index(c)
    serial, mac = number >> 40, number & ((1 << 40) - 1)
    if not hmac.compare_digest(mac.to_bytes(5, "big"), _mac(survey_pk, serial).to_bytes(5, "big")):
        return None
    message = f"survey-code:{survey_pk}:{serial}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
