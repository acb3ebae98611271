"""Service-request profiles (``kind = "request"``): how to read a city's 311 CSV export.

The same TOML profile system as police exports (reader, date detection, time zone), with the
fields of a service request instead of an event. This module only reads and checks rows; the
community room stores them as Open311 service requests (``copps.community.requests_csv``), so
the importer never reaches up into the rooms above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from copps.incidents.importing.datetimes import DateParser, detect_format
from copps.incidents.importing.errors import ImportFailed, ProfileError, RowError
from copps.incidents.importing.profile import parse_columns, parse_zone

__all__ = ["REQUEST_FIELDS", "STATES", "RequestProfile", "RequestRow", "RequestReader", "parse_request_profile"]

# copps field -> (required?, help). [columns] names the file's columns for each.
REQUEST_FIELDS: dict[str, tuple[bool, str]] = {
    "id": (True, "the request's number in the 311 system (becomes the Open311 service_request_id)"),
    "opened": (True, "when the request was made (requested_datetime)"),
    "service_code": (False, "the request type's code; without it the code is made from service_name"),
    "service_name": (False, "the request type as people read it (complaint type)"),
    "status": (False, "the status as the source writes it; [status] maps it to a copps state"),
    "closed": (False, "when it was closed"),
    "updated": (False, "when the source last changed it"),
    "address": (False, "the address as given; public pages show only its hundred block"),
    "zipcode": (False, "postal code"),
    "lat": (False, "latitude, WGS 84"),
    "lon": (False, "longitude, WGS 84"),
    "agency": (False, "the agency responsible"),
    "description": (False, "free text (descriptor); a list joins several columns"),
}
# The copps states a [status] map may name (copps.community.states.State values).
STATES = ("received", "acknowledged", "in_progress", "referred", "closed_fixed", "closed_not_fixed", "reopened")
_CLOSED_WORDS = re.compile(r"\b(closed|completed?|resolved|done)\b", re.IGNORECASE)


@dataclass(frozen=True)
class RequestProfile:
    name: str
    title: str
    timezone: str
    columns: dict[str, list[str]]
    kind: str = "request"
    source: str = ""
    delimiter: str | None = None
    encoding: str | None = None
    datetime_format: str | None = None
    status_map: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def file_columns(self) -> set[str]:
        return {c for names in self.columns.values() for c in names}


@dataclass
class RequestRow:
    """One request as read from the file (times UTC-aware)."""

    line: int
    id: str
    service_code: str
    service_name: str
    state: str
    opened: datetime
    closed: datetime | None
    updated: datetime | None
    address: str
    zipcode: str
    lat: float | None
    lon: float | None
    agency: str
    description: str
    raw: dict


def _as_list(value, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise ProfileError(f"{where}: expected a column name or a list of column names, got {value!r}")


def parse_request_profile(data: dict, path: Path | None = None) -> RequestProfile:
    where = str(path) if path else "profile"
    head = data["profile"]
    tz = parse_zone(head, where)
    columns = parse_columns(data, REQUEST_FIELDS, where, "a service-request field", as_list=_as_list)
    if "service_code" not in columns and "service_name" not in columns:
        raise ProfileError(f"{where}: [columns] needs service_code or service_name (what kind of request)")
    if ("lat" in columns) != ("lon" in columns):
        raise ProfileError(f"{where}: [columns] give lat with lon")
    status_map = {}
    for value, state in data.get("status", {}).get("map", {}).items():
        if state not in STATES:
            raise ProfileError(f"{where}: [status.map] {value!r} = {state!r}; expected one of {', '.join(STATES)}")
        status_map[str(value).strip().upper()] = state
    name = head.get("name") or (path.stem if path else "profile")
    return RequestProfile(
        name=name,
        title=head.get("title", name),
        timezone=tz,
        columns=columns,
        source=head.get("source", name),
        delimiter=head.get("delimiter"),
        encoding=head.get("encoding"),
        datetime_format=data.get("formats", {}).get("datetime"),
        status_map=status_map,
        path=path,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64]


class RequestReader:
    """Built once per file from the profile, the header and the first rows; ``row`` turns one
    line into a RequestRow or the list of what is wrong with it (file, line, column, reason)."""

    def __init__(self, profile: RequestProfile, header: list[str], label: str, samples: list[list[str]]):
        self.p, self.header, self.file, self.width = profile, header, label, len(header)
        index = {name: i for i, name in enumerate(header)}
        missing = sorted(c for c in profile.file_columns() if c not in index)
        if missing:
            raise ImportFailed(
                f"{label}: the profile {profile.name!r} needs column(s) {', '.join(map(repr, missing))} "
                f"that the file does not have. The file's columns are: {', '.join(header)}"
            )
        self.idx = {f: [index[c] for c in cols] for f, cols in profile.columns.items()}
        fmt = profile.datetime_format
        if not fmt:
            values = [self._text("opened", s) for s in samples if len(s) == self.width]
            fmt = detect_format([v for v in values if v][:200])
            if fmt is None:
                raise ImportFailed(
                    f"{label}: opened: cannot detect the date/time format from values like "
                    f"{', '.join(repr(v) for v in values[:3])}; set [formats] datetime in the profile"
                )
        self.dates = DateParser(fmt, profile.timezone)

    def _text(self, field: str, values: list[str], sep: str = " ") -> str:
        return sep.join(v for v in (" ".join(values[i].split()) for i in self.idx.get(field, [])) if v)

    def row(self, line: int, values: list[str]) -> RequestRow | list[RowError]:
        if len(values) != self.width:
            return [RowError(self.file, line, "row", f"has {len(values)} fields, the header has {self.width}")]
        errors: list[RowError] = []

        def err(field: str, reason: str) -> None:
            errors.append(RowError(self.file, line, self.p.columns.get(field, [field])[0], reason))

        for name, value in zip(self.header, values, strict=True):
            if "\x00" in value:
                errors.append(RowError(self.file, line, name, "holds a NUL character (byte 0): remove it"))
        if errors:
            return errors
        request_id = self._text("id", values, "|")[:64]
        if not request_id:
            err("id", "empty: every request needs its number")
        name = self._text("service_name", values)[:200]
        code = self._text("service_code", values)[:64] or _slug(name)
        if not code:
            err(self.p.columns.get("service_code", self.p.columns.get("service_name"))[0], "empty request type")
        times = {}
        for f in ("opened", "closed", "updated"):
            text = self._text(f, values)
            times[f] = None
            if text:
                try:
                    times[f] = self.dates.parse(text)
                except ValueError as exc:
                    err(f, str(exc))
            elif f == "opened":
                err(f, "empty: when the request was made is required")
        lat = lon = None
        if "lat" in self.idx:
            lat, lon = self._number("lat", values, err), self._number("lon", values, err)
            if lat is None or lon is None or (lat == 0 and lon == 0):
                lat = lon = None
            elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
                err("lat", f"{lat}, {lon} is not a latitude, longitude")
        if times["opened"] and times["closed"] and times["closed"] < times["opened"]:
            err("closed", "closed before it was opened")
        if errors:
            return errors
        status = self._text("status", values)
        return RequestRow(
            line=line,
            id=request_id,
            service_code=code,
            service_name=name or code,
            state=self._state(status, times["closed"]),
            opened=times["opened"],
            closed=times["closed"],
            updated=times["updated"],
            address=self._text("address", values)[:300],
            zipcode=self._text("zipcode", values)[:16],
            lat=lat,
            lon=lon,
            agency=self._text("agency", values)[:200],
            description=self._text("description", values, " - ")[:10_000],
            raw=dict(zip(self.header, values, strict=True)),
        )

    def _state(self, status: str, closed: datetime | None) -> str:
        """The profile's [status.map] first; else a closed time or a closing word closes it (as
        fixed: a 311 export says no more), and anything else is received."""
        mapped = self.p.status_map.get(status.upper())
        if mapped:
            return mapped
        if closed is not None or _CLOSED_WORDS.search(status):
            return "closed_fixed"
        return "received"

    def _number(self, field: str, values: list[str], err) -> float | None:
        text = values[self.idx[field][0]].strip()
        if not text or text.upper() in ("NA", "NAN", "NULL", "NONE", "N/A"):
            return None
        try:
            return float(text)
        except ValueError:
            err(field, f"{text!r} is not a number")
            return None
