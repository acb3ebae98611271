"""Row filters: a profile keeps or drops rows by a column's value or pattern, and every row
a filter removes is counted (with its first lines) in the import summary.

```toml
[[filter.drop]]            # test records the RMS trainers left in the export
column = "Incident Number"
pattern = "^PLTEST"
[[filter.keep]]            # only rows that match every keep rule stay
column = "Status"
values = ["APPROVED", "CLOSED"]
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from copps.incidents.importing.columns import ColumnIndex, column_ref, regex
from copps.incidents.importing.errors import ProfileError

__all__ = ["FilterRule", "RowFilter", "parse_filters", "Tally"]

EXAMPLES = 5


@dataclass
class Tally:
    """How often something happened to rows, and the first lines it happened on."""

    count: int = 0
    lines: list[int] = field(default_factory=list)

    def add(self, line: int | None) -> None:
        """Count ``line``; None (a row only sampled to detect formats) is not counted."""
        if line is None:
            return
        self.count += 1
        if len(self.lines) < EXAMPLES:
            self.lines.append(line)

    def describe(self) -> str:
        more = ", ..." if self.count > len(self.lines) else ""
        return f"{self.count:,} (line{'s' if self.count > 1 else ''} {', '.join(map(str, self.lines))}{more})"


@dataclass(frozen=True)
class FilterRule:
    """``drop`` a row whose ``column`` matches, or ``keep`` only rows whose ``column`` matches;
    a match is one of ``values`` (whole value, case-insensitive) or a search for ``pattern``."""

    action: str
    column: str
    pattern: re.Pattern | None = None
    values: frozenset[str] = frozenset()

    def matches(self, text: str) -> bool:
        text = text.strip()
        if self.pattern is not None:
            return bool(self.pattern.search(text))
        return text.upper() in self.values

    @property
    def label(self) -> str:
        test = f"~ /{self.pattern.pattern}/" if self.pattern is not None else f"in {sorted(self.values)}"
        return f"{self.action} {self.column} {test}"


def parse_filters(table, where: str) -> tuple[FilterRule, ...]:
    if not isinstance(table, dict) or set(table) - {"keep", "drop"}:
        raise ProfileError(f"{where}: [filter] holds [[filter.drop]] and [[filter.keep]] rules only")
    rules = []
    for action in ("drop", "keep"):  # drops first: a row a drop rule matches is counted there
        for i, spec in enumerate(table.get(action, [])):
            at = f"{where}: [[filter.{action}]] {i + 1}"
            if not isinstance(spec, dict) or "column" not in spec or ("pattern" in spec) == ("values" in spec):
                raise ProfileError(f"{at}: give a column and either pattern or values")
            values = spec.get("values", [])
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ProfileError(f"{at}: values must be a list of strings")
            rules.append(
                FilterRule(
                    action=action,
                    column=column_ref(spec["column"], at),
                    pattern=regex(spec["pattern"], at) if "pattern" in spec else None,
                    values=frozenset(v.strip().upper() for v in values),
                )
            )
    return tuple(rules)


class RowFilter:
    """Applies a profile's filter rules to a file's rows and counts what each removed."""

    def __init__(self, rules: tuple[FilterRule, ...], columns: ColumnIndex):
        self.rules = [(r, columns[r.column]) for r in rules]
        self.tallies = {r.label: Tally() for r in rules}

    def keeps(self, line: int | None, values: list[str]) -> bool:
        for rule, i in self.rules:
            if rule.matches(values[i]) == (rule.action == "drop"):
                self.tallies[rule.label].add(line)
                return False
        return True

    @property
    def removed(self) -> int:
        return sum(t.count for t in self.tallies.values())

    def report(self) -> list[str]:
        return [f"filter {label}: {t.describe()}" for label, t in self.tallies.items() if t.count]
