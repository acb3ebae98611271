"""Open-data writers: CSV and GeoJSON with a column allow-list and formula escaping.

A writer takes records from the pipeline (:class:`PublicEvent`, count rows) and writes
only the columns on its allow-list; anything else is refused, so a new field cannot
slip into a download unreviewed. Spreadsheets run a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return as a formula (CSV injection), so such
cells get a leading apostrophe (:mod:`copps.files`, the one CSV writer). Numbers are
written as numbers and never escaped.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import fields, is_dataclass

from copps import files
from copps.files import escape_cell

__all__ = ["EVENT_COLUMNS", "COUNT_COLUMNS", "escape_cell", "write_csv", "events_geojson", "ExportError"]

EVENT_COLUMNS = ("kind", "category", "date", "month", "block", "lon", "lat", "district", "beat", "neighbourhood")
COUNT_COLUMNS = ("kind", "month", "sensitive", "category", "district", "count", "suppressed")


class ExportError(ValueError):
    """A column outside the allow-list was asked for."""


def _as_dict(record: object) -> dict:
    if is_dataclass(record) and not isinstance(record, type):
        # shallow: public records hold only plain values, and asdict's deep copy is slow for 5,000 rows
        return {f.name: getattr(record, f.name) for f in fields(record)}
    return dict(record)  # type: ignore[call-overload]


def _check(columns: Sequence[str], allowed: Sequence[str]) -> None:
    extra = [c for c in columns if c not in allowed]
    if extra:
        raise ExportError(f"columns not on the allow-list: {', '.join(extra)}")


def write_csv(records: Iterable[object], columns: Sequence[str], allowed: Sequence[str]) -> str:
    """CSV text of ``records`` with exactly ``columns`` (each must be in ``allowed``)."""
    _check(columns, allowed)
    buf = io.StringIO()
    writer = files.csv_writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        row = _as_dict(record)
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return buf.getvalue()


def events_geojson(events: Iterable[object], columns: Sequence[str] = EVENT_COLUMNS, **extra) -> dict:
    """A GeoJSON FeatureCollection of public events; events without a public location
    have a null geometry. Property strings are formula-escaped like CSV cells, since
    GeoJSON is often opened in a spreadsheet through a converter."""
    _check(columns, EVENT_COLUMNS)
    props = [c for c in columns if c not in ("lon", "lat")]
    features = []
    for event in events:
        row = _as_dict(event)
        geometry = None
        if row.get("lon") is not None and row.get("lat") is not None:
            geometry = {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
        features.append(
            {"type": "Feature", "geometry": geometry, "properties": {c: escape_cell(row.get(c)) for c in props}}
        )
    return {"type": "FeatureCollection", "features": features, **extra}


def geojson_text(collection: dict) -> str:
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
