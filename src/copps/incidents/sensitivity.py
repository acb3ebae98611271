"""Is this event one whose victim must never be identifiable in public output?

One signal is never enough: a category can be mislabelled at entry. An event is
sensitive when any of these says so:

1. its taxonomy category is sensitive (sex offences, domestic violence, offences
   against children, runaways, human trafficking, domestic-dispute calls);
2. a source flag the profile names (e.g. Chicago's ``Domestic`` column is ``true``);
3. words in the offence text or description (rape, sexual, lewd, indecent,
   molest, incest, domestic, spousal, child, juvenile, minor, California penal
   code sections 261/273.5/288...);
4. a victim age under 18 where the source gives one.
"""

from __future__ import annotations

import re

__all__ = ["SENSITIVE_WORDS", "text_is_sensitive"]

SENSITIVE_WORDS = re.compile(
    r"\b(?:RAPE|RAPED|SEXUAL|SEX|SODOMY|ORAL\s+COP|LEWD|INDECENT|MOLEST\w*|INCEST|"
    r"PORNOGRAPH\w*|CHILD|CHILDREN|JUVENILE|JUV|MINOR|MINORS|DOMESTIC|SPOUS\w*|"
    r"COHABITANT|DV|STALK\w*|TRAFFICKING|PIMP\w*|PANDER\w*|"
    r"ABUSE|261(?:\.5)?|273\.?5|273\s*A|288(?:\.\d)?(?:\s*\(?[A-Z]\)?)?|647\.6|314)\b",
    re.IGNORECASE,
)


def text_is_sensitive(*texts: str) -> bool:
    """True when any text contains a word that marks a sensitive offence."""
    return any(t and SENSITIVE_WORDS.search(t) for t in texts)
