"""Reading a delimited export as a stream of rows, whatever its encoding and line endings.

Handles gzip, a UTF-8 byte-order mark, Windows-1252 files, CR-only (classic Mac),
CRLF and LF line endings, and comma, tab, semicolon or pipe delimiters.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from copps.incidents.importing.errors import ImportFailed

__all__ = ["open_rows"]

_SNIFF_BYTES = 1 << 16


def _binary(path: Path):
    with path.open("rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else path.open("rb")


def _encoding(head: bytes, declared: str | None) -> str:
    if declared:
        return declared
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the sniff boundary
            return "cp1252"
    return "utf-8"


_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}


def _delimiter(first_line: str, declared: str | None, path: Path) -> str:
    counts = {d: first_line.count(d) for d in _NAMES}
    detected = max(counts, key=counts.get)
    if not declared:
        return detected
    wanted = "\t" if declared in ("\\t", "tab") else declared
    if counts.get(wanted, first_line.count(wanted)) == 0 and counts[detected] > 0:
        # Said as what it is: read with the wrong delimiter, the whole line would be one column and
        # every column the profile names would look missing.
        raise ImportFailed(
            f"{path}:1: delimiter mismatch: the profile says the file is {_NAMES.get(wanted, repr(wanted))}-"
            f"delimited, but its first line has no {_NAMES.get(wanted, repr(wanted))} and "
            f"{counts[detected]} {_NAMES[detected]}s: it looks {_NAMES[detected]}-delimited. Remove "
            f"[profile] delimiter to detect it, or correct it"
        )
    return wanted


@contextmanager
def open_rows(
    path: Path, *, delimiter: str | None = None, encoding: str | None = None, header: list[str] | None = None
):
    """Yield ``(header, rows)`` where rows iterates ``(line_number, values)``.

    ``line_number`` is the file line on which the record ends (the header is line 1),
    which is what a person sees in an editor. ``header`` names the columns of a file that
    has no header line (a CAD snapshot): its first line is then a row.
    """
    try:
        raw = _binary(path)
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot open: {exc.strerror}") from exc
    with raw:
        try:
            head = raw.read(_SNIFF_BYTES)
        except (OSError, EOFError) as exc:
            raise ImportFailed(f"{path}: cannot read: {exc}") from exc
        enc = _encoding(head, encoding)
        stream = io.TextIOWrapper(_Rewound(head, raw), encoding=enc, newline="")
        text_head = head.decode(enc, errors="replace").lstrip("\ufeff")
        first_line = text_head.replace("\r\n", "\n").replace("\r", "\n").split("\n", 1)[0]
        reader = csv.reader(stream, delimiter=_delimiter(first_line, delimiter, path))
        if header is not None:
            header = list(header)
            if not first_line.strip():
                raise ImportFailed(f"{path}: the file is empty")
            stream_head = first_line.lstrip("\ufeff")
            if [h.strip() for h in next(csv.reader([stream_head], delimiter=reader.dialect.delimiter))] == header:
                raise ImportFailed(
                    f"{path}:1: the file has a header line, but the profile gives [profile] header for a file "
                    f"without one: remove header from the profile"
                )
        else:
            try:
                header = [h.strip().lstrip("\ufeff") for h in next(reader)]
            except StopIteration:
                raise ImportFailed(f"{path}: the file is empty") from None
            except UnicodeDecodeError as exc:
                raise ImportFailed(f"{path}: not readable as {enc}: {exc.reason}") from exc
        if any("\x00" in name for name in header):
            raise ImportFailed(f"{path}:1: the header holds a NUL character (byte 0): remove it from the file")

        def rows() -> Iterator[tuple[int, list[str]]]:
            try:
                for values in reader:
                    if not values or (len(values) == 1 and not values[0].strip()):
                        continue  # blank line
                    yield reader.line_num, values
            except UnicodeDecodeError as exc:
                raise ImportFailed(f"{path}:{reader.line_num + 1}: not readable as {enc}: {exc.reason}") from exc
            except csv.Error as exc:
                raise ImportFailed(f"{path}:{reader.line_num}: {exc}") from exc

        yield header, rows()


class _Rewound(io.RawIOBase):
    """A binary stream that first replays the bytes already read for sniffing."""

    def __init__(self, head: bytes, rest):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
