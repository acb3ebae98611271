"""Loading reference files into the gazetteer, and reading it back as a geocoder.

One loader for both kinds of reference data: address points (CSV with coordinate columns,
GeoJSON or a shapefile of points) and street centrelines (GeoJSON or shapefile lines with
TIGER/Line-style address ranges). Which field holds what is found from the usual names
(``FULLNAME``, ``LFROMHN`` ...) unless the caller names it; a field that cannot be found is an
error naming the file and listing its fields.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from copps.geo.features import FeatureFileError, read_features, read_point_rows
from copps.geo.gazetteer.models import AddressPoint, Park, ReferenceLayer, RoadClass, StreetSegment
from copps.geo.geocode import Gazetteer, Segment, parse_address, street_key

__all__ = ["LoadResult", "load_points", "load_streets", "load_parks", "gazetteer", "road_class"]

# Usual field names, tried in order (case-insensitive).
ADDRESS_FIELDS = ("ADDRESS", "FULLADDR", "FULL_ADDRESS", "FULLADDRESS", "ADDR", "SITE_ADDRESS", "ADD_FULL")
NUMBER_FIELDS = ("HOUSE_NUM", "HOUSENUM", "ADD_NUMBER", "ADDNUM", "ADDR_NUM", "NUMBER", "HOUSE_NUMBER", "ST_NUM")
POINT_STREET_FIELDS = ("STREET", "STREET_NAME", "STREETNAME", "FULLNAME", "ST_NAME", "FULL_STREET")
LON_FIELDS = ("LON", "LONGITUDE", "LONG", "X", "POINT_X")
LAT_FIELDS = ("LAT", "LATITUDE", "Y", "POINT_Y")
FULL_NAME_FIELDS = ("FULLNAME", "FULL_NAME", "FULL_STREET", "STREETNAME", "STREET_NAME")
NAME_FIELDS = ("FULLNAME", "FULL_NAME", "STREET", "STREETNAME", "STREET_NAME", "ST_NAME", "NAME")
# Name parts, joined in this order when there is no full-name field (TIGER ADDRFEAT, many counties).
NAME_PARTS = (
    ("PREDIR", "PREDIRABRV", "PRE_DIR", "FEDIRP", "PREFIX"),
    ("NAME", "STREET", "FENAME", "ST_NAME", "STREETNAME"),
    ("SUFTYP", "SUFTYPABRV", "TYPE", "FETYPE", "ST_TYPE", "STREETTYPE", "SUFFIX"),
    ("SUFDIR", "SUFDIRABRV", "SUF_DIR", "FEDIRS", "POSTDIR"),
)
RANGE_FIELDS = {
    "left_from": ("LFROMHN", "LFROMADD", "L_F_ADD", "FROMLEFT", "LEFTFROM", "L_ADD_FROM"),
    "left_to": ("LTOHN", "LTOADD", "L_T_ADD", "TOLEFT", "LEFTTO", "L_ADD_TO"),
    "right_from": ("RFROMHN", "RFROMADD", "R_F_ADD", "FROMRIGHT", "RIGHTFROM", "R_ADD_FROM"),
    "right_to": ("RTOHN", "RTOADD", "R_T_ADD", "TORIGHT", "RIGHTTO", "R_ADD_TO"),
}
# How prominent a street is: a class word (the synthetic city's CLASS), TIGER's MTFCC, or a
# functional class number (1-3 arterial, 4-5 collector, 6-7 local).
CLASS_FIELDS = ("CLASS", "ROAD_CLASS", "ROADCLASS", "STREET_CLASS", "FUNC_CLASS", "FUNCCLASS", "FCLASS", "MTFCC")
_ARTERIAL_WORDS = ("ARTERIAL", "PRIMARY", "SECONDARY", "MAJOR", "HIGHWAY", "FREEWAY", "EXPRESSWAY", "TRUNK", "MOTORWAY")
_MTFCC = {"S1100": RoadClass.ARTERIAL.value, "S1200": RoadClass.ARTERIAL.value, "S1630": RoadClass.COLLECTOR.value}
PARK_NAME_FIELDS = ("NAME", "PARK_NAME", "PARKNAME", "FULLNAME", "SITE_NAME", "LABEL")
ONE_SIDE_FIELDS = {"from": ("FROMHN", "FROMADD", "FROM_ADD"), "to": ("TOHN", "TOADD", "TO_ADD"), "side": ("SIDE",)}
_DIGITS = re.compile(r"^\s*(\d{1,7})(?:\.0+)?\s*$")


@dataclass
class LoadResult:
    """What a load stored, and which features it could not use (with why)."""

    file: str
    name: str
    kind: str
    stored: int = 0
    skipped: list[str] = field(default_factory=list)
    fields: dict[str, str | list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        used = ", ".join(f"{k} <- {v}" for k, v in self.fields.items())
        text = f"{self.file}: {self.stored:,} {self.kind} stored as layer {self.name!r} ({used})"
        if self.skipped:
            text += f"; {len(self.skipped):,} features skipped:"
            text += "".join(f"\n  {why}" for why in self.skipped[:50])
            if len(self.skipped) > 50:
                text += f"\n  ... and {len(self.skipped) - 50:,} more"
        return text


def _pick(path: Path, props: dict, given: str | None, usual: tuple[str, ...], what: str, required=True) -> str | None:
    names = {k.upper(): k for k in props}
    if given:
        if given in props:
            return given
        if given.upper() in names:
            return names[given.upper()]
        raise FeatureFileError(f"{path}: no field {given!r} for {what}; the fields are: {', '.join(props)}")
    for candidate in usual:
        if candidate in names:
            return names[candidate]
    if required:
        raise FeatureFileError(
            f"{path}: cannot tell which field holds {what} (tried {', '.join(usual)}); "
            f"name it with the option; the fields are: {', '.join(props)}"
        )
    return None


def _number(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if value > 0 else None
    m = _DIGITS.match(str(value))
    return int(m[1]) if m and int(m[1]) > 0 else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _replace_layer(path: Path, name: str, kind: str, result: LoadResult) -> ReferenceLayer:
    ReferenceLayer.objects.filter(name=name).delete()
    return ReferenceLayer.objects.create(
        name=name,
        kind=kind,
        file_name=path.name,
        sha256=_sha256(path),
        fields=result.fields,
        loaded_at=timezone.now(),
    )


def load_points(
    path: str | Path,
    *,
    name: str | None = None,
    address_field: str | None = None,
    number_field: str | None = None,
    street_field: str | None = None,
    lon_field: str | None = None,
    lat_field: str | None = None,
) -> LoadResult:
    """Store the address points of ``path`` as the layer ``name`` (default: the file's stem),
    replacing a layer of that name. An address is either one field (``7512 MAPLE CT``) or a
    number field and a street field."""
    path = Path(path)
    name = name or path.stem
    if not path.is_file():
        raise FeatureFileError(f"{path}: no such file")
    if path.suffix.lower() in (".csv", ".txt"):
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), [])
        cols = dict.fromkeys(header, "")
        lon_f = _pick(path, cols, lon_field, LON_FIELDS, "the longitude")
        lat_f = _pick(path, cols, lat_field, LAT_FIELDS, "the latitude")
        features = read_point_rows(path, lon_f, lat_f)
    else:
        features = read_features(path, reproject=True, what="address-point")
    if not features:
        raise FeatureFileError(f"{path}: no features")
    props = features[0][0]
    result = LoadResult(file=str(path), name=name, kind="address points")
    number_f = street_f = address_f = None
    if number_field or (street_field and not address_field):
        number_f = _pick(path, props, number_field, NUMBER_FIELDS, "the house number")
        street_f = _pick(path, props, street_field, POINT_STREET_FIELDS, "the street name")
        result.fields = {"number": number_f, "street": street_f}
    else:
        address_f = _pick(path, props, address_field, ADDRESS_FIELDS, "the address", required=False)
        if address_f is None:
            number_f = _pick(path, props, None, NUMBER_FIELDS, "the house number (or a whole address)")
            street_f = _pick(path, props, None, POINT_STREET_FIELDS, "the street name")
            result.fields = {"number": number_f, "street": street_f}
        else:
            result.fields = {"address": address_f}
    rows = []
    is_csv = path.suffix.lower() in (".csv", ".txt")
    for n, (p, geom) in enumerate(features, start=1):
        i = f"{path.name}:{n + 1}" if is_csv else f"{path.name} feature {n}"  # as a person finds it
        if geom.get("type") != "Point":
            result.skipped.append(f"{i}: a {geom.get('type')}, not a point")
            continue
        lon, lat = (float(v) for v in geom["coordinates"][:2])
        if address_f:
            text = str(p.get(address_f) or "")
            parts = parse_address(text)
            if parts is None or parts.kind != "address":
                result.skipped.append(f"{i}: {address_f} {text!r} is not a house number and street")
                continue
            number, street = parts.number, parts.street
        else:
            number, street, text = _number(p.get(number_f)), street_key(str(p.get(street_f) or "")), ""
            if number is None or not street:
                result.skipped.append(f"{i}: {number_f}/{street_f} {p.get(number_f)!r} {p.get(street_f)!r}")
                continue
            text = f"{number} {p.get(street_f)}"
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            result.skipped.append(f"{i}: ({lon}, {lat}) is not a longitude/latitude")
            continue
        rows.append((number, street, text[:300], lon, lat))
    with transaction.atomic():
        layer = _replace_layer(path, name, ReferenceLayer.Kind.POINTS, result)
        AddressPoint.objects.bulk_create(
            (
                AddressPoint(layer=layer, number=n, street=s[:200], address=t, lon=lo, lat=la)
                for n, s, t, lo, la in rows
            ),
            batch_size=2000,
        )
        layer.features, layer.skipped = len(rows), len(result.skipped)
        layer.save(update_fields=["features", "skipped"])
    result.stored = len(rows)
    return result


def _lines(geom: dict) -> list[list[tuple[float, float]]]:
    if geom.get("type") == "LineString":
        return [[(float(c[0]), float(c[1])) for c in geom["coordinates"]]]
    if geom.get("type") == "MultiLineString":
        return [[(float(c[0]), float(c[1])) for c in part] for part in geom["coordinates"]]
    return []


def load_streets(
    path: str | Path,
    *,
    name: str | None = None,
    name_field: str | None = None,
    ranges: dict[str, str] | None = None,
    class_field: str | None = None,
) -> LoadResult:
    """Store the street centrelines of ``path`` as the layer ``name``, replacing a layer of that
    name. The street name is one field (``FULLNAME``) or the TIGER parts joined (``PREDIR NAME
    SUFTYP SUFDIR``); the ranges are ``LFROMHN/LTOHN/RFROMHN/RTOHN`` (or ``FROMHN/TOHN`` with
    an optional ``SIDE`` of L or R). A segment without ranges is kept: it still gives
    intersections and draws on maps. The road class (``CLASS``, ``MTFCC``, ``FUNC_CLASS`` ...,
    see :func:`road_class`) decides how the base map draws the street; without one every
    street is local."""
    path = Path(path)
    name = name or path.stem
    features = read_features(path, reproject=True, what="centreline")
    if not features:
        raise FeatureFileError(f"{path}: no features")
    props = features[0][0]
    result = LoadResult(file=str(path), name=name, kind="street segments")
    full = _pick(path, props, name_field, FULL_NAME_FIELDS, "the street name", required=bool(name_field))
    parts: list[str] = []
    if full is None:
        found = [_pick(path, props, None, usual, "a name part", False) for usual in NAME_PARTS]
        if found[1] and any(found[i] for i in (0, 2, 3)):
            parts = [f for f in found if f]
        else:
            full = _pick(path, props, None, NAME_FIELDS, "the street name")
    result.fields["name"] = full if full else parts
    given = ranges or {}
    cols = {k: _pick(path, props, given.get(k), usual, k, False) for k, usual in RANGE_FIELDS.items()}
    one = {k: _pick(path, props, given.get(k), usual, k, False) for k, usual in ONE_SIDE_FIELDS.items()}
    if all(cols.values()):
        result.fields.update({k: v for k, v in cols.items() if v})
    elif one["from"] and one["to"]:
        result.fields.update({k: v for k, v in one.items() if v})
    else:
        result.fields["ranges"] = "none (segments give intersections only)"
    klass = _pick(path, props, class_field, CLASS_FIELDS, "the road class", required=bool(class_field))
    if klass:
        result.fields["class"] = klass
    rows = []
    for i, (p, geom) in enumerate(features, start=1):
        label = str(p.get(full) or "") if full else " ".join(str(p.get(f) or "").strip() for f in parts)
        key = street_key(label)
        lines = _lines(geom)
        if not key or not lines:
            result.skipped.append(f"feature {i}: no street name or no line ({label!r}, {geom.get('type')})")
            continue
        left = right = None
        if all(cols.values()):
            left = _span(p.get(cols["left_from"]), p.get(cols["left_to"]))
            right = _span(p.get(cols["right_from"]), p.get(cols["right_to"]))
        elif one["from"] and one["to"]:
            span = _span(p.get(one["from"]), p.get(one["to"]))
            side = str(p.get(one["side"]) or "").strip().upper() if one["side"] else ""
            left = span if side in ("", "L", "LEFT") else None
            right = span if side in ("", "R", "RIGHT") else None
        for line in lines:
            if len(line) < 2:
                continue
            rows.append((key, label.strip()[:300], line, left, right, road_class(p.get(klass) if klass else None)))
    with transaction.atomic():
        layer = _replace_layer(path, name, ReferenceLayer.Kind.STREETS, result)
        StreetSegment.objects.bulk_create(
            (
                StreetSegment(
                    layer=layer,
                    street=key[:200],
                    name=label,
                    coords=[[round(x, 7), round(y, 7)] for x, y in line],
                    left_from=left[0] if left else None,
                    left_to=left[1] if left else None,
                    right_from=right[0] if right else None,
                    right_to=right[1] if right else None,
                    road_class=cls,
                    min_lon=min(x for x, _ in line),
                    min_lat=min(y for _, y in line),
                    max_lon=max(x for x, _ in line),
                    max_lat=max(y for _, y in line),
                )
                for key, label, line, left, right, cls in rows
            ),
            batch_size=1000,
        )
        layer.features, layer.skipped = len(rows), len(result.skipped)
        layer.save(update_fields=["features", "skipped"])
    result.stored = len(rows)
    return result


def load_parks(path: str | Path, *, name: str | None = None, name_field: str | None = None) -> LoadResult:
    """Store the parks (polygons) of ``path`` as the layer ``name``, replacing a layer of that
    name: what the public base map draws in green, named from ``NAME``, ``PARK_NAME`` ... (or
    ``name_field``; a park without a name field is drawn unnamed)."""
    path = Path(path)
    name = name or path.stem
    features = read_features(path, reproject=True, what="park")
    if not features:
        raise FeatureFileError(f"{path}: no features")
    result = LoadResult(file=str(path), name=name, kind="parks")
    label = _pick(path, features[0][0], name_field, PARK_NAME_FIELDS, "the park's name", required=bool(name_field))
    result.fields = {"name": label or "none"}
    rows = []
    for i, (p, geom) in enumerate(features, start=1):
        if geom.get("type") not in ("Polygon", "MultiPolygon"):
            result.skipped.append(f"{path.name} feature {i}: a {geom.get('type')}, not a polygon")
            continue
        rings = geom["coordinates"] if geom["type"] == "Polygon" else [r for poly in geom["coordinates"] for r in poly]
        xs = [float(c[0]) for ring in rings for c in ring]
        ys = [float(c[1]) for ring in rings for c in ring]
        if not xs:
            result.skipped.append(f"{path.name} feature {i}: an empty polygon")
            continue
        rows.append((str(p.get(label) or "").strip()[:300] if label else "", geom, xs, ys))
    with transaction.atomic():
        layer = _replace_layer(path, name, ReferenceLayer.Kind.PARKS, result)
        Park.objects.bulk_create(
            Park(layer=layer, name=n, geometry=g, min_lon=min(xs), min_lat=min(ys), max_lon=max(xs), max_lat=max(ys))
            for n, g, xs, ys in rows
        )
        layer.features, layer.skipped = len(rows), len(result.skipped)
        layer.save(update_fields=["features", "skipped"])
    result.stored = len(rows)
    return result


def road_class(value) -> str:
    """The base map's class of a street from its file's class value: a word (``arterial``,
    ``Primary Road``, ``collector``), a TIGER MTFCC (``S1100``/``S1200`` arterial, ``S1630``
    ramp as collector, the rest local) or a functional class number (1-3 arterial, 4-5
    collector). Anything else, or nothing, is a local street.

    >>> road_class("arterial"), road_class("S1200"), road_class(5), road_class(None)
    ('arterial', 'arterial', 'collector', 'local')
    """
    text = str(value if value is not None else "").strip().upper()
    if not text:
        return RoadClass.LOCAL.value
    if text in _MTFCC:
        return _MTFCC[text]
    if text.isdigit() or re.fullmatch(r"\d+\.0+", text):
        number = int(float(text))
        if 1 <= number <= 3:
            return RoadClass.ARTERIAL.value
        return RoadClass.COLLECTOR.value if number in (4, 5) else RoadClass.LOCAL.value
    if any(word in text for word in _ARTERIAL_WORDS):
        return RoadClass.ARTERIAL.value
    if "COLLECTOR" in text:
        return RoadClass.COLLECTOR.value
    return RoadClass.LOCAL.value


def _span(a, b) -> tuple[int, int] | None:
    lo, hi = _number(a), _number(b)
    return (lo, hi) if lo is not None and hi is not None else None


def gazetteer(layers: list[str] | None = None) -> Gazetteer:
    """The geocoder over the stored layers named (default: every layer)."""
    chosen = ReferenceLayer.objects.all()
    if layers:
        known = set(chosen.values_list("name", flat=True))
        missing = [n for n in layers if n not in known]
        if missing:
            raise FeatureFileError(
                f"no reference layer called {', '.join(missing)}; loaded: {', '.join(sorted(known)) or 'none'} "
                f"(load them with copps geocode load-points / load-streets)"
            )
        chosen = chosen.filter(name__in=layers)
    ids = list(chosen.values_list("id", flat=True))
    points = AddressPoint.objects.filter(layer_id__in=ids).values_list("street", "number", "lon", "lat")
    segments = (
        Segment(
            street,
            tuple((float(c[0]), float(c[1])) for c in coords),
            (lf, lt) if lf is not None and lt is not None else None,
            (rf, rt) if rf is not None and rt is not None else None,
        )
        for street, coords, lf, lt, rf, rt in StreetSegment.objects.filter(layer_id__in=ids).values_list(
            "street", "coords", "left_from", "left_to", "right_from", "right_to"
        )
    )
    return Gazetteer.build(points.iterator(chunk_size=5000), segments)
