"""Files copps writes and fingerprints: the one CSV writer and the one file digest.

Every CSV file or download copps writes goes through :func:`csv_writer` (or :func:`write_csv`).

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula (CSV injection, OWASP). copps writes text that came from outside — addresses and
descriptions from police exports, rows an import rejected, residents' words — so every text
cell that could start a formula gets a leading apostrophe, which makes it inert. Numbers, and
text that is a plain number (``-87.6``, ``+12.5%``), cannot be formulas and are left as they are.

A file's SHA-256 (:func:`file_sha256`) says whether an import file or a backup is the one seen
before.

:class:`OwnerFolder` keeps a file made for one staff member (an upload waiting to be imported, a
report a job wrote) in a folder of its own under a random 128-bit token, beside a JSON manifest;
only its owner finds it.

Any room may import this module (it knows nothing of Django or the database).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import IO, ClassVar

__all__ = ["escape_cell", "csv_writer", "write_csv", "file_sha256", "FORMULA_START", "OwnerFolder"]

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


_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class OwnerFolder:
    """A dataclass kept as JSON (``MANIFEST``) in its own folder ``root()/<token>``, with the
    ``token`` and ``username`` fields: the folders are owner-only (0700) and never served, and
    :meth:`find` gives a record only to the user it belongs to (anyone else learns nothing: an
    unknown, malformed or foreign token all answer None)."""

    MANIFEST: ClassVar[str]
    token: str
    username: str

    @classmethod
    def root(cls) -> Path:
        raise NotImplementedError

    @classmethod
    def new_folder(cls) -> tuple[str, Path]:
        """A fresh token and its new, empty, owner-only folder."""
        token = secrets.token_hex(16)
        folder = cls.root() / token
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(cls.root(), 0o700)
        return token, folder

    @property
    def folder(self) -> Path:
        return self.root() / self.token

    @classmethod
    def find(cls, token: str, username: str):
        """The record ``token`` of ``username``, or None."""
        if not _TOKEN.match(token or ""):
            return None
        try:
            found = cls(**json.loads((cls.root() / token / cls.MANIFEST).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None
        return found if found.username == username and found.token == token else None

    def save(self) -> None:
        """Write the manifest whole (a reader sees the old one or the new one, never half)."""
        path = self.folder / self.MANIFEST
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        os.replace(tmp, path)
