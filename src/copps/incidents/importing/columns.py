"""Finding a profile's columns in a file: by name, or by position where a file repeats a name
or has no header line at all.

A column reference is the column's name, ``"#3"`` or ``{ position = 3 }`` in TOML (1 is the
first column). A name that the file's header repeats is refused, naming its positions, rather
than silently read from one copy.
"""

from __future__ import annotations

import re
from collections import defaultdict

from copps.incidents.importing.errors import ImportFailed, ProfileError

__all__ = ["ColumnIndex", "column_ref", "regex"]


def column_ref(value, where: str) -> str:
    """A column named in a profile: its name, ``"#3"`` or ``{ position = 3 }`` -> ``"#3"``."""
    if isinstance(value, dict) and set(value) == {"position"}:
        pos = value["position"]
        if isinstance(pos, int) and not isinstance(pos, bool) and pos >= 1:
            return f"#{pos}"
    elif isinstance(value, str) and value:
        if value.startswith("#") and not (value[1:].isdigit() and int(value[1:]) >= 1):
            raise ProfileError(f'{where}: {value!r} is no column position; write "#1" for the first column')
        return value
    raise ProfileError(f'{where}: expected a column name, "#N" or {{ position = N }} (N from 1), got {value!r}')


def regex(pattern, where: str) -> re.Pattern:
    """A profile's regular expression, case-insensitive, or a ProfileError saying what is wrong."""
    if not isinstance(pattern, str):
        raise ProfileError(f"{where}: expected a regular expression in quotes, got {pattern!r}")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ProfileError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc


class ColumnIndex:
    """The positions of a file's columns (its header, then any columns the profile extracts)."""

    def __init__(self, header: list[str], file_label: str):
        self.header = header
        self.file = file_label
        positions: dict[str, list[int]] = defaultdict(list)
        for i, name in enumerate(header):
            positions[name].append(i)
        self.positions = dict(positions)
        self.repeated = {n: p for n, p in positions.items() if len(p) > 1}

    def problem(self, ref: str) -> str | None:
        """Why ``ref`` names no single column (None when it does, "missing" when it is absent)."""
        if ref.startswith("#") and ref[1:].isdigit() and ref not in self.positions:
            n = int(ref[1:])
            return None if 1 <= n <= len(self.header) else f"{ref}: the file has only {len(self.header)} columns"
        if ref not in self.positions:
            return "missing"
        if ref in self.repeated:
            where = ", ".join(f'"#{i + 1}"' for i in self.repeated[ref])
            copies = len(self.repeated[ref])
            return f"{ref!r} appears {copies} times in the header; name the copy you mean by position: {where}"
        return None

    def check(self, refs, profile_name: str) -> None:
        """Raise ImportFailed naming every reference that finds no single column."""
        found = {r: self.problem(r) for r in set(refs)}
        missing = sorted(r for r, p in found.items() if p == "missing")
        problems = sorted(p for p in found.values() if p and p != "missing")
        if missing:
            problems.insert(
                0,
                f"needs column(s) {', '.join(map(repr, missing))} that the file does not have. "
                f"The file's columns are: {', '.join(self.header)}",
            )
        if problems:
            raise ImportFailed(f"{self.file}: the profile {profile_name!r} " + "; ".join(problems))

    def __getitem__(self, ref: str) -> int:
        if ref in self.positions and ref not in self.repeated:
            return self.positions[ref][0]
        return int(ref[1:]) - 1

    def raw_keys(self) -> list[str]:
        """Names to keep the original row under: a repeated name's later copies get ``#N``."""
        return [name if self.positions[name][0] == i else f"{name}#{i + 1}" for i, name in enumerate(self.header)]
