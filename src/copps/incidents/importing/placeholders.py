"""Placeholder values that mean "not known": a profile names them per column, and they become
missing values (counted in the summary) instead of an address or point that would top every
list of risky places.

```toml
[values]
null = { "Address" = ["OFFSET TO PROTECT PRIVACY", "UNKNOWN"], "*" = ["N/A"] }
null_points = [[37.7749, -122.4194]]   # the station's default point, as [lat, lon] (or [x, y])
```
"""

from __future__ import annotations

from dataclasses import dataclass, field

from copps.incidents.importing.columns import ColumnIndex, column_ref
from copps.incidents.importing.errors import ProfileError
from copps.incidents.importing.filters import Tally

__all__ = ["Placeholders", "Blanker", "parse_placeholders"]

# how close a coordinate pair must be to a placeholder point (degrees or file units)
POINT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Placeholders:
    """Column -> values that mean missing (``*``: every column); points that mean no location."""

    values: dict[str, frozenset[str]] = field(default_factory=dict)
    points: tuple[tuple[float, float], ...] = ()


def parse_placeholders(table, where: str) -> Placeholders:
    if not isinstance(table, dict) or set(table) - {"null", "null_points"}:
        raise ProfileError(f"{where}: [values] holds null = {{ COLUMN = [...] }} and null_points = [[a, b], ...]")
    null = table.get("null", {})
    if not isinstance(null, dict):
        raise ProfileError(f'{where}: [values] null is a table: null = {{ "Address" = ["UNKNOWN"] }}')
    values = {}
    for col, vals in null.items():
        if not isinstance(vals, list) or not all(isinstance(v, str) for v in vals):
            raise ProfileError(f"{where}: [values] null {col!r}: expected a list of strings")
        key = col if col == "*" else column_ref(col, f"{where}: [values] null")
        values[key] = frozenset(v.strip().upper() for v in vals)
    points = []
    for pt in table.get("null_points", []):
        if not (isinstance(pt, list) and len(pt) == 2 and all(isinstance(v, (int, float)) for v in pt)):
            raise ProfileError(f"{where}: [values] null_points: expected pairs of numbers, got {pt!r}")
        points.append((float(pt[0]), float(pt[1])))
    return Placeholders(values, tuple(points))


class Blanker:
    """Turns a file's placeholder values into empty ones and counts each."""

    def __init__(self, placeholders: Placeholders, columns: ColumnIndex):
        width = len(columns.header)
        every = placeholders.values.get("*", frozenset())
        per = {columns[c]: v for c, v in placeholders.values.items() if c != "*"}
        self.by_index = [per.get(i, frozenset()) | every for i in range(width)]
        self.active = any(self.by_index)
        self.names = columns.raw_keys()
        self.points = placeholders.points
        self.tallies: dict[str, Tally] = {}

    def blank(self, line: int | None, values: list[str]) -> list[str]:
        if not self.active:
            return values
        out = values
        for i, marks in enumerate(self.by_index):
            if marks and i < len(values):
                text = values[i].strip()
                if text and text.upper() in marks:
                    if out is values:
                        out = list(values)
                    out[i] = ""
                    self.tallies.setdefault(f"{self.names[i]} = {text!r}", Tally()).add(line)
        return out

    def is_placeholder_point(self, line: int, a: float, b: float) -> bool:
        for pa, pb in self.points:
            if abs(a - pa) <= POINT_TOLERANCE and abs(b - pb) <= POINT_TOLERANCE:
                self.tallies.setdefault(f"point ({pa}, {pb})", Tally()).add(line)
                return True
        return False

    def report(self) -> list[str]:
        return [f"placeholder made missing: {what}: {t.describe()}" for what, t in self.tallies.items()]
