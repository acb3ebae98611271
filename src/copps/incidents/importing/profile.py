"""Import profiles: how to read one source's export, declared as TOML.

A profile names the file's columns for each copps field, the time zone, the date
format (or lets it be detected), and how the source's offence values map onto the
copps taxonomy. Built-in profiles live in ``copps/incidents/profiles/*.toml``; a
user passes the path of their own. docs/import-profiles.md documents every key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from copps.incidents.importing.columns import column_ref, regex
from copps.incidents.importing.errors import ProfileError
from copps.incidents.importing.extract import Extraction, parse_extractions
from copps.incidents.importing.filters import FilterRule, parse_filters
from copps.incidents.importing.placeholders import Placeholders, parse_placeholders

__all__ = ["Profile", "CategoryRule", "load_profile", "builtin_profiles", "PROFILE_DIR", "FIELDS"]

PROFILE_DIR = Path(__file__).resolve().parent.parent / "profiles"

# copps field -> (required?, help). The right side of [columns] names the file's columns.
FIELDS: dict[str, tuple[bool, str]] = {
    "id": (False, "the source's record id (one row = one offence); without it a row is identified by its content"),
    "incident": (False, "the incident (case) number several rows share: offences and supplements of one incident"),
    "occurred_from": (True, "when it happened (start of the window); a list joins date and time columns"),
    "occurred_to": (False, "end of the window when the time is known only within one"),
    "reported": (False, "when it was reported"),
    "offense": (False, "the offence / call type / collision factor as given; a list joins several columns"),
    "description": (False, "free text searched for sensitive words (never published)"),
    "address": (False, "street address or intersection"),
    "lat": (False, "latitude, WGS 84"),
    "lon": (False, "longitude, WGS 84"),
    "x": (False, "easting in [profile] crs"),
    "y": (False, "northing in [profile] crs"),
    "beat": (False, "the beat named in the file, to check against the beat polygons"),
    "updated": (False, "when the source last changed the record: the newest version wins"),
}
KINDS = ("crime", "call", "collision")
PRECISIONS = ("exact", "day", "month")


@dataclass(frozen=True)
class CategoryRule:
    """``pattern`` (a regular expression, case-insensitive) searched in ``column``
    (default: the offence text) gives ``category``."""

    pattern: re.Pattern
    category: str
    column: str | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    kind: str
    timezone: str
    columns: dict[str, list[str]]
    source: str = ""
    delimiter: str | None = None
    encoding: str | None = None
    crs: str | None = None
    longitude_sign: str | None = None
    # Keep every row unless the profile says otherwise: "merge" folds identical rows into one.
    identical_rows: str = "distinct"
    id_fallback: str | None = None
    address_separator: str = " "
    precision: str = "exact"
    datetime_format: str | None = None
    reported_format: str | None = None
    pad: dict[str, int] = field(default_factory=dict)
    # whether [profile] timezone was written: only a zone the profile names becomes the site's
    timezone_given: bool = True
    unknown_time: dict[str, list[str]] = field(default_factory=dict)
    category_map: dict[str, str] = field(default_factory=dict)
    category_rules: tuple[CategoryRule, ...] = ()
    default_category: str = ""
    sensitive_columns: dict[str, re.Pattern] = field(default_factory=dict)
    # the column names of a file without a header line ([profile] header)
    header: tuple[str, ...] | None = None
    filters: tuple[FilterRule, ...] = ()
    placeholders: Placeholders = field(default_factory=Placeholders)
    extractions: tuple[Extraction, ...] = ()
    path: Path | None = None
    geocode: object | None = None  # importing.geocode.GeocodeSpec: [geocode] finds points from addresses

    def column(self, name: str) -> list[str]:
        return self.columns.get(name, [])

    def file_columns(self) -> set[str]:
        """Every column reference the profile makes (names, or ``#N`` positions), besides the
        columns its extractions make."""
        cols = {c for names in self.columns.values() for c in names}
        cols |= {r.column for r in self.category_rules if r.column}
        cols |= set(self.sensitive_columns)
        cols |= {r.column for r in self.filters}
        cols |= {c for c in self.placeholders.values if c != "*"}
        cols |= set(getattr(self.geocode, "columns", ()))
        return cols - {x.name for x in self.extractions}


def builtin_profiles() -> dict[str, Path]:
    """Name -> path of every built-in profile."""
    return {p.stem: p for p in sorted(PROFILE_DIR.glob("*.toml"))}


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a user's profile by path."""
    builtins = builtin_profiles()
    if name_or_path in builtins:
        path = builtins[name_or_path]
    else:
        path = Path(name_or_path)
        if not path.is_file():
            known = ", ".join(builtins)
            raise ProfileError(
                f"no built-in profile called {name_or_path!r} and no such file. "
                f"Built-in profiles: {known}. A profile file is TOML (see docs/import-profiles.md)."
            )
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from exc
    return parse_profile(data, path)


def _as_list(value, where: str) -> list[str]:
    if isinstance(value, (str, dict)):
        return [column_ref(value, where)]
    if isinstance(value, list) and value:
        return [column_ref(v, where) for v in value]
    raise ProfileError(f"{where}: expected a column name or a list of column names, got {value!r}")


def parse_zone(head: dict, where: str) -> str:
    """``[profile] timezone``: a known IANA zone (UTC when not given)."""
    tz = head.get("timezone", "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProfileError(f"{where}: [profile] timezone = {tz!r} is not a known time zone") from exc
    return tz


def parse_columns(data: dict, fields: dict, where: str, noun: str, as_list=_as_list) -> dict[str, list[str]]:
    """``[columns]``: each key one of ``fields`` (name -> (required, meaning)), each value one or
    more source columns; every required field named."""
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, dict):
        raise ProfileError(f"{where}: missing [columns] table")
    columns = {}
    for key, value in raw_columns.items():
        if key not in fields:
            raise ProfileError(f"{where}: [columns] {key!r} is not {noun}; known: {', '.join(fields)}")
        columns[key] = as_list(value, f"{where}: [columns] {key}")
    for key, (required, text) in fields.items():
        if required and key not in columns:
            raise ProfileError(f"{where}: [columns] needs {key!r} ({text})")
    return columns


def parse_profile(data: dict, path: Path | None = None) -> Profile:
    where = str(path) if path else "profile"
    head = data.get("profile")
    if not isinstance(head, dict):
        raise ProfileError(f"{where}: missing [profile] table")
    kind = head.get("kind")
    if kind == "request":  # 311 service requests: their own fields (importing/requests.py)
        from copps.incidents.importing.requests import parse_request_profile

        return parse_request_profile(data, path)
    if kind not in KINDS:
        raise ProfileError(f"{where}: [profile] kind = {kind!r}; expected one of {', '.join(KINDS)}, or request")
    tz = parse_zone(head, where)
    columns = parse_columns(data, FIELDS, where, "a copps field")
    has_latlon = "lat" in columns and "lon" in columns
    has_xy = "x" in columns and "y" in columns
    if ("lat" in columns) != ("lon" in columns) or ("x" in columns) != ("y" in columns):
        raise ProfileError(f"{where}: [columns] give lat with lon, and x with y")
    crs = head.get("crs")
    if has_xy and not crs:
        raise ProfileError(f'{where}: [columns] x/y need [profile] crs, e.g. crs = "EPSG:26910"')
    from copps.incidents.importing.geocode import parse_geocode_section

    geocode = parse_geocode_section(data, where, columns)
    if not (has_latlon or has_xy or geocode):
        raise ProfileError(
            f"{where}: [columns] needs lat/lon or x/y, or a [geocode] section to find points from addresses"
        )
    identical = head.get("identical_rows", "distinct")
    if identical not in ("merge", "distinct"):
        raise ProfileError(f"{where}: [profile] identical_rows must be merge or distinct")
    precision = head.get("precision", "exact")
    if precision not in PRECISIONS:
        raise ProfileError(f"{where}: [profile] precision must be one of {', '.join(PRECISIONS)}")

    formats = data.get("formats", {})
    cats = data.get("categories", {})
    rules = tuple(
        CategoryRule(
            pattern=regex(r["pattern"], f"{where}: [[categories.rule]] {i + 1}"),
            category=r["category"],
            column=r.get("column"),
        )
        for i, r in enumerate(cats.get("rule", []))
    )
    header = head.get("header")
    if header is not None and not (
        isinstance(header, list) and header and all(isinstance(h, str) and h.strip() for h in header)
    ):
        raise ProfileError(f"{where}: [profile] header must be a list of column names, one per column of the file")
    name = head.get("name") or (path.stem if path else "profile")
    return Profile(
        name=name,
        title=head.get("title", name),
        kind=kind,
        timezone=tz,
        timezone_given="timezone" in head,
        columns=columns,
        source=head.get("source", name),
        delimiter=head.get("delimiter"),
        encoding=head.get("encoding"),
        crs=crs,
        longitude_sign=head.get("longitude_sign"),
        identical_rows=identical,
        id_fallback=head.get("id_fallback"),
        address_separator=head.get("address_separator", " "),
        precision=precision,
        datetime_format=formats.get("datetime"),
        reported_format=formats.get("reported"),
        pad={k: int(v) for k, v in formats.get("pad", {}).items()},
        unknown_time={k: list(v) for k, v in formats.get("unknown", {}).items()},
        category_map={str(k).strip().upper(): v for k, v in cats.get("map", {}).items()},
        category_rules=rules,
        default_category=cats.get(
            "default", "other-crime" if kind == "crime" else f"{kind}-other" if kind == "call" else "collision-pdo"
        ),
        sensitive_columns={
            col: regex(pat, f"{where}: [sensitive.columns] {col}")
            for col, pat in data.get("sensitive", {}).get("columns", {}).items()
        },
        header=tuple(h.strip() for h in header) if header else None,
        filters=parse_filters(data.get("filter", {}), where),
        placeholders=parse_placeholders(data.get("values", {}), where),
        extractions=parse_extractions(data.get("extract", []), where),
        path=path,
        geocode=geocode,
    )
