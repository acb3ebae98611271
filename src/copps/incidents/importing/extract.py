"""Fields cut out of a text column by a regular expression: a profile names the new column,
which the rest of the profile uses like any column of the file.

```toml
[[extract]]
name = "occurred_text"     # then: [columns] occurred_from = "occurred_text"
column = "description"
pattern = 'Occurred: (\\d{1,2}/\\d{1,2}/\\d{4}) at (\\d{4})'
```

The pattern's groups are joined by a space ("1/21/2016 1900"); without groups the whole match
is taken. A row where the pattern finds nothing gets an empty value, counted in the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copps.incidents.importing.columns import ColumnIndex, column_ref, regex
from copps.incidents.importing.errors import ProfileError
from copps.incidents.importing.filters import Tally

__all__ = ["Extraction", "Extractor", "parse_extractions"]


@dataclass(frozen=True)
class Extraction:
    name: str
    column: str
    pattern: re.Pattern


def parse_extractions(entries, where: str) -> tuple[Extraction, ...]:
    if not isinstance(entries, list):
        raise ProfileError(f"{where}: write each extraction as an [[extract]] table")
    out = []
    for i, spec in enumerate(entries):
        at = f"{where}: [[extract]] {i + 1}"
        if not isinstance(spec, dict) or not {"name", "column", "pattern"} <= set(spec):
            raise ProfileError(f"{at}: needs name, column and pattern")
        if not isinstance(spec["name"], str) or not spec["name"].strip() or spec["name"].startswith("#"):
            raise ProfileError(f"{at}: name must be a new column name")
        out.append(Extraction(spec["name"].strip(), column_ref(spec["column"], at), regex(spec["pattern"], at)))
    return tuple(out)


class Extractor:
    """Appends each extraction's value to a row, in profile order."""

    def __init__(self, extractions: tuple[Extraction, ...], columns: ColumnIndex):
        self.steps = [(x, columns[x.column]) for x in extractions]
        self.missed = {x.name: Tally() for x in extractions}
        self.found = dict.fromkeys((x.name for x in extractions), 0)

    def extend(self, line: int | None, values: list[str]) -> list[str]:
        if not self.steps:
            return values
        out = list(values)
        for x, i in self.steps:
            m = x.pattern.search(values[i])
            if m is None:
                out.append("")
                self.missed[x.name].add(line)
                continue
            groups = [g for g in m.groups() if g] if m.groups() else [m.group(0)]
            out.append(" ".join(g.strip() for g in groups))
            if line is not None:
                self.found[x.name] += 1
        return out

    def report(self) -> list[str]:
        return [
            f"extract {name}: found in {self.found[name]:,} rows; not found in {t.describe()}"
            for name, t in self.missed.items()
            if t.count
        ]
