"""JSON records (Socrata rows, GeoJSON features) as one CSV file the importer reads.

The importer reads delimited files; a feed that answers in JSON is written out as CSV first.
Every record becomes one row; the header is every key met, in the order first met. A nested
object's keys are joined with a dot (Socrata's location ``{"latitude": ...}`` becomes
``location.latitude``), a GeoJSON point becomes two columns ``NAME.lon`` and ``NAME.lat`` (an
ArcGIS feature's own point is ``geometry``), and any other list is kept as JSON text.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

__all__ = ["Tabulator", "flatten"]


def _point(value) -> tuple[float, float] | None:
    if isinstance(value, dict) and value.get("type") == "Point":
        coords = value.get("coordinates")
        if isinstance(coords, list) and len(coords) >= 2 and all(isinstance(c, int | float) for c in coords[:2]):
            return float(coords[0]), float(coords[1])
    return None


def flatten(record: dict, prefix: str = "") -> dict[str, str]:
    """One record's values as text, keyed by column name (see the module docstring)."""
    out: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        point = _point(value)
        if point is not None:
            out[f"{name}.lon"], out[f"{name}.lat"] = repr(point[0]), repr(point[1])
        elif isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = json.dumps(value)
        elif value is None:
            out[name] = ""
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = str(value)
    return out


class Tabulator:
    """Collects records page by page in a scratch file (never all in memory), then writes the CSV.
    Used as a context manager, which closes the scratch file however the download ends."""

    def __init__(self, folder: Path):
        self.scratch = folder / "records.jsonl"
        self._fh = self.scratch.open("w", encoding="utf-8")
        self.columns: dict[str, None] = {}  # an ordered set
        self.count = 0

    def __enter__(self) -> Tabulator:
        return self

    def __exit__(self, *exc) -> None:
        self._fh.close()

    def add(self, record: dict[str, str]) -> None:
        for key in record:
            self.columns.setdefault(key)
        self._fh.write(json.dumps(record) + "\n")
        self.count += 1

    def write_csv(self, path: Path) -> Path:
        """The records as CSV at ``path`` (UTF-8). It is the importer's input, never a download a
        person opens, so cells are written as they came (``files.csv_writer`` would prefix an
        apostrophe to text such as ``-- see notes``, changing the value imported)."""
        self._fh.close()
        header = list(self.columns)
        with path.open("w", newline="", encoding="utf-8") as out, self.scratch.open(encoding="utf-8") as rows:
            writer = csv.writer(out)
            writer.writerow(header)
            for line in rows:
                record = json.loads(line)
                writer.writerow([record.get(c, "") for c in header])
        self.scratch.unlink()
        return path
