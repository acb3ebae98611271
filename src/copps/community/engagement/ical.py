"""An iCalendar feed (RFC 5545) of public community meetings, written by hand.

The format needs only a few rules, all applied here: lines end in CRLF and are folded at 75
octets (never inside a UTF-8 character) with a leading space on each continuation (§3.1);
TEXT values escape backslash, semicolon, comma and newline (§3.3.11); times are UTC with a
``Z`` (§3.3.5, form #2); every VEVENT has a UID that never changes and a DTSTAMP (§3.6.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

__all__ = ["escape_text", "fold", "utc", "calendar"]

PRODID = "-//copps//Community meetings//EN"
LIMIT = 75  # octets per line, CRLF excluded


def escape_text(value: str) -> str:
    """A TEXT property value: ``\\`` ``;`` ``,`` escaped, newlines as ``\\n`` (RFC 5545 §3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets, CRLF-terminated; continuations start with a space."""
    parts: list[str] = []
    current, size = "", 0
    limit = LIMIT
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
            limit = LIMIT - 1  # the leading space of a continuation line counts
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts) + "\r\n"


def utc(moment: datetime) -> str:
    """A DATE-TIME in UTC form: 20261201T183000Z."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: iCalendar times here are always UTC")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(meetings: Iterable, *, name: str, uid_domain: str, url_for=None) -> str:
    """The VCALENDAR text for ``meetings`` (objects with uid, title, description, place,
    starts_at, ends_at, created_at, updated_at, sequence, cancelled, area)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for m in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{m.uid}@{uid_domain}",
            # DTSTAMP: when this revision was made, so the feed is the same on every fetch
            f"DTSTAMP:{utc(m.updated_at)}",
            f"CREATED:{utc(m.created_at)}",
            f"LAST-MODIFIED:{utc(m.updated_at)}",
            f"SEQUENCE:{m.sequence}",
            f"DTSTART:{utc(m.starts_at)}",
            f"DTEND:{utc(m.ends_at)}",
            f"SUMMARY:{escape_text(m.title)}",
            f"LOCATION:{escape_text(m.place)}",
            f"STATUS:{'CANCELLED' if m.cancelled else 'CONFIRMED'}",
        ]
        description = m.description
        if getattr(m, "area", None) is not None:
            description = f"{m.area.name}\n{description}".strip()
        if description:
            lines.append(f"DESCRIPTION:{escape_text(description)}")
        if url_for is not None:
            lines.append(f"URL:{url_for(m)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
