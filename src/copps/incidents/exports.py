"""The events list's exports for staff: the events matching the list's filters as CSV, GeoJSON
or GeoPackage, with the filters written beside the data.

- CSV goes through the one CSV writer (``copps.files``), which makes formula cells inert. A CSV
  file has nowhere to hold the filters, so they are in the file's name and in the response's
  ``X-Copps-Filters`` header.
- GeoJSON carries them in a ``filters`` member of the FeatureCollection.
- GeoPackage (``pyogrio``, GDAL's writer, readable by QGIS and ArcGIS) carries them in the events
  layer's description and metadata, and in a ``filters`` table.

CSV and GeoJSON are streamed row by row; the GeoPackage is written to a temporary file in
chunks of ``CHUNK`` rows, so memory stays bounded whatever the filters let through. Events
without a point have an empty geometry (and empty lon/lat).
"""

from __future__ import annotations

import json
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from copps.files import csv_writer
from copps.incidents.models import Event

__all__ = ["COLUMNS", "CHUNK", "file_name", "csv_lines", "geojson_chunks", "write_geopackage"]

CHUNK = 2000

# (column name, queryset field): the events list's columns, plus ids, points and the flag.
# Like the list, an export names the block, never the full address.
COLUMNS = (
    ("id", "id"),
    ("occurred_from", "occurred_from"),
    ("occurred_to", "occurred_to"),
    ("kind", "kind"),
    ("category", "category__code"),
    ("category_name", "category__name"),
    ("offense", "offense"),
    ("block", "block_address"),
    ("place", "location"),
    ("beat", "beat__name"),
    ("district", "district__name"),
    ("neighbourhood", "neighbourhood__name"),
    ("sensitive", "sensitive"),
    ("lon", "lon"),
    ("lat", "lat"),
)
_NAMES = [c for c, _ in COLUMNS]
_TIMES = {"occurred_from", "occurred_to"}


def file_name(filters: dict[str, str], ext: str) -> str:
    """``events_kind-crime_from-2014-03-01.csv``: the filters in the name, at most 150 characters."""
    parts = [slugify(f"{k}-{v}") for k, v in filters.items()]
    stem = "_".join(["events", *[p for p in parts if p]])[:150].rstrip("_-")
    return f"{stem}.{ext}"


def _rows(qs: QuerySet[Event]) -> Iterator[dict]:
    fields = [f for _, f in COLUMNS]
    for values in qs.values_list(*fields).iterator(chunk_size=CHUNK):
        row = dict(zip(_NAMES, values, strict=True))
        for name in _TIMES:
            if row[name] is not None:
                row[name] = timezone.localtime(row[name]).isoformat()
        yield row


class _Echo:
    """A pseudo-file whose ``write`` hands the line back, for streaming the CSV writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(qs: QuerySet[Event]) -> Iterator[str]:
    out = csv_writer(_Echo())
    yield out.writerow(_NAMES)
    for row in _rows(qs):
        yield out.writerow(["" if row[n] is None else row[n] for n in _NAMES])


def _feature(row: dict) -> dict:
    point = None
    if row["lon"] is not None and row["lat"] is not None:
        point = {"type": "Point", "coordinates": [round(row["lon"], 6), round(row["lat"], 6)]}
    props = {k: v for k, v in row.items() if k not in ("lon", "lat")}
    return {"type": "Feature", "geometry": point, "properties": props}


def geojson_chunks(qs: QuerySet[Event], filters: dict[str, str], count: int) -> Iterator[str]:
    head = {"type": "FeatureCollection", "filters": filters, "count": count}
    yield json.dumps(head)[:-1] + ', "features": ['
    for i, row in enumerate(_rows(qs)):
        yield ("," if i else "") + "\n" + json.dumps(_feature(row))
    yield "\n]}\n"


def _wkb(lon: float | None, lat: float | None) -> bytes | None:
    return None if lon is None or lat is None else struct.pack("<BIdd", 1, 1, lon, lat)


def _columns(rows: list[dict]) -> list[np.ndarray]:
    arrays = []
    for name in _NAMES[:-2]:  # lon and lat are the geometry (and kept as columns too below)
        values = [r[name] for r in rows]
        if name == "id":
            arrays.append(np.array(values, dtype=np.int64))
        elif name == "sensitive":
            arrays.append(np.array(values, dtype=bool))
        else:
            arrays.append(np.array(["" if v is None else v for v in values], dtype=object))
    for name in ("lon", "lat"):
        arrays.append(np.array([np.nan if r[name] is None else r[name] for r in rows], dtype=np.float64))
    return arrays


def write_geopackage(qs: QuerySet[Event], filters: dict[str, str], folder: Path) -> Path:
    """Write the events to ``folder/events.gpkg`` (layer ``events``, points in WGS 84, plus a
    ``filters`` table) and return its path."""
    import pyogrio.raw

    path = folder / "events.gpkg"
    described = "; ".join(f"{k}: {v}" for k, v in filters.items()) or "none (every event)"
    first = {
        "layer_metadata": {"copps_filters": json.dumps(filters)},
        "layer_options": {"DESCRIPTION": f"copps events. Filters: {described}"},
    }
    chunk: list[dict] = []
    written = False

    def flush() -> None:
        nonlocal written
        geometry = np.array([_wkb(r["lon"], r["lat"]) for r in chunk], dtype=object)
        pyogrio.raw.write(
            str(path),
            geometry,
            _columns(chunk),
            _NAMES,
            layer="events",
            driver="GPKG",
            geometry_type="Point",
            crs="EPSG:4326",
            append=written,
            **({} if written else first),
        )
        written = True
        chunk.clear()

    for row in _rows(qs):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    if chunk or not written:
        flush()
    items = list(filters.items()) or [("filters", "none (every event)")]
    pyogrio.raw.write(
        str(path),
        None,
        [np.array([k for k, _ in items], dtype=object), np.array([v for _, v in items], dtype=object)],
        ["filter", "value"],
        layer="filters",
        driver="GPKG",
        append=True,
    )
    return path


def temporary_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="copps-export-")
