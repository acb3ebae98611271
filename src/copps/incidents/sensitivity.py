"""Is this event one whose victim must never be identifiable in public output?

One signal is never enough: a category can be mislabelled at entry. An event is
sensitive when any of these says so:

1. its taxonomy category is sensitive (sex offences, domestic violence, offences
   against children, runaways, human trafficking, prostitution, domestic-dispute calls);
2. a source flag the profile names (e.g. Chicago's ``Domestic`` column is ``true``);
3. its own text (offence, description) reads as sensitive (:func:`text_reason`);
4. a victim age under 18 where the source gives one in a column of its own.

What the text rule reads
------------------------
The vocabulary is built from published code lists, not from one city's wording:
the NIBRS offence codes and their definitions (sex offences 11A-11D, incest and
statutory rape 36A/36B, prostitution 40A-40C, human trafficking 64A/64B, family
offences 90F, runaway 90I), the crime-code descriptions of large agencies (LAPD's
"INTIMATE PARTNER - SIMPLE ASSAULT", "CRM AGNST CHLD (13 OR UNDER)", Chicago's
"AGG CRIM SEX ABUSE", NYPD's "ENDAN WELFARE INCOMP"), California penal code sections
(261, 273.5, 288, 647.6, ...; a bare number counts only when it is the whole value
or is written as a section, "PC 288" / "288(A)" / "273.5", so "288 ELM ST" does not),
the abbreviations police write (DV, D/V, DOM VIOL, IPV, CHLD, JUV, FAM MBR, DVRO,
EPO) and Spanish (violencia doméstica/familiar, abuso/agresión sexual, violación,
menor, trata de personas). Words match as stems, not whole words: ``SEX`` covers
sexual, sexually, sextortion, sexting; ``MOLEST`` covers molestation.

Ages are read from the text: "victim age 15", "age: 12", "15 y/o", "15-year-old",
"13 or under", "17YRS & UNDER", "under the age of 16", "15 años". Any age under 18
(18 for the "or under" forms) makes the event sensitive.

Ambiguous text is suppressed
----------------------------
When the row's own words cannot rule out a sensitive reading, the event is treated as
sensitive (:data:`AMBIGUOUS`). "Ambiguous" means one of:

* an offence against a person (assault, battery, threats, harassment, kidnapping,
  disturbance, neglect, ...) whose text names a relationship between the people
  (family or household member, partner, ex-, acquaintance, caregiver, son, mother, ...);
* "trafficking" with no drug, weapon or property object named;
* a violated court order of unnamed kind (most are protective orders);
* a missing person, abduction by a relative or custody dispute.

A few common non-sensitive phrases that share a stem are carved out explicitly (minor
injury or damage, child safety seat, domestic animal, drug or animal abuse, runaway
vehicle, baby formula); :data:`EXCEPTIONS` lists them. The test corpora
(``tests/incidents/data/``) measure both sides: every sensitive description is caught,
and the false-suppression rate on ordinary offences is bounded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from copps.incidents import sensitive_words as W

__all__ = ["AMBIGUOUS", "Lexicon", "text_is_sensitive", "text_reason", "normalise"]


class Lexicon:
    """Regular expressions keyed by how the word they start at begins.

    Each entry is ``(trigger, pattern)``: the pattern is tried only at the start of a word that
    begins with ``trigger`` (and must itself begin with it, or with a group or look-around).
    One pass over the words of a text then costs a dictionary look-up per word, where one
    alternation of a hundred ``\b``-led patterns is tried at every character (7 times slower
    on real rows)."""

    def __init__(self, entries: tuple[tuple[str, str], ...]):
        groups: dict[str, list[str]] = {}
        for trigger, pattern in entries:
            if not pattern.startswith((trigger, "(")):
                raise ValueError(f"{pattern!r} does not begin with its trigger {trigger!r}")
            groups.setdefault(trigger, []).append(pattern)
        self.entries = entries
        self._by_trigger = {t: re.compile("|".join(f"(?:{p})" for p in ps)) for t, ps in groups.items()}
        self._lengths = sorted({len(t) for t in groups})

    def finditer(self, text: str, words: list[tuple[int, str]]):
        """Every match, at most one per word, in order."""
        for start, word in words:
            for n in self._lengths:
                if n > len(word):
                    break
                pattern = self._by_trigger.get(word[:n])
                if pattern is not None and (m := pattern.match(text, start)):
                    yield m
                    break

    def search(self, text: str, words: list[tuple[int, str]]) -> str:
        """The first match in ``text``, or ``""``."""
        return next((m.group(0) for m in self.finditer(text, words)), "")


AMBIGUOUS = (
    "an offence against a person naming a relationship; trafficking of no named goods; "
    "a violated court order of unnamed kind"
)

_VOCABULARY = Lexicon(W.VOCABULARY)
_PERSON_OFFENCE = Lexicon(W.PERSON_OFFENCE)
_RELATION = Lexicon(W.RELATION)
_TRAFFICKING = Lexicon(W.TRAFFICKING)
_TRAFFICKED_THING = Lexicon(W.TRAFFICKED_THING)
_COURT_ORDER = Lexicon(W.COURT_ORDER)
_AGES_UNDER_18 = Lexicon(W.AGES_UNDER_18)
_AGES_OR_UNDER = Lexicon(W.AGES_OR_UNDER)
_WORDS = re.compile(r"[A-Z0-9§]+")


def normalise(text: str) -> str:
    """Upper case, accents dropped (doméstica -> DOMESTICA), underscores as spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("_", " ").upper()


def _words(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group(0)) for m in _WORDS.finditer(text)]


def _young(lexicon: Lexicon, text: str, words: list[tuple[int, str]], limit: int) -> bool:
    for m in lexicon.finditer(text, words):
        age = next((g for g in m.groups() if g), None)
        if age is not None and int(age) <= limit:
            return True
    return False


@lru_cache(maxsize=65536)
def text_reason(text: str) -> str:
    """Why ``text`` (one value, or several joined by `` | ``) marks a sensitive offence, or ``""``."""
    if not text:
        return ""
    plain = normalise(text)
    if W.SOLE_CODE.search(plain):
        return "code"
    words = _words(plain)
    if _VOCABULARY.search(plain, words):
        # read again without the phrases that only look sensitive ("minor injury")
        plain = W.EXCEPTIONS.sub(" ", plain)
        words = _words(plain)
        found = _VOCABULARY.search(plain, words)
        if found:
            return f"word: {found.strip()}"
    if _young(_AGES_UNDER_18, plain, words, 17) or _young(_AGES_OR_UNDER, plain, words, 18):
        return "age"
    if _PERSON_OFFENCE.search(plain, words) and _RELATION.search(plain, words):
        return "ambiguous: relationship"
    if _TRAFFICKING.search(plain, words) and not _TRAFFICKED_THING.search(plain, words):
        return "ambiguous: trafficking"
    if _COURT_ORDER.search(plain, words):
        return "ambiguous: court order"
    return ""


def text_is_sensitive(*texts: str) -> bool:
    """True when any text marks a sensitive offence (see the module docstring)."""
    return any(t and text_reason(t) for t in texts)
