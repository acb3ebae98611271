"""Is this event sensitive? The one definition in copps, from every signal, whatever the importer said.

Sensitive events (sexual offences, domestic violence, juvenile victims, ...) never leave
``publish/`` below district level; the publication pipeline decides each event again with
:func:`is_sensitive` at every rebuild. The importer's ``Event.sensitive`` flag (category, the
profile's flag columns, the offence and description text) is one of its signals: staff pages
audit reads of flagged events, and this function adds the signals only the whole original row
carries.

A category can be mislabelled, a profile can miss a flag column, staff can edit a row:
the pipeline does not trust one signal. An event is sensitive when any of these holds:

1. the importer marked it sensitive (``Event.sensitive``);
2. its taxonomy category is sensitive (``OffenseCategory.sensitive``);
3. its offence text, or any text value of the original row, reads as sensitive
   (:func:`copps.incidents.sensitivity.text_reason`: the code-list vocabulary, ages written
   in the text, and ambiguous wording, which is suppressed); plain numbers are skipped, so
   a distance of 288 feet does not read as penal code 288, and so are the columns that
   say where it happened (address, street, block, premise, beat...), so "MINOR AVE" or a
   "CHILD CARE CENTER" premise does not hide a burglary;
4. the original row has a flag column (domestic, DV, juvenile, sex, sensitive...) set
   (a victim's or suspect's sex or gender column is not a flag);
5. the original row gives a victim age under 18.
"""

from __future__ import annotations

import re
from functools import lru_cache

from copps.incidents.sensitivity import text_is_sensitive

__all__ = ["is_sensitive"]

_FLAG_KEY = re.compile(r"domestic|\bdv\b|sensitive|juvenile|\bjuv\b|sex|minor|child", re.IGNORECASE)
# "Vict Sex" = "X" (unknown) is a person's sex, not a flag.
_GENDER_KEY = re.compile(r"^\W*(?:\w+[\s_-]*)?(?:sex|gender)\W*$|descent", re.IGNORECASE)
# Where it happened: text there names a place, not the offence.
_PLACE_KEY = re.compile(
    r"addr|street|\bst(?:reet)?[\s_-]*name|block|location|intersection|cross|premis|place|\bbeat\b|district|"
    r"\bward\b|\bzip|\bcity\b|\bstate\b|neighbo|\blat|\blon|coord|\bgeo|\bpoint\b|\bx\b|\by\b",
    re.IGNORECASE,
)
_TRUE = {"true", "t", "y", "yes", "1", "x"}
_AGE_KEY = re.compile(r"vic\w*[\s_-]*age|age[\s_-]*(?:of[\s_-]*)?vic", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*[-+]?\d+(?:\.\d+)?\s*$")


@lru_cache(maxsize=4096)
def _key_kind(key: str) -> str:
    if _AGE_KEY.search(key):
        return "age"
    if _GENDER_KEY.search(key):
        return "gender"
    if _FLAG_KEY.search(key):
        return "flag"
    if _PLACE_KEY.search(key):
        return "place"
    return ""


def _raw_is_sensitive(raw: object) -> bool:
    if not isinstance(raw, dict):
        return False
    texts = []
    for key, value in raw.items():
        text = "" if value is None else str(value).strip()
        if not text:
            continue
        kind = _key_kind(str(key))
        numeric = bool(_NUMBER.match(text))
        if kind == "flag" and text.lower() in _TRUE:
            return True
        if kind == "age" and numeric and float(text) < 18:
            return True
        if not numeric and kind not in ("place", "gender"):
            texts.append(text)
    # one search over all the text values (separated so no word spans two values)
    return text_is_sensitive(" | ".join(texts))


def is_sensitive(*, flagged: bool, category_sensitive: bool | None, offense: str, raw: object) -> bool:
    """True when any signal marks the event sensitive (see the module docstring)."""
    return bool(flagged or category_sensitive or text_is_sensitive(offense or "") or _raw_is_sensitive(raw))
