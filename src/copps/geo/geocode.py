"""Geocoding against a department's own reference data: address points and street centrelines.

Pure Python (no Django, no I/O): :class:`Gazetteer` is built from plain lists and answers one
address at a time with a :class:`Match` whose ``quality`` says how the point was found:

``point``
    the house number and street are an address point of the reference file;
``range``
    the number falls inside a centreline segment's address range on the side of its parity
    (TIGER/Line ``LFROMHN``-``LTOHN`` / ``RFROMHN``-``RTOHN``): the point is interpolated along
    the segment, on the centreline itself (no side offset);
``intersection``
    ``A / B`` (also ``A & B``, ``A AND B``, ``A \\ B``): the node the two streets share;
``block``
    a hundred block (``75XX MAPLE CT``, ``7500 BLOCK OF MAPLE CT``): the middle of the numbers
    the street's segments hold in that hundred;
``""`` (unmatched)
    with the reason in ``Match.reason``. Nothing is guessed: a street the reference does not hold,
    a number outside every range, two candidates far apart, are all unmatched and said so.

Street names are compared by a normal form (:func:`street_key`): upper case, no dots, directions
as one or two letters (``NORTH`` -> ``N``) where they stand before or after the name, and the
street type as its USPS Publication 28 abbreviation (``AVENUE``/``AV`` -> ``AVE``, ``COURT`` ->
``CT``). We wrote this small normaliser instead of using ``usaddress``: usaddress labels the parts
of an address with a statistical model but does not abbreviate them (the USPS table would still be
ours), may label a rare form differently from one run of the model to the next version, and brings
a native CRF library; copps already reads addresses by a fixed grammar (``copps.geo.streets``, the
block and privacy code) and the geocoder reads them the same plain way.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "QUALITIES",
    "AddressParts",
    "Gazetteer",
    "Match",
    "Segment",
    "parse_address",
    "street_key",
]

QUALITIES = ("point", "range", "intersection", "block")

# USPS Publication 28, Appendix C1: the written forms police and GIS files use -> the standard one.
_TYPES = {
    "ST": "ST STREET STR STRT",
    "AVE": "AVE AVENUE AV AVN AVNUE AVEN",
    "BLVD": "BLVD BOULEVARD BOUL BOULV BL BV",
    "DR": "DR DRIVE DRV DRIV",
    "RD": "RD ROAD",
    "LN": "LN LANE",
    "CT": "CT COURT CRT",
    "PL": "PL PLACE",
    "CIR": "CIR CIRCLE CIRC CIRCL CRCL",
    "TER": "TER TERRACE TERR",
    "WAY": "WAY WY",
    "PKWY": "PKWY PARKWAY PKY PARKWY PKWAY",
    "HWY": "HWY HIGHWAY HIWAY HY",
    "FWY": "FWY FREEWAY FRWY",
    "EXPY": "EXPY EXPRESSWAY EXPW EXP",
    "TRL": "TRL TRAIL",
    "LOOP": "LOOP LP",
    "ALY": "ALY ALLEY ALLY",
    "SQ": "SQ SQUARE SQR",
    "PLZ": "PLZ PLAZA",
    "CRES": "CRES CRESCENT",
    "XING": "XING CROSSING",
    "CV": "CV COVE",
    "GLN": "GLN GLEN",
    "GRV": "GRV GROVE",
    "HTS": "HTS HEIGHTS",
    "PT": "PT POINT",
    "RDG": "RDG RIDGE",
    "VW": "VW VIEW",
    "VIS": "VIS VISTA",
    "TPKE": "TPKE TURNPIKE",
    "CTR": "CTR CENTER CENTRE",
    "HL": "HL HILL",
    "MDWS": "MDWS MEADOWS",
    "RUN": "RUN",
    "PATH": "PATH",
    "PIKE": "PIKE",
    "ROW": "ROW",
    "WALK": "WALK",
    "MALL": "MALL",
    "PASS": "PASS",
}
_STANDARD_TYPES = frozenset(_TYPES)
STREET_TYPE = {written: std for std, forms in _TYPES.items() for written in forms.split()}
DIRECTION = {
    "N": "N", "NORTH": "N", "S": "S", "SOUTH": "S", "E": "E", "EAST": "E", "W": "W", "WEST": "W",
    "NE": "NE", "NORTHEAST": "NE", "NW": "NW", "NORTHWEST": "NW",
    "SE": "SE", "SOUTHEAST": "SE", "SW": "SW", "SOUTHWEST": "SW",
}  # fmt: skip
_ORDINAL_WORDS = {
    "FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD", "FOURTH": "4TH", "FIFTH": "5TH", "SIXTH": "6TH",
    "SEVENTH": "7TH", "EIGHTH": "8TH", "NINTH": "9TH", "TENTH": "10TH",
}  # fmt: skip
# Words that start a unit or what follows the street: everything from them on is dropped.
_UNIT_WORDS = frozenset("APT APARTMENT UNIT STE SUITE SPC SPACE RM ROOM FL FLOOR BLDG LOT TRLR NO".split())
_INTERSECTION = re.compile(r"\s*(?:/|\\|&|@|\bAND\b)\s*")
_NUMBER = re.compile(r"^(?P<num>\d{1,6})(?:-?[A-Z]|\s*1/2|½|-\d{1,6}[A-Z]?)?\s+(?P<rest>.+)$")
_BLOCK = re.compile(r"^(?P<num>\d{0,4})XX\s+(?:BLOCK\s+(?:OF\s+)?)?(?P<rest>.+)$")
_BLOCK_OF = re.compile(r"^(?P<num>\d{1,6})\s+BLOCK\s+(?:OF\s+)?(?P<rest>.+)$")
# Two intersection candidates farther apart than this are two places: unmatched, never averaged.
SAME_PLACE_M = 60.0


def _clean(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"(?<=[A-Za-z])\.", "", text.upper())  # ST. and N. are abbreviations
    return " ".join(text.replace(",", " , ").split())


def street_key(text: str) -> str:
    """The normal form of a street name: ``"North Maple Court"`` -> ``"N MAPLE CT"``.

    >>> street_key("Sunridge Boulevard")
    'SUNRIDGE BLVD'
    >>> street_key("8th av s")
    '8TH AVE S'
    """
    words = [_ORDINAL_WORDS.get(w, w) for w in _clean(text).replace(",", " ").split()]
    return " ".join(_normal_words(words))


def _normal_words(words: list[str]) -> list[str]:
    if not words:
        return words
    words = list(words)
    last = len(words) - 1
    if len(words) >= 3 and words[last] in DIRECTION:
        words[last] = DIRECTION[words[last]]
        last -= 1
    if last >= 1 and words[last] in STREET_TYPE:
        words[last] = STREET_TYPE[words[last]]
    # a leading direction (NORTH MAPLE CT) but not a name of its own (NORTH ST, WEST AVE)
    if words[0] in DIRECTION and len(words) >= 3:
        words[0] = DIRECTION[words[0]]
    return words


@dataclass(frozen=True)
class AddressParts:
    """What an address names: a house (``number``), a hundred block (``block``) or an
    intersection (``streets``); ``street`` is in its normal form."""

    kind: str  # "address", "block" or "intersection"
    street: str = ""
    number: int | None = None
    block: int | None = None  # the hundred: 75 for 75XX
    streets: tuple[str, ...] = ()


def _street_words(text: str) -> list[str]:
    out = []
    for w in text.split(","):
        for word in w.split():
            if word in _UNIT_WORDS or word.startswith("#"):
                return out
            out.append(_ORDINAL_WORDS.get(word, word))
        break  # a comma ends the street: a city, a unit or a note follows
    return out


def parse_address(text: str) -> AddressParts | None:
    """The house, hundred block or intersection ``text`` names; None when there is none.

    >>> parse_address("7512 maple court apt 3")
    AddressParts(kind='address', street='MAPLE CT', number=7512, block=None, streets=())
    >>> parse_address("Maple Ct & Sunridge Blvd").streets
    ('MAPLE CT', 'SUNRIDGE BLVD')
    """
    text = _clean(text or "")
    if not text:
        return None
    main = text.split(" , ")[0] if not _NUMBER.match(text) else text
    if _INTERSECTION.search(main) and not re.match(r"^\d+\s*1/2\b", main):
        sides = _INTERSECTION.split(main)
        if len(sides) != 2:
            return None
        streets = tuple(" ".join(_normal_words(_street_words(s))) for s in sides)
        return AddressParts("intersection", streets=streets) if all(streets) else None
    for pattern, kind in ((_BLOCK, "block"), (_BLOCK_OF, "block"), (_NUMBER, "address")):
        m = pattern.match(main)
        if m:
            words = _normal_words(_street_words(m["rest"]))
            if not words:
                return None
            num = int(m["num"] or 0)
            if kind == "block":
                return AddressParts("block", " ".join(words), block=num // 100 if pattern is _BLOCK_OF else num)
            return AddressParts("address", " ".join(words), number=num)
    return None


@dataclass(frozen=True)
class Segment:
    """One street centreline segment: its street (normal form), its vertices (lon, lat) from the
    FROM end to the TO end, and the house numbers on its left and right (None when absent)."""

    street: str
    coords: tuple[tuple[float, float], ...]
    left: tuple[int, int] | None = None
    right: tuple[int, int] | None = None


@dataclass(frozen=True)
class Match:
    """The answer for one address: ``quality`` ("" when unmatched), the point, and why not."""

    quality: str
    lon: float | None = None
    lat: float | None = None
    reason: str = ""

    @property
    def matched(self) -> bool:
        return bool(self.quality)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[1] + b[1]) / 2)
    return math.hypot((a[0] - b[0]) * 111_320 * math.cos(lat), (a[1] - b[1]) * 110_574)


def _along(coords: Sequence[tuple[float, float]], t: float) -> tuple[float, float]:
    """The point a fraction ``t`` of the way along a polyline (by length)."""
    lengths = [_metres(a, b) for a, b in zip(coords, coords[1:], strict=False)]
    total = sum(lengths)
    if total == 0:
        return coords[0]
    goal, walked = min(max(t, 0.0), 1.0) * total, 0.0
    for (a, b), length in zip(zip(coords, coords[1:], strict=False), lengths, strict=True):
        if walked + length >= goal and length > 0:
            f = (goal - walked) / length
            return (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
        walked += length
    return coords[-1]


def _holds(rng: tuple[int, int] | None, n: int, parity: bool) -> bool:
    if rng is None:
        return False
    lo, hi = min(rng), max(rng)
    if not lo <= n <= hi:
        return False
    # a side whose two ends share a parity holds only that parity (TIGER: odd and even sides)
    return not parity or rng[0] % 2 != rng[1] % 2 or n % 2 == rng[0] % 2


def _fraction(rng: tuple[int, int], n: float) -> float:
    return 0.5 if rng[1] == rng[0] else (n - rng[0]) / (rng[1] - rng[0])


@dataclass
class Gazetteer:
    """An index over address points and centreline segments, answering :meth:`match`."""

    points: dict[tuple[str, int], list[tuple[float, float]]] = field(default_factory=dict)
    segments: dict[str, list[Segment]] = field(default_factory=dict)
    nodes: dict[str, set[tuple[float, float]]] = field(default_factory=dict)
    streets: frozenset[str] = frozenset()
    _loose: dict[str, set[str]] = field(default_factory=dict)
    _untyped: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, points: Iterable[tuple[str, int, float, float]] = (), segments: Iterable[Segment] = ()) -> Gazetteer:
        """From ``(street key, number, lon, lat)`` address points and :class:`Segment` s."""
        gz = cls(points=defaultdict(list), segments=defaultdict(list), nodes=defaultdict(set))
        for street, number, lon, lat in points:
            gz.points[(street, int(number))].append((lon, lat))
        for seg in segments:
            gz.segments[seg.street].append(seg)
            for end in (seg.coords[0], seg.coords[-1]):
                gz.nodes[seg.street].add((round(end[0], 6), round(end[1], 6)))
        gz.streets = frozenset({s for s, _ in gz.points} | set(gz.segments))
        loose: dict[str, set[str]] = defaultdict(set)
        for street in gz.streets:
            loose[_loose_key(street)].add(street)
        gz._loose = dict(loose)
        untyped: dict[str, set[str]] = defaultdict(set)
        for street in gz.streets:
            words = _loose_key(street).split()
            if len(words) >= 2 and words[-1] in _STANDARD_TYPES:
                untyped[" ".join(words[:-1])].add(street)
        gz._untyped = dict(untyped)
        gz.points, gz.segments, gz.nodes = dict(gz.points), dict(gz.segments), dict(gz.nodes)
        return gz

    def __len__(self) -> int:
        return len(self.points) + sum(len(s) for s in self.segments.values())

    def street(self, key: str) -> tuple[str | None, str]:
        """The reference street ``key`` names, or (None, why not). Exact first; then the one
        street with the same name words once directions are set aside (``MAPLE CT`` for
        ``N MAPLE CT`` when only one exists); two candidates are ambiguous, never chosen."""
        if key in self.streets:
            return key, ""
        candidates = self._loose.get(_loose_key(key), set())
        if not candidates and key.split()[-1] not in _STANDARD_TYPES:
            # "OAK AND PINE ST": a street written without its type names the one street of that name
            candidates = self._untyped.get(_loose_key(key), set())
        if len(candidates) == 1:
            return next(iter(candidates)), ""
        if candidates:
            return None, f"{key}: ambiguous, the reference has {', '.join(sorted(candidates))}"
        return None, f"{key}: no such street in the reference data"

    def match(self, text: str) -> Match:
        parts = parse_address(text)
        if parts is None:
            return Match("", reason="not readable as an address, a hundred block or an intersection")
        if parts.kind == "intersection":
            return self._intersection(parts.streets)
        street, why = self.street(parts.street)
        if street is None:
            return Match("", reason=why)
        if parts.kind == "block":
            return self._block(street, parts.block or 0)
        hit = self.points.get((street, parts.number or 0))
        if hit:
            if len(hit) > 1 and max(_metres(hit[0], p) for p in hit) > SAME_PLACE_M:
                return Match("", reason=f"{parts.number} {street}: several address points far apart")
            lon = sum(p[0] for p in hit) / len(hit)
            lat = sum(p[1] for p in hit) / len(hit)
            return Match("point", lon, lat)
        return self._range(street, parts.number or 0)

    def _range(self, street: str, n: int) -> Match:
        found = []
        for seg in self.segments.get(street, ()):
            for rng in (seg.left, seg.right):
                if _holds(rng, n, parity=True):
                    found.append(_along(seg.coords, _fraction(rng, n)))
        if not found:
            return Match("", reason=f"{n} {street}: the number is in no address point and no range of the street")
        if max(_metres(found[0], p) for p in found) > SAME_PLACE_M:
            return Match("", reason=f"{n} {street}: the number is in ranges of segments far apart")
        return Match("range", found[0][0], found[0][1])

    def _block(self, street: str, hundred: int) -> Match:
        lo, hi = hundred * 100, hundred * 100 + 99
        spans = []
        for seg in self.segments.get(street, ()):
            for rng in (seg.left, seg.right):
                if rng and min(rng) <= hi and max(rng) >= lo:
                    spans.append((seg, rng))
        if not spans:
            numbers = sorted(n for (s, n) in self.points if s == street and lo <= n <= hi)
            if numbers:
                pts = [p for n in numbers for p in self.points[(street, n)]]
                return Match("block", sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
            return Match("", reason=f"{hundred}XX {street}: the street has no numbers in that hundred")
        low = max(lo, min(min(r) for _, r in spans))
        high = min(hi, max(max(r) for _, r in spans))
        middle = (low + high) / 2
        for seg, rng in spans:
            if min(rng) <= middle <= max(rng):
                lon, lat = _along(seg.coords, _fraction(rng, middle))
                return Match("block", lon, lat)
        seg, rng = min(spans, key=lambda sr: min(abs(middle - sr[1][0]), abs(middle - sr[1][1])))
        lon, lat = _along(seg.coords, _fraction(rng, middle))
        return Match("block", lon, lat)

    def _intersection(self, streets: tuple[str, ...]) -> Match:
        keys = []
        for key in streets:
            street, why = self.street(key)
            if street is None:
                return Match("", reason=why)
            if street not in self.nodes:
                return Match("", reason=f"{street}: no centreline in the reference data")
            keys.append(street)
        common = self.nodes[keys[0]] & self.nodes[keys[1]]
        if not common:
            return Match("", reason=f"{keys[0]} / {keys[1]}: the streets do not meet in the reference data")
        pts = sorted(common)
        if max(_metres(pts[0], p) for p in pts) > SAME_PLACE_M:
            return Match("", reason=f"{keys[0]} / {keys[1]}: the streets meet at {len(pts)} places")
        return Match("intersection", sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def _loose_key(street: str) -> str:
    words = street.split()
    if len(words) >= 3 and words[-1] in DIRECTION.values():
        words = words[:-1]
    if len(words) >= 2 and words[0] in DIRECTION.values() and words[1] not in _STANDARD_TYPES:
        words = words[1:]
    return " ".join(words)
