"""Situational crime prevention techniques (Cornish & Clarke's 25), declared in techniques.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Technique", "techniques", "by_code", "choices"]


@dataclass(frozen=True)
class Technique:
    number: int
    code: str
    name: str
    group: str  # group name, e.g. "Increase the effort"


@cache
def techniques() -> tuple[Technique, ...]:
    data = tomllib.loads((Path(__file__).parent / "techniques.toml").read_text())
    out = []
    for group in data["group"]:
        for code, name in group["techniques"]:
            out.append(Technique(len(out) + 1, code, name, group["name"]))
    return tuple(out)


def by_code() -> dict[str, Technique]:
    return {t.code: t for t in techniques()}


def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a form field."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for t in techniques():
        groups.setdefault(t.group, []).append((t.code, f"{t.number}. {t.name}"))
    return list(groups.items())
