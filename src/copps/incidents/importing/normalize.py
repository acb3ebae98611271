"""One source row -> the normalised values copps stores, or the reasons it cannot be."""

from __future__ import annotations

import calendar
import hashlib
import json
import math
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

from copps.geo.blocks import hundred_block
from copps.incidents.importing.columns import ColumnIndex
from copps.incidents.importing.datetimes import DateParser, detect_format
from copps.incidents.importing.errors import ImportFailed, RowError
from copps.incidents.importing.extract import Extractor
from copps.incidents.importing.filters import RowFilter
from copps.incidents.importing.placeholders import Blanker
from copps.incidents.importing.profile import Profile
from copps.incidents.sensitivity import text_is_sensitive

__all__ = ["Record", "Normalizer", "RECORD_FIELDS"]


@dataclass(slots=True)
class Record:
    line: int
    source_id: str
    row_hash: str
    updated_at: datetime | None
    occurred_from: datetime
    occurred_to: datetime | None
    reported_at: datetime | None
    offense: str
    category_id: int
    sensitive: bool
    address: str
    block_address: str
    lat: float | None
    lon: float | None
    x: float | None
    y: float | None
    source_beat: str
    beat_id: int | None
    district_id: int | None
    neighbourhood_id: int | None
    raw: str
    location: str = ""  # inside / buffer / outside / invalid (copps.incidents.jurisdiction)
    incident_key: str = ""  # the incident several rows (offences, supplements) belong to
    geocode_quality: str = ""  # point / range / ... when [geocode] found the point (importing/geocode.py)


# The staged columns, in Record order (the staging table is built from this).
RECORD_FIELDS = tuple(f.name for f in fields(Record))


