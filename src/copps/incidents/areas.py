"""Beats, districts and neighbourhoods: loading their polygons and assigning events to them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapefile  # pyshp
import shapely
from django.db import connection, transaction
from shapely.geometry import mapping, shape

from copps.geo.areas import AreaIndex
from copps.incidents.models import Area, Event

__all__ = [
    "AreaFileError",
    "AreaImportResult",
    "read_features",
    "import_areas",
    "area_indexes",
    "assign_events",
    "EVENT_FIELD",
]

# Area type -> the Event column that holds the assignment.
EVENT_FIELD = {
    Area.Type.BEAT: "beat_id",
    Area.Type.DISTRICT: "district_id",
    Area.Type.NEIGHBOURHOOD: "neighbourhood_id",
}


class AreaFileError(ValueError):
    """A boundary file copps cannot read, with the reason."""


@dataclass
class AreaImportResult:
    file: str
    type: str
    created: int = 0
    updated: int = 0
    assigned: int = 0
    outside: int = 0
    compared: int = 0
    agreeing: int = 0
    locations: dict | None = None  # location status -> events, after the jurisdiction changed
    jurisdiction: str = ""

    @property
    def agreement(self) -> float | None:
        return self.agreeing / self.compared if self.compared else None

    def summary(self) -> str:
        text = f"{self.file}: {self.created} {self.type} areas created, {self.updated} updated"
        if self.type in EVENT_FIELD:
            text += f"; {self.assigned:,} events assigned, {self.outside:,} geocoded events outside every {self.type}"
        if self.agreement is not None:
            text += (
                f"; the area holding the point agrees with the {self.type} named in the source row for "
                f"{self.agreeing:,} of {self.compared:,} events ({self.agreement:.2%})"
            )
        if self.locations is not None:
            from copps.incidents.jurisdiction import describe_counts

            text += f"\njurisdiction: {self.jurisdiction}; events: {describe_counts(self.locations)}"
        return text


def read_features(path: Path) -> list[tuple[dict, dict]]:
    """(properties, GeoJSON geometry in WGS 84) for each feature of a GeoJSON, KML/KMZ or shapefile."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise AreaFileError(f"{path}: no such file")
    if suffix in (".geojson", ".json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise AreaFileError(f"{path}: not valid GeoJSON: {exc}") from exc
        feats = data.get("features") if isinstance(data, dict) else None
        if feats is None:
            raise AreaFileError(f"{path}: not a GeoJSON FeatureCollection")
        return [(f.get("properties") or {}, f["geometry"]) for f in feats if f.get("geometry")]
    if suffix in (".kml", ".kmz"):
        return _read_kml(path)
    if suffix in (".shp", ".zip"):
        return _read_shapefile(path)
    raise AreaFileError(
        f"{path}: unknown boundary format {suffix!r}; use GeoJSON, KML/KMZ or a shapefile (.shp or .zip)"
    )


def _read_shapefile(path: Path) -> list[tuple[dict, dict]]:
    prj = path.with_suffix(".prj")
    if prj.exists() and "GEOGCS" not in prj.read_text().split("PROJCS")[0] and "PROJCS" in prj.read_text():
        raise AreaFileError(f"{path}: projected shapefile; reproject it to WGS 84 (EPSG:4326) first")
    try:
        reader = shapefile.Reader(str(path))
    except shapefile.ShapefileException as exc:
        raise AreaFileError(f"{path}: not a readable shapefile: {exc}") from exc
    with reader:
        names = [f[0] for f in reader.fields[1:]]
        return [
            (dict(zip(names, rec.record, strict=False)), rec.shape.__geo_interface__)
            for rec in reader.iterShapeRecords()
        ]


_KML = "{http://www.opengis.net/kml/2.2}"


def _read_kml(path: Path) -> list[tuple[dict, dict]]:
    if path.suffix.lower() == ".kmz":
        with zipfile.ZipFile(path) as zf:
            text = zf.read(next(n for n in zf.namelist() if n.endswith(".kml")))
    else:
        text = path.read_bytes()
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise AreaFileError(f"{path}: not valid KML: {exc}") from exc
    ns = _KML if root.tag.startswith(_KML) else ""
    out = []
    for pm in root.iter(f"{ns}Placemark"):
        props = {}
        name = pm.find(f"{ns}name")
        if name is not None and name.text:
            props["name"] = name.text.strip()
        for data in pm.iter(f"{ns}Data"):
            value = data.find(f"{ns}value")
            props[data.get("name")] = value.text.strip() if value is not None and value.text else ""
        for sd in pm.iter(f"{ns}SimpleData"):
            props[sd.get("name")] = (sd.text or "").strip()
        polys = []
        for poly in pm.iter(f"{ns}Polygon"):
            rings = []
            for tag in ("outerBoundaryIs", "innerBoundaryIs"):
                for b in poly.findall(f"{ns}{tag}"):
                    coords = b.find(f".//{ns}coordinates")
                    rings.append([tuple(map(float, c.split(",")[:2])) for c in coords.text.split()])
            polys.append(shapely.Polygon(rings[0], rings[1:]))
        if polys:
            geom = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
            out.append((props, mapping(geom)))
    return out


def _key(value) -> str:
    """Compare beat names the way people write them: '0421', '421 ', '421' are the same beat."""
    text = str(value).strip().upper()
    return text.lstrip("0") or text


def import_areas(
    path: Path,
    *,
    type: str,
    name_field: str,
    code_field: str | None = None,
    parent_field: str | None = None,
    parent_type: str | None = None,
) -> AreaImportResult:
    """Create or update areas of ``type`` from a boundary file and (re)assign every event."""
    features = read_features(path)
    if not features:
        raise AreaFileError(f"{path}: no polygon features")
    fields = set(features[0][0])
    for label, f in (("--name-field", name_field), ("--code-field", code_field), ("--parent-field", parent_field)):
        if f and f not in fields:
            raise AreaFileError(
                f"{path}: {label} {f!r} is not a property of the features; they have: {', '.join(sorted(fields))}"
            )
    result = AreaImportResult(file=str(path), type=type)
    # Several features may carry one code (a beat drawn in two parts): they make one area.
    grouped: dict[str, list] = {}
    for props, geometry in features:
        code = str(props[code_field or name_field]).strip()
        geom = shape(geometry)
        grouped.setdefault(code, [props, []])[1].append(geom if geom.is_valid else shapely.make_valid(geom))
    parents = {_key(a.code): a for a in Area.objects.filter(type=parent_type)} if parent_type else {}
    with transaction.atomic():
        for code, (props, parts) in grouped.items():
            geom = parts[0] if len(parts) == 1 else shapely.union_all(parts)
            minx, miny, maxx, maxy = geom.bounds
            parent = parents.get(_key(props[parent_field])) if parent_field else None
            _, created = Area.objects.update_or_create(
                type=type,
                code=code,
                defaults={
                    "name": str(props[name_field]).strip(),
                    "geometry": mapping(geom),
                    "parent": parent,
                    "min_lon": minx,
                    "min_lat": miny,
                    "max_lon": maxx,
                    "max_lat": maxy,
                },
            )
            result.created += created
            result.updated += not created
        if type in EVENT_FIELD:
            assign_events(type, result)
        # the jurisdiction is the city limits, else the union of the areas: either may have moved
        from copps.incidents import jurisdiction

        result.locations = dict(jurisdiction.recompute())
        judged = jurisdiction.current()
        result.jurisdiction = judged.label if judged else "none yet (no geocoded events)"
    return result


def area_indexes(types=None) -> dict[str, AreaIndex]:
    """Event column -> point-in-polygon index over the areas of that type."""
    out = {}
    for type_, column in EVENT_FIELD.items():
        if types and type_ not in types:
            continue
        areas = list(Area.objects.filter(type=type_).values_list("id", "geometry"))
        if areas:
            out[column] = AreaIndex([a[0] for a in areas], [shape(a[1]) for a in areas])
    return out


def assign_events(type: str, result: AreaImportResult | None = None, chunk: int = 50_000) -> AreaImportResult:
    """Assign every geocoded event to the area of ``type`` holding it (one UPDATE per area and chunk)."""
    result = result or AreaImportResult(file="", type=type)
    column = EVENT_FIELD[type]
    index = area_indexes([type]).get(column)
    codes = {a.id: _key(a.code) for a in Area.objects.filter(type=type)} | {None: None}
    names = {a.id: _key(a.name) for a in Area.objects.filter(type=type)}
    table = Event._meta.db_table
    last_id = 0
    while True:
        rows = list(
            Event.objects.filter(id__gt=last_id, lat__isnull=False)
            .order_by("id")
            .values_list("id", "lon", "lat", "source_beat")[:chunk]
        )
        if not rows:
            break
        last_id = rows[-1][0]
        ids = np.array([r[0] for r in rows])
        keys = (
            index.lookup(np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))
            if index
            else np.full(len(rows), None)
        )
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {table} SET {column} = NULL WHERE id BETWEEN %s AND %s", [int(ids[0]), int(last_id)])
            for key in set(keys) - {None}:
                members = [int(i) for i in ids[keys == key]]
                for start in range(0, len(members), 900):
                    part = members[start : start + 900]
                    cur.execute(
                        f"UPDATE {table} SET {column} = %s WHERE id IN ({', '.join(['%s'] * len(part))})", [key, *part]
                    )
        result.assigned += int(sum(k is not None for k in keys))
        result.outside += int(sum(k is None for k in keys))
        if type == Area.Type.BEAT:
            for (_, _, _, named), key in zip(rows, keys, strict=False):
                if named.strip():
                    result.compared += 1
                    result.agreeing += key is not None and _key(named) in (codes[key], names[key])
    return result
