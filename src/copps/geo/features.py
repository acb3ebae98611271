"""Reading geographic feature files: GeoJSON, KML/KMZ, shapefiles, and CSV files of points.

One reader for every layer copps takes from a department: beat and district polygons
(``copps areas import``) and the geocoding reference data, address points and street
centrelines (``copps geocode load-points`` / ``load-streets``). Every feature comes back as
``(properties, GeoJSON geometry in WGS 84)``; a shapefile whose ``.prj`` names a projected CRS
(a state plane in feet, UTM) is reprojected through pyproj when the caller allows it.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import shapefile  # pyshp
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import mapping, shape

from copps.geo.crs import to_wgs84

__all__ = ["FeatureFileError", "read_features", "read_point_rows"]


class FeatureFileError(ValueError):
    """A feature file copps cannot read, with the reason."""


def read_features(path: Path, *, reproject: bool = False, what: str = "boundary") -> list[tuple[dict, dict]]:
    """(properties, GeoJSON geometry in WGS 84) for each feature of a GeoJSON, KML/KMZ or shapefile.

    A projected shapefile is refused unless ``reproject`` is true, in which case its ``.prj``
    must name the CRS and every coordinate is moved to longitude/latitude."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise FeatureFileError(f"{path}: no such file")
    if suffix in (".geojson", ".json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise FeatureFileError(f"{path}: not valid GeoJSON: {exc}") from exc
        feats = data.get("features") if isinstance(data, dict) else None
        if feats is None:
            raise FeatureFileError(f"{path}: not a GeoJSON FeatureCollection")
        return [(f.get("properties") or {}, f["geometry"]) for f in feats if f.get("geometry")]
    if suffix in (".kml", ".kmz"):
        return _read_kml(path)
    if suffix in (".shp", ".zip"):
        return _read_shapefile(path, reproject)
    raise FeatureFileError(
        f"{path}: unknown {what} format {suffix!r}; use GeoJSON, KML/KMZ or a shapefile (.shp or .zip)"
    )


def _projected_crs(path: Path) -> CRS | None:
    prj = path.with_suffix(".prj")
    if not prj.exists():
        return None
    text = prj.read_text(errors="replace")
    if "PROJCS" not in text or "GEOGCS" in text.split("PROJCS")[0]:
        return None
    try:
        return CRS.from_wkt(text)
    except CRSError as exc:
        raise FeatureFileError(f"{prj}: a projected CRS copps cannot read: {exc}") from exc


def _read_shapefile(path: Path, reproject: bool) -> list[tuple[dict, dict]]:
    crs = _projected_crs(path) if path.suffix.lower() == ".shp" else None
    if crs is not None and not reproject:
        raise FeatureFileError(f"{path}: projected shapefile; reproject it to WGS 84 (EPSG:4326) first")
    try:
        reader = shapefile.Reader(str(path))
    except shapefile.ShapefileException as exc:
        raise FeatureFileError(f"{path}: not a readable shapefile: {exc}") from exc
    with reader:
        names = [f[0] for f in reader.fields[1:]]
        out = [
            (dict(zip(names, rec.record, strict=False)), rec.shape.__geo_interface__)
            for rec in reader.iterShapeRecords()
            if rec.shape.shapeType != shapefile.NULL
        ]
    if crs is None:
        return out
    source = crs.to_wkt()

    def move(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], source))

    return [(props, mapping(shapely.transform(shape(geom), move))) for props, geom in out]


def read_point_rows(path: Path, lon_field: str, lat_field: str) -> list[tuple[dict, dict]]:
    """The rows of a CSV of points as features: properties are the row, the geometry its point.

    A row whose coordinates are blank or not numbers is refused with its line."""
    path = Path(path)
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FeatureFileError(f"{path}: cannot open: {exc.strerror}") from exc
    out = []
    with fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        for name in (lon_field, lat_field):
            if name not in fields:
                raise FeatureFileError(f"{path}: no column {name!r}; the file's columns are: {', '.join(fields)}")
        for row in reader:
            try:
                lon, lat = float(row[lon_field]), float(row[lat_field])
            except (TypeError, ValueError):
                raise FeatureFileError(
                    f"{path}:{reader.line_num}: {lon_field}/{lat_field}: "
                    f"{row[lon_field]!r}, {row[lat_field]!r} are not coordinates"
                ) from None
            out.append((row, {"type": "Point", "coordinates": [lon, lat]}))
    return out


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
        raise FeatureFileError(f"{path}: not valid KML: {exc}") from exc
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