class Normalizer:
    """Built once per file from the profile, the header and the first rows."""

    def __init__(
        self,
        profile: Profile,
        header: list[str],
        file_label: str,
        categories: dict[str, tuple[int, bool]],
        samples: list[list[str]],
    ):
        self.p = profile
        self.file = file_label
        self.header = header
        self.width = len(header)
        in_file = ColumnIndex(header, file_label)
        in_file.check([x.column for x in profile.extractions], profile.name)
        self.raw_keys = in_file.raw_keys()
        self.repeated = in_file.repeated
        cols = ColumnIndex(header + [x.name for x in profile.extractions], file_label)
        cols.check(profile.file_columns() | {x.name for x in profile.extractions}, profile.name)
        self.extractor = Extractor(profile.extractions, in_file)
        self.filter = RowFilter(profile.filters, cols)
        self.blanker = Blanker(profile.placeholders, cols)
        self.idx = {f: [cols[c] for c in refs] for f, refs in profile.columns.items()}
        self.rule_idx = [cols[r.column] if r.column else None for r in profile.category_rules]
        self.sensitive_idx = [(cols[c], pat) for c, pat in profile.sensitive_columns.items()]
        samples = [s for s in (self.shape(None, v) for v in samples if len(v) == self.width) if s is not None]
        unknown_codes = {
            c
            for c in [
                *profile.category_map.values(),
                *(r.category for r in profile.category_rules),
                profile.default_category,
            ]
            if c not in categories
        }
        if unknown_codes:
            raise ImportFailed(
                f"{profile.path or profile.name}: unknown taxonomy categories: {', '.join(sorted(unknown_codes))}"
            )
        self.categories = categories
        self._category_cache: dict[tuple, tuple[int, bool]] = {}
        self.dates: dict[str, DateParser] = {}
        for f in ("occurred_from", "occurred_to", "reported", "updated"):
            if f in self.idx:
                self.dates[f] = self._date_parser(f, samples)

    # ----- set-up
    def _joined(self, field: str, values: list[str]) -> str:
        parts = []
        for col_i, name in zip(self.idx[field], self.p.columns[field], strict=False):
            v = values[col_i].strip()
            if name in self.p.pad and v:
                v = v.zfill(self.p.pad[name])
            parts.append(v)
        return " ".join(p for p in parts if p)

    def _date_parser(self, field: str, samples: list[list[str]]) -> DateParser:
        fmt = self.p.reported_format if field == "reported" and self.p.reported_format else self.p.datetime_format
        if not fmt:
            values = [self._joined(field, s) for s in samples if not self._unknown_parts(field, s)]
            values = [v for v in values if v]
            if not values and "occurred_from" in self.dates:
                # Blank in every sampled row (an optional column): assume the main date's format.
                return DateParser(self.dates["occurred_from"].fmt, self.p.timezone)
            fmt = detect_format(values[:200])
            if fmt is None:
                examples = ", ".join(repr(v) for v in values[:3])
                raise ImportFailed(
                    f"{self.file}: {field}: cannot detect the date/time format from values like {examples}; "
                    f'set [formats] datetime in the profile (strftime codes, e.g. "%m/%d/%Y %I:%M:%S %p")'
                )
        return DateParser(fmt, self.p.timezone)

    def _unknown_parts(self, field: str, values: list[str]) -> list[int]:
        """Positions of the field's columns holding an "unknown" marker (SWITRS time 2500)."""
        return [
            i
            for i, (col_i, name) in enumerate(zip(self.idx[field], self.p.columns[field], strict=False))
            if values[col_i].strip() in self.p.unknown_time.get(name, ())
        ]

    # ----- per row
    def shape(self, line: int | None, values: list[str]) -> list[str] | None:
        """The row as the profile reads it: extracted columns appended, filtered (None when a
        filter removes it), placeholders blanked. ``line`` None: a sample, not counted."""
        values = self.extractor.extend(line, values)
        if not self.filter.keeps(line, values):
            return None
        return self.blanker.blank(line, values)

    def report(self) -> list[str]:
        """What the profile's extractions, filters and placeholders did, for the summary."""
        lines = [
            f"column {name!r} appears {len(pos)} times (positions {', '.join(str(i + 1) for i in pos)}); the "
            f'original row keeps each copy, later ones as "{name}#N"'
            for name, pos in self.repeated.items()
        ]
        return lines + self.extractor.report() + self.filter.report() + self.blanker.report()

    def row(self, line: int, values: list[str]) -> Record | list[RowError] | None:
        """The row's Record, its errors, or None when a profile filter removes it."""
        if len(values) != self.width:
            return [RowError(self.file, line, "row", f"has {len(values)} fields, the header has {self.width}")]
        errors: list[RowError] = []

        def err(field: str, reason: str) -> None:
            errors.append(RowError(self.file, line, field, reason))

        # PostgreSQL text cannot hold a NUL (it would abort the whole import there); SQLite could,
        # but a row must be read the same on both databases: it is a bad value, said where it is.
        for name, value in zip(self.header, values, strict=False):
            if "\x00" in value:
                err(name, "holds a NUL character (byte 0), which no text may contain: remove it from the file")
        if errors:
            return errors
        row_hash = hashlib.sha1("\x1f".join(values).encode()).hexdigest()
        raw = json.dumps(dict(zip(self.raw_keys, values, strict=False)), ensure_ascii=False)
        values = self.shape(line, values)
        if values is None:
            return None
        if "id" in self.idx:
            parts = [values[i].strip() for i in self.idx["id"]]
            source_id = "|".join(parts)
            blank = [name for name, part in zip(self.p.columns["id"], parts, strict=True) if not part]
            if blank:
                # A composite id with a blank part identifies nothing: rows sharing the other parts
                # would be merged as one record.
                if self.p.id_fallback == "content":
                    source_id = row_hash  # e.g. police.uk anti-social behaviour rows have no Crime ID
                elif len(parts) > 1:
                    err(blank[0], f"empty part of the id ({' + '.join(self.p.columns['id'])})")
                else:
                    err(blank[0], "empty id")
        else:
            source_id = row_hash
        incident_parts = [values[i].strip() for i in self.idx.get("incident", [])]
        incident_key = "|".join(incident_parts) if all(incident_parts) else ""

        occurred_from, occurred_to = self._occurred(values, err)
        reported_at = self._date(values, "reported", err)
        updated_at = self._date(values, "updated", err)

        offense = " - ".join(v for v in (values[i].strip() for i in self.idx.get("offense", [])) if v)
        category_id, sensitive = self._category(offense, values)
        address = self.p.address_separator.join(
            " ".join(values[i].split()) for i in self.idx.get("address", []) if values[i].strip()
        )
        lat, lon, x, y = self._coords(line, values, err)
        if errors:
            return errors
        beat = values[self.idx["beat"][0]].strip() if "beat" in self.idx else ""
        return Record(
            line,
            source_id,
            row_hash,
            updated_at,
            occurred_from,
            occurred_to,
            reported_at,
            offense[:300],
            category_id,
            sensitive,
            address[:300],
            hundred_block(address)[:300],
            lat,
            lon,
            x,
            y,
            beat[:64],
            None,
            None,
            None,
            raw,
            incident_key=incident_key[:200],
        )

    def _date(self, values: list[str], field: str, err) -> datetime | None:
        if field not in self.idx:
            return None
        text = self._joined(field, values)
        if not text:
            return None
        try:
            return self.dates[field].parse(text)
        except ValueError as exc:
            err(self.p.columns[field][0], str(exc))
            return None

    def _occurred(self, values: list[str], err) -> tuple[datetime | None, datetime | None]:
        cols = self.p.columns["occurred_from"]
        unknown = self._unknown_parts("occurred_from", values) if self.p.unknown_time else None
        if unknown:
            # e.g. SWITRS time 2500: the day is known, the time is not -> the whole day.
            parts = [values[c].strip() for i, c in enumerate(self.idx["occurred_from"]) if i not in unknown]
            try:
                day = datetime.strptime(" ".join(parts), self.dates["occurred_from"].fmt.split(" ")[0])
            except ValueError as exc:
                err(cols[0], f"{' '.join(parts)!r}: {exc}")
                return None, None
            start = day.replace(tzinfo=self.dates["occurred_from"].tz)
            return start.astimezone(UTC), (start + timedelta(days=1, seconds=-1)).astimezone(UTC)
        if not self._joined("occurred_from", values):
            err(cols[0], "empty: when it happened is required")
            return None, None
        start = self._date(values, "occurred_from", err)
        if start is None:
            return None, None
        end = self._date(values, "occurred_to", err)
        if self.p.precision == "month":
            local = start.astimezone(self.dates["occurred_from"].tz)
            days = calendar.monthrange(local.year, local.month)[1]
            end = (local.replace(day=1, hour=0, minute=0, second=0) + timedelta(days=days, seconds=-1)).astimezone(UTC)
        elif self.p.precision == "day":
            local = start.astimezone(self.dates["occurred_from"].tz)
            end = (local.replace(hour=0, minute=0, second=0) + timedelta(days=1, seconds=-1)).astimezone(UTC)
        if end is not None and end < start:
            # said in the file's own zone, so the times read as the person sees them in the file
            tz = self.dates["occurred_from"].tz
            err(
                self.p.columns.get("occurred_to", cols)[0],
                f"ends ({end.astimezone(tz):%Y-%m-%d %H:%M}) before it starts "
                f"({start.astimezone(tz):%Y-%m-%d %H:%M}) ({self.p.timezone} time)",
            )
        return start, end

    def _category(self, offense: str, values: list[str]) -> tuple[int, bool]:
        """(category id, sensitive) — cached on every value that decides them."""
        key = (
            offense,
            *(values[i].strip() for i in self.rule_idx if i is not None),
            *(values[i].strip() for i, _ in self.sensitive_idx),
            *(values[i] for i in self.idx.get("description", [])),
        )
        hit = self._category_cache.get(key)
        if hit is None:
            category_id, cat_sensitive = self.categories[self._classify(offense, values)]
            description = " ".join(values[i] for i in self.idx.get("description", []))
            sensitive = (
                cat_sensitive
                or any(pat.search(values[i].strip()) for i, pat in self.sensitive_idx)
                or text_is_sensitive(offense, description)
            )
            hit = (category_id, bool(sensitive))
            if len(self._category_cache) > 100_000:
                self._category_cache.clear()
            self._category_cache[key] = hit
        return hit

    def _classify(self, offense: str, values: list[str]) -> str:
        code = self.p.category_map.get(offense.upper())
        if code:
            return code
        for rule, col_i in zip(self.p.category_rules, self.rule_idx, strict=False):
            text = values[col_i].strip() if col_i is not None else offense
            if rule.pattern.search(text):
                return rule.category
        return self.p.default_category

    def _coords(self, line: int, values: list[str], err):
        lat, lon, x, y = self._file_coords(values, err)
        pair = (lat, lon) if lat is not None else (x, y)
        if pair[0] is not None and self.blanker.points and self.blanker.is_placeholder_point(line, *pair):
            return None, None, None, None
        return lat, lon, x, y

    def _file_coords(self, values: list[str], err):
        if "lat" in self.idx:
            lat = _number(values[self.idx["lat"][0]], self.p.columns["lat"][0], err)
            lon = _number(values[self.idx["lon"][0]], self.p.columns["lon"][0], err)
            if lat is None or lon is None or (lat == 0 and lon == 0):
                return None, None, None, None
            if self.p.longitude_sign == "west":
                lon = -abs(lon)
            if not -90 <= lat <= 90:
                err(self.p.columns["lat"][0], f"{lat} is not a latitude (-90 to 90)")
            if not -180 <= lon <= 180:
                err(self.p.columns["lon"][0], f"{lon} is not a longitude (-180 to 180)")
            return lat, lon, None, None
        if "x" not in self.idx:
            return None, None, None, None  # no coordinate columns: [geocode] finds the point
        x = _number(values[self.idx["x"][0]], self.p.columns["x"][0], err)
        y = _number(values[self.idx["y"][0]], self.p.columns["y"][0], err)
        if x is None or y is None or (x == 0 and y == 0):
            return None, None, None, None
        return None, None, x, y  # projected to lon/lat per chunk


def _number(text: str, field: str, err) -> float | None:
    text = text.strip()
    if not text or text.upper() in ("NA", "NAN", "NULL", "NONE", "N/A"):
        return None
    try:
        value = float(text)
    except ValueError:
        err(field, f"{text!r} is not a number")
        return None
    return value if math.isfinite(value) else None
