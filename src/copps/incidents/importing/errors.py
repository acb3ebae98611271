"""What can go wrong in an import, said so a person can find and fix it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RowError", "ImportFailed", "ProfileError"]


@dataclass(frozen=True)
class RowError:
    """One bad value: ``file:line: field: reason``."""

    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


class ProfileError(ValueError):
    """A profile (built-in name or TOML file) that cannot be used, with the reason."""


class ImportFailed(Exception):
    """The file was not imported; nothing was written. ``errors`` lists every bad row; ``result``
    (when the rows were read) holds the counts and preview so far, for the upload page."""

    def __init__(self, message: str, errors: list[RowError] | None = None, result=None):
        super().__init__(message)
        self.errors = errors or []
        self.result = result
