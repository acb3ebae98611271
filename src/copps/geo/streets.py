"""Reading a location out of typed text: a street address or an intersection, or nothing.

Public output never copies location text: it rebuilds it from what this module parsed.
:func:`parse_location` accepts only

* ``<house number> <street>`` (the number may carry a letter, a fraction or a range:
  ``4521A``, ``4521 1/2``, ``4521½``, ``4521-4525``; an existing block form ``45XX`` or
  ``4500 BLOCK OF`` is read as a number too); whatever follows the street (a unit ``APT 4``,
  ``#3B``, a city and state, a name) and whatever follows a first comma is dropped; or
* ``<street> / <street>`` (also ``\\``, ``&``, ``AND``): an intersection, each side a street;

where a *street* is an optional direction, one to four name words, a street type from the
USPS suffix list (``ST``, ``AVE``, ``LN``, ``BLVD`` ...) and an optional direction
(``N 5TH AVE``, ``MARTIN LUTHER KING JR BLVD``, ``S KING ST``), a numbered street (``8 AV S``),
a numbered highway (``HWY 50``, ``I-5``, ``US 101``) or one of the few type-less names
(``BROADWAY``). A name word is letters only (or an ordinal, ``5TH``); number words
(two or more: ``FOUR FIVE``), words that only free text uses (``RESIDENCE``, ``BOX``, ``IN``,
``OF`` ...) and any other character (``@``, brackets) make the whole text unreadable, and
unreadable text publishes nothing. Text before the house number ("JANE DOE, 4521 BIRCH LN")
makes it unreadable too.

A bare street with no number ("BIRCH LN") is not a location here: with no number to mark where
the name ends, "JANE DOE BIRCH LN" would read as a street. The one case the grammar cannot tell
apart is a name written *as* the street name between the number and the type
("4521 JANE DOE LN"): copps holds no street list to check it against.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from copps.geo.blocks import INTERSECTION_JOIN

__all__ = ["STREET_TYPES", "NUMBER_WORDS", "Location", "parse_location", "parse_street"]

# USPS Publication 28, Appendix C1 (common street suffixes and their abbreviations), the ones
# police exports use, plus the short forms of Seattle (AV, WY) and others.
STREET_TYPES = frozenset(
    """
    ALY ALLEY ANX ARC ARCADE AV AVE AVENUE AVN BCH BEND BND BLF BLUFF BLVD BOULEVARD BR BRANCH BRG BRIDGE
    BYP BYPASS CIR CIRCLE CIRS CL CLF CLFS CLOSE CMN COMMON CONCOURSE COR CORS COURSE COURT COURTS COVE CRES
    CRESCENT CREST CRK CRSE CRST CSWY CT CTR CTS CURV CURVE CV CRK CROSSING CROSSROAD DR DRIVE DRS DV EST ESTATES
    EXPY EXPRESSWAY EXT EXTENSION FRWY FREEWAY FWY GARDENS GDNS GLN GLEN GRN GREEN GRV GROVE HBR HTS HEIGHTS
    HL HILL HLS HILLS HOLW HOLLOW HWY HIGHWAY HY ISLE JCT KY KNL KNLS LANDING LNDG LN LANE LOOP MALL MDW MDWS
    MEADOWS MEWS ML MNR MANOR MT MTN MOUNT OVAL OVERPASS OPAS PARK PARKWAY PATH PIKE PKWY PKY PL PLACE PLZ
    PLAZA PNE PNES POINT PT PROMENADE PROM PSGE RD ROAD RDG RIDGE ROW RUE RUN SKWY SKYWAY SPG SPRINGS SQ
    SQUARE ST STREET STRA STRAVENUE TER TERR TERRACE TRAIL TRL TRCE TRACE TPKE TURNPIKE TUNL VIA VIADUCT
    VIS VISTA VL VLG VILLAGE VW VIEW WALK WAY WY XING BL BV VI RP RAMP SD XPRS
    """.split()
)
DIRECTIONS = frozenset("N S E W NE NW SE SW NORTH SOUTH EAST WEST NORTHEAST NORTHWEST SOUTHEAST SOUTHWEST".split())
_BOUND = frozenset("NB SB EB WB IB OB".split())  # a carriageway's direction, after the street (ALASKAN WY VI NB)
# Types written before the name: AVENUE H, CALLE REAL, CAMINO DEL MAR.
PREFIX_TYPES = frozenset("AVENUE CALLE CAMINO VIA PASEO".split())
NUMBER_WORDS = frozenset(
    """
    ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN TWELVE THIRTEEN FOURTEEN FIFTEEN SIXTEEN
    SEVENTEEN EIGHTEEN NINETEEN TWENTY THIRTY FORTY FIFTY SIXTY SEVENTY EIGHTY NINETY HUNDRED THOUSAND
    OH NIL NAUGHT HALF DOZEN
    """.split()
)
# Words of free text, never of a street's name.
FREE_TEXT_WORDS = frozenset(
    """
    RESIDENCE RES HOME HOUSE HOUSES APT APTS APARTMENT APARTMENTS UNIT UNITS SUITE STE BOX PO POB POBOX
    BLDG BUILDING FLOOR FL RM ROOM SPC SPACE LOT TRLR ATTN CARE CO OF IN BEHIND NEAR NEXT ACROSS
    FROM OUTSIDE INSIDE BETWEEN CORNER MY HIS HER HERS THEIR OUR YOUR TO AT BY THE OR WITH FOR ON
    OWNER TENANT NEIGHBOR NEIGHBOUR NEIGHBORS FAMILY MR MRS MS MISS DR. PHONE TEL EMAIL MAIL CALL CONTACT
    DRIVEWAY YARD GARAGE BACKYARD PORCH OPPOSITE ABOUT APPROX APPROXIMATELY BLOCK
    """.split()
)
TYPELESS = frozenset("BROADWAY EMBARCADERO BOWERY".split())
_HIGHWAY_PREFIX = frozenset("I IH US SR CR HWY HIGHWAY ROUTE RTE RT INTERSTATE SH FM".split())

_ORDINAL = re.compile(r"^\d{1,3}(?:ST|ND|RD|TH)$")
_NAME_WORD = re.compile(r"^[A-Z](?:[A-Z'-]*[A-Z])?$")
_HOUSE = re.compile(r"^(?P<num>\d{1,6})(?:[A-Z]|½|-\d{1,6}[A-Z]?)?$")
_GLUED = re.compile(r"^(?P<num>\d{1,6})(?P<word>[A-Z]{2,})$")
_FRACTION = re.compile(r"^(?:\d/\d|½|¼|¾)$")
_BLOCK = re.compile(r"^(?P<num>\d{0,4})XX$")
_ALLOWED = re.compile(r"^[A-Z0-9 .,'/\\&#½¼¾-]*$")
_INTERSECTION = re.compile(r"\s*(?:/|\\|&|\bAND\b)\s*")
_HOUSE_FRACTION = re.compile(r"^(\d{1,6})\s*(?:\d/\d|½)\s+")
_HIGHWAY = re.compile(r"^(?P<prefix>[A-Z]{1,10})-(?P<num>\d{1,3}[A-Z]?)$")


@dataclass(frozen=True)
class Location:
    """What was read: a hundred block (``hundred`` and ``street``) or an intersection (``streets``)."""

    hundred: int | None
    street: str
    streets: tuple[str, ...] = ()

    def public(self) -> str:
        """The published form: ``45XX BIRCH LN`` or ``BIRCH LN & OAK ST`` (``geo.blocks``' one join)."""
        if self.streets:
            return INTERSECTION_JOIN.join(self.streets)
        return f"{self.hundred}XX {self.street}"


def _normalise(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("1⁄2", "½")
    text = text.upper()
    # "ST." and "N." are abbreviations: the dots say nothing
    return re.sub(r"(?<=[A-Z])\.", "", text).strip().strip(",").strip()


def _highway(tokens: list[str]) -> bool:
    if len(tokens) == 1:
        m = _HIGHWAY.match(tokens[0])
        return bool(m and m["prefix"] in _HIGHWAY_PREFIX)
    *prefix, number = tokens
    return (
        1 <= len(prefix) <= 2
        and all(p in _HIGHWAY_PREFIX or p in ("STATE", "COUNTY", "ROAD", "FARM", "MARKET") for p in prefix)
        and bool(re.match(r"^\d{1,3}[A-Z]?$", number))
    )


def parse_street(tokens: list[str] | tuple[str, ...]) -> str | None:
    """The street the ``tokens`` name (upper case, single spaces), or None when they do not name one."""
    words = [t for t in tokens if t]
    if not words or len(words) > 8:
        return None
    if _highway(words[:-1] if words[-1] in DIRECTIONS and len(words) > 2 else words):
        return " ".join(words)
    core = list(words)
    if len(core) >= 2 and core[-1] in _BOUND:
        core = core[:-1]
    if core[-1] in DIRECTIONS and (len(core) >= 3 or (len(core) == 2 and core[0] in TYPELESS)):
        core = core[:-1]  # 8 AV S, E ST NW, BROADWAY E
    if core[0] in DIRECTIONS and (len(core) >= 3 or (len(core) == 2 and core[1] in TYPELESS)):
        core = core[1:]  # N 5TH AVE, N BROADWAY
    if len(core) == 1 and core[0] in TYPELESS:
        return " ".join(words)
    if len(core) < 2:
        return None
    if core[-1] in STREET_TYPES:
        name = core[:-1]
    elif core[0] in PREFIX_TYPES and len(core) <= 4:
        name = core[1:]
    else:
        return None
    if len(name) > 5:  # DR MARTIN LUTHER KING JR DR
        return None
    if len(name) == 1 and name[0].isdigit() and len(name[0]) <= 3:
        return " ".join(words)  # a numbered street: 8 AV S
    for word in name:
        if _ORDINAL.match(word):
            continue
        if not _NAME_WORD.match(word) or word in FREE_TEXT_WORDS:
            return None
    if sum(word in NUMBER_WORDS for word in name) > 1:
        return None  # FOUR FIVE BIRCH LN is a house number spelled out; TWO RIVERS DR is a street
    return " ".join(words)


def _address(tokens: list[str]) -> Location | None:
    if not tokens:
        return None
    first, rest = tokens[0], tokens[1:]
    number: int | None = None
    m = _BLOCK.match(first)
    if m:
        number = int(m["num"] or 0) * 100
        if rest[:2] == ["BLOCK", "OF"]:
            rest = rest[2:]
        elif rest[:1] == ["BLOCK"]:
            rest = rest[1:]
    elif _ORDINAL.match(first):
        return None
    elif (m := _HOUSE.match(first)) is not None:
        number = int(m["num"])
        if rest and _FRACTION.match(rest[0]):
            rest = rest[1:]
        elif rest and re.match(r"^[A-Z]$", rest[0]) and len(rest) > 2:
            rest = rest[1:] if rest[0] not in DIRECTIONS else rest  # 4521 A BIRCH LN
        if rest[:2] == ["BLOCK", "OF"]:
            rest = rest[2:]
    elif (m := _GLUED.match(first)) is not None:
        number, rest = int(m["num"]), [m["word"], *rest]  # 4521BIRCH LN
    else:
        return None
    street = _leading_street(rest)
    if street is None:
        return None
    return Location(number // 100, street)


def _leading_street(tokens: list[str]) -> str | None:
    """The shortest street at the start of ``tokens`` (with a direction right after it). What
    follows (a unit, a city and state, or anything else) is dropped, never published."""
    fallback: tuple[str, int] | None = None
    for n in range(1, min(len(tokens), 8) + 1):
        street = parse_street(tokens[:n])
        if street is None:
            continue
        if all(t in DIRECTIONS or t in STREET_TYPES for t in tokens[:n]):
            # S DR (MARTIN LUTHER KING JR DR): a name of directions alone is read last
            fallback = fallback or (street, n)
            continue
        return _extend(tokens, street, n)
    return _extend(tokens, *fallback) if fallback else None


def _extend(tokens: list[str], street: str, n: int) -> str:
    if n < len(tokens) and tokens[n] in STREET_TYPES:  # OAK GLEN RD: a type is no name
        street, n = parse_street(tokens[: n + 1]) or street, n + 1
    if n < len(tokens) and (tokens[n] in DIRECTIONS or tokens[n] in _BOUND):
        return parse_street(tokens[: n + 1]) or street
    return street


@lru_cache(maxsize=65536)
def parse_location(text: str) -> Location | None:
    """The hundred block or intersection ``text`` names, or None when it cannot be read as one."""
    text = _normalise(text or "")
    if not text or not _ALLOWED.match(text):
        return None
    # Only what comes before the first comma is read: a unit, a city or anything after it is dropped.
    main = text.split(",")[0].strip()
    main = _HOUSE_FRACTION.sub(r"\1 ", main)  # 12 1/2 MAIN ST: the fraction is no intersection
    if _INTERSECTION.search(main):
        sides = _INTERSECTION.split(main)
        if len(sides) != 2:
            return None
        streets = [parse_street(side.split()) for side in sides]
        named = tuple(s for s in streets if s is not None)
        return Location(None, "", named) if len(named) == len(streets) else None
    return _address(main.split())
