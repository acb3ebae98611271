"""Files copps writes and fingerprints: the one CSV writer and the one file digest.

Every CSV file or download copps writes goes through :func:`csv_writer` (or :func:`write_csv`).

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula (CSV injection, OWASP). copps writes text that came from outside — addresses and
descriptions from police exports, rows an import rejected, residents' words — so every text
cell that could start a formula gets a leading apostrophe, which makes it inert. Numbers, and
text that is a plain number (``-87.6``, ``+12.5%``), cannot be formulas and are left as they are.

A file's SHA-256 (:func:`file_sha256`) says whether an import file or a backup is the one seen
before.

Any room may import this module (it knows nothing of Django or the database).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO

__all__ = ["escape_cell", "csv_writer", "write_csv", "file_sha256", "FORMULA_START"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def escape_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made inert with a leading apostrophe.

    >>> escape_cell('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> escape_cell("-2+3"), escape_cell("-87.6"), escape_cell(-3), escape_cell("12XX MAIN ST")
    ("'-2+3", '-87.6', -3, '12XX MAIN ST')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class _EscapingWriter:
    """``csv.writer`` with every cell passed through :func:`escape_cell`."""

    def __init__(self, fh: IO[str], **fmt) -> None:
        self._writer = csv.writer(fh, **fmt)

    def writerow(self, row: Iterable[object]) -> object:
        """Write one row; returns what the file's ``write`` returned (a streamed response's
        pseudo-file hands the line back)."""
        return self._writer.writerow([escape_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: IO[str], **fmt) -> _EscapingWriter:
    """A CSV writer on ``fh`` (``csv.writer``'s format arguments) that escapes formula cells."""
    return _EscapingWriter(fh, **fmt)


def write_csv(path: str | Path, headers: Iterable[object], rows: Iterable[Iterable[object]]) -> None:
    """Write ``headers`` then ``rows`` to ``path`` as UTF-8 CSV, formula cells escaped."""
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        out = csv_writer(fh)
        out.writerow(headers)
        out.writerows(rows)


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file, read in blocks (copps' one file digest: backups and imports)."""
    with Path(path).open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
