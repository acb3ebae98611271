"""The columnar path: a chunk of rows normalised column by column, giving the same rows as
``Normalizer.row`` (normalize.py) does one row at a time.

Each column is worked on as a whole list: values are stripped and joined once per column,
dates are parsed once per distinct value (numeric formats by numpy, for the values strptime
reads the same way; the rest with the very ``DateParser`` the row path uses),
offences are mapped to categories once per distinct combination of the values that decide
it, addresses are cut to hundred blocks once per distinct address, and coordinates are
cast to floats by numpy. No ``Record`` is built for a good row: the chunk stays a set of
columns, placed (run.py ``_Geo.apply_columns``) and staged (store.py ``Stage.write_columns``)
as columns.

A row this path cannot decide by itself — a row of the wrong width, a NUL character, a blank
id or date, a date no format reads, an unknown-time marker, a number that is no number, a
coordinate out of range, an end before the start — goes to ``Normalizer.row``, which gives
it its record or its errors exactly as it would have on the row path. Bad rows are thus
always reported by the row path's own code, in file order.

Profiles whose ``[extract]``, ``[filter]``, ``[values]`` or ``[geocode]`` sections rewrite
or drop rows before they are read are imported on the row path (``unsupported``).
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from datetime import UTC, timedelta

import numpy as np

from copps.geo.blocks import hundred_block
from copps.incidents.importing.errors import RowError
from copps.incidents.importing.normalize import RECORD_FIELDS, Normalizer, Record, _number
from copps.incidents.importing.profile import Profile

__all__ = ["PATHS", "Columns", "ColumnarNormalizer", "unsupported", "choose_path"]

PATHS = ("auto", "columnar", "row")

Columns = dict  # field name (RECORD_FIELDS) -> list of values, one per good row


def unsupported(profile: Profile) -> list[str]:
    """The profile's sections that only the row path applies (empty when the columnar path
    gives the same rows)."""
    found = []
    if profile.extractions:
        found.append("[[extract]]")
    if profile.filters:
        found.append("[filter]")
    if profile.placeholders.values or profile.placeholders.points:
        found.append("[values]")
    if profile.geocode is not None:
        found.append("[geocode]")
    return found


def choose_path(profile: Profile, wanted: str) -> tuple[str, str]:
    """(the path an import takes, why) for ``wanted`` in PATHS; raise ValueError when the
    columnar path is asked for a profile it cannot read."""
    if wanted not in PATHS:
        raise ValueError(f"--path must be one of {', '.join(PATHS)}, got {wanted!r}")
    blocking = unsupported(profile)
    if wanted == "row":
        return "row", "asked for with --path row"
    if blocking:
        why = f"the profile uses {', '.join(blocking)}, which only the row path applies"
        if wanted == "columnar":
            raise ValueError(f"--path columnar cannot import with profile {profile.name!r}: {why}")
        return "row", why
    return "columnar", "column by column, rows it cannot decide checked one by one"


def empty_columns() -> Columns:
    return {name: [] for name in RECORD_FIELDS}


def append_record(cols: Columns, rec: Record) -> None:
    for name in RECORD_FIELDS:
        cols[name].append(getattr(rec, name))


def records(cols: Columns, limit: int) -> list[Record]:
    """The first ``limit`` rows of ``cols`` as Records (the upload page's preview)."""
    n = min(limit, len(cols["line"]))
    return [Record(**{name: cols[name][i] for name in RECORD_FIELDS}) for i in range(n)]


# what json's encoder escapes in a string, but for the unit separator the row text is joined with
_ESCAPED = re.compile(r'[\x00-\x1e\\"]')


def _plain(joined: list[str], width: int) -> bool:
    """Whether no value of the rows (each joined by the unit separator) needs escaping in JSON:
    no quote, backslash or control character, and no unit separator in a value either."""
    text = "".join(joined)
    return _ESCAPED.search(text) is None and text.count("\x1f") == len(joined) * (width - 1)


class ColumnarNormalizer:
    """Built on the row path's Normalizer: the same column positions, date parsers and
    category rules, so both paths read a profile the same way."""

    def __init__(self, normalizer: Normalizer):
        self.n = normalizer
        self.p = normalizer.p
        keys = normalizer.raw_keys
        # the row path's json.dumps(dict(zip(keys, values)), ensure_ascii=False), written out; a
        # repeated key (a header "a#2" beside a second "a") would collapse in a dict: dumps then
        self.keys = [json.encoder.encode_basestring(k) + ": " for k in keys] if len(set(keys)) == len(keys) else None
        # and, for a chunk where no value needs escaping, one format applied to each row's values
        self.raw_format = None
        if self.keys is not None:
            self.raw_format = "{" + ", ".join(k.replace("%", "%%") + '"%s"' for k in self.keys) + "}"
        self._hundred: dict[str, str] = {}

    # ----- helpers over columns
    def _stripped(self, rows: list[list[str]], i: int, cache: dict) -> list[str]:
        col = cache.get(i)
        if col is None:
            col = cache[i] = [r[i].strip() for r in rows]
        return col

    def _joined(self, field: str, rows, cache) -> list[str]:
        """normalize.Normalizer._joined over a column."""
        parts = []
        for col_i, name in zip(self.n.idx[field], self.p.columns[field], strict=False):
            col = self._stripped(rows, col_i, cache)
            width = self.p.pad.get(name)
            if width:
                col = [v.zfill(width) if v else v for v in col]
            parts.append(col)
        if len(parts) == 1:
            return parts[0]
        return [" ".join(p for p in ps if p) for ps in zip(*parts, strict=True)]

    def _dates(self, field: str, texts: list[str], undecided: np.ndarray, *, required: bool) -> list:
        """Each text parsed once per distinct value; a blank (when required) or unreadable
        value leaves its row undecided."""
        parsed = self.n.dates[field].parse_many(texts)
        out = [parsed.get(t) if t else None for t in texts]
        for k, (t, v) in enumerate(zip(texts, out, strict=True)):
            if v is None and (t or required):
                undecided[k] = True
        return out

    def _numbers(self, texts: list[str], undecided: np.ndarray) -> np.ndarray:
        """normalize._number over a column: NaN for blank and missing markers and non-finite
        values; a row whose value is no number is left undecided."""
        try:
            # numpy reads decimal text as float() does (correctly rounded); anything unusual
            # raises and is read value by value below
            values = np.array(texts, dtype=np.str_)
            blank = np.isin(np.strings.upper(np.strings.strip(values)), ["", "NA", "NAN", "NULL", "NONE", "N/A"])
            out = np.where(blank, "nan", values).astype(np.float64)
        except ValueError:
            seen: dict[str, float | None] = {}
            out = np.empty(len(texts))
            for k, t in enumerate(texts):
                if t not in seen:
                    errors = []
                    v = _number(t, "", lambda f, r, errors=errors: errors.append(r))
                    seen[t] = None if errors else (np.nan if v is None else v)
                v = seen[t]
                if v is None:
                    undecided[k] = True
                    v = np.nan
                out[k] = v
        out[~np.isfinite(out)] = np.nan
        return out

    def _category(self, offense: list[str], rows, cache) -> tuple[list[int], list[bool]]:
        n = self.n
        deciding = [self._stripped(rows, i, cache) for i in n.rule_idx if i is not None]
        deciding += [self._stripped(rows, i, cache) for i, _ in n.sensitive_idx]
        deciding += [[r[i] for r in rows] for i in n.idx.get("description", [])]
        keys = list(zip(offense, *deciding, strict=True)) if deciding else offense
        found: dict = {}
        for k, key in enumerate(keys):
            if key not in found:
                found[key] = n._category(offense[k], rows[k])
        hits = [found[key] for key in keys]
        return [h[0] for h in hits], [h[1] for h in hits]

    def _end_of_period(self, start):
        tz = self.n.dates["occurred_from"].tz
        local = start.astimezone(tz)
        if self.p.precision == "month":
            days = calendar.monthrange(local.year, local.month)[1]
            return (local.replace(day=1, hour=0, minute=0, second=0) + timedelta(days=days, seconds=-1)).astimezone(UTC)
        return (local.replace(hour=0, minute=0, second=0) + timedelta(days=1, seconds=-1)).astimezone(UTC)

    # ----- a chunk
    def chunk(self, chunk: list[tuple[int, list[str]]]) -> tuple[Columns, list[tuple[int, list[str]]]]:
        """(the good rows as columns, the rows to read one by one), both in file order."""
        n, p = self.n, self.p
        cols = empty_columns()
        width = n.width
        joined_all = ["\x1f".join(v) for _, v in chunk]
        fit = [len(v) == width and "\x00" not in j for (_, v), j in zip(chunk, joined_all, strict=True)]
        kept = [k for k, ok in enumerate(fit) if ok]
        rows = [chunk[k][1] for k in kept]
        lines = [chunk[k][0] for k in kept]
        joined = [joined_all[k] for k in kept]
        m = len(rows)
        undecided = np.zeros(m, bool)
        cache: dict[int, list[str]] = {}

        sha1 = hashlib.sha1
        row_hash = [sha1(j.encode()).hexdigest() for j in joined]
        keys = self.keys
        enc = json.encoder.encode_basestring
        if keys is None:
            raw = [json.dumps(dict(zip(n.raw_keys, r, strict=True)), ensure_ascii=False) for r in rows]
        elif _plain(joined, width):
            raw = list(map(self.raw_format.__mod__, map(tuple, rows)))
        else:
            raw = ["{" + ", ".join([kp + enc(v) for kp, v in zip(keys, r, strict=True)]) + "}" for r in rows]

        if "id" in n.idx:
            parts = [self._stripped(rows, i, cache) for i in n.idx["id"]]
            source_id = parts[0] if len(parts) == 1 else ["|".join(ps) for ps in zip(*parts, strict=True)]
            blank = [not all(ps) for ps in zip(*parts, strict=True)]
            if any(blank):
                source_id = list(source_id)
                for k, b in enumerate(blank):
                    if not b:
                        continue
                    if p.id_fallback == "content":
                        source_id[k] = row_hash[k]
                    else:
                        undecided[k] = True
        else:
            source_id = row_hash
        if "incident" in n.idx:
            parts = [self._stripped(rows, i, cache) for i in n.idx["incident"]]
            incident = [("|".join(ps) if all(ps) else "")[:200] for ps in zip(*parts, strict=True)]
        else:
            incident = [""] * m

        if p.unknown_time:
            for col_i, name in zip(n.idx["occurred_from"], p.columns["occurred_from"], strict=False):
                markers = set(p.unknown_time.get(name, ()))
                if markers:
                    for k, v in enumerate(self._stripped(rows, col_i, cache)):
                        if v in markers:
                            undecided[k] = True  # the whole day: Normalizer._occurred
        start = self._dates("occurred_from", self._joined("occurred_from", rows, cache), undecided, required=True)
        if p.precision in ("day", "month"):
            ends: dict = {}
            end = [None if s is None else ends.get(s) or ends.setdefault(s, self._end_of_period(s)) for s in start]
        elif "occurred_to" in n.idx:
            end = self._dates("occurred_to", self._joined("occurred_to", rows, cache), undecided, required=False)
        else:
            end = [None] * m
        if "occurred_to" in n.idx and p.precision in ("day", "month"):
            # read (and checked) although the precision decides the end, as the row path does
            self._dates("occurred_to", self._joined("occurred_to", rows, cache), undecided, required=False)
        for k, (s, e) in enumerate(zip(start, end, strict=True)):
            if e is not None and s is not None and e < s:
                undecided[k] = True
        reported = (
            self._dates("reported", self._joined("reported", rows, cache), undecided, required=False)
            if "reported" in n.idx
            else [None] * m
        )
        updated = (
            self._dates("updated", self._joined("updated", rows, cache), undecided, required=False)
            if "updated" in n.idx
            else [None] * m
        )

        offense_parts = [self._stripped(rows, i, cache) for i in n.idx.get("offense", [])]
        if not offense_parts:
            offense = [""] * m
        elif len(offense_parts) == 1:
            offense = offense_parts[0]
        else:
            offense = [" - ".join(v for v in ps if v) for ps in zip(*offense_parts, strict=True)]
        category_id, sensitive = self._category(offense, rows, cache)

        address_idx = n.idx.get("address", [])
        sep = p.address_separator
        addresses: dict = {}
        address, block = [], []
        for r in rows:
            key = tuple(r[i] for i in address_idx)
            hit = addresses.get(key)
            if hit is None:
                text = sep.join(" ".join(v.split()) for v in key if v.strip())
                hit = addresses[key] = (text[:300], hundred_block(text)[:300])
            address.append(hit[0])
            block.append(hit[1])

        lat = lon = x = y = np.full(m, np.nan)
        if "lat" in n.idx:
            lat = self._numbers([r[n.idx["lat"][0]] for r in rows], undecided)
            lon = self._numbers([r[n.idx["lon"][0]] for r in rows], undecided)
            none = np.isnan(lat) | np.isnan(lon) | ((lat == 0) & (lon == 0))
            lat, lon = np.where(none, np.nan, lat), np.where(none, np.nan, lon)
            if p.longitude_sign == "west":
                lon = -np.abs(lon)
            with np.errstate(invalid="ignore"):
                undecided |= (lat < -90) | (lat > 90) | (lon < -180) | (lon > 180)
        elif "x" in n.idx:
            x = self._numbers([r[n.idx["x"][0]] for r in rows], undecided)
            y = self._numbers([r[n.idx["y"][0]] for r in rows], undecided)
            none = np.isnan(x) | np.isnan(y) | ((x == 0) & (y == 0))
            x, y = np.where(none, np.nan, x), np.where(none, np.nan, y)
        beat = [v[:64] for v in self._stripped(rows, n.idx["beat"][0], cache)] if "beat" in n.idx else [""] * m

        good = np.flatnonzero(~undecided)
        take = good.tolist()

        def pick(values):
            return [values[k] for k in take]

        def floats(values: np.ndarray) -> list:
            return [None if v != v else v for v in values[good].tolist()]

        cols["line"] = pick(lines)
        cols["source_id"] = pick(source_id)
        cols["row_hash"] = pick(row_hash)
        cols["updated_at"] = pick(updated)
        cols["occurred_from"] = pick(start)
        cols["occurred_to"] = pick(end)
        cols["reported_at"] = pick(reported)
        cols["offense"] = [v[:300] for v in pick(offense)]
        cols["category_id"] = pick(category_id)
        cols["sensitive"] = pick(sensitive)
        cols["address"] = pick(address)
        cols["block_address"] = pick(block)
        cols["lat"], cols["lon"], cols["x"], cols["y"] = floats(lat), floats(lon), floats(x), floats(y)
        cols["source_beat"] = pick(beat)
        cols["raw"] = pick(raw)
        cols["location"] = [""] * len(take)
        cols["incident_key"] = pick(incident)
        cols["geocode_quality"] = [""] * len(take)
        for name in ("beat_id", "district_id", "neighbourhood_id"):
            cols[name] = [None] * len(take)  # set by run._Geo.apply_columns

        unfit = set(range(len(chunk))) - set(kept)
        unsure = {kept[k] for k in np.flatnonzero(undecided).tolist()}
        one_by_one = [chunk[k] for k in sorted(unfit | unsure)]
        return cols, one_by_one


def normalise_chunk(
    columnar: ColumnarNormalizer, chunk: list[tuple[int, list[str]]]
) -> tuple[Columns, int, list[tuple[list[RowError], list[str]]]]:
    """(good rows as columns, rows filtered out, (errors, values) of each bad row in file
    order): the chunk's undecided rows read by the row path's ``Normalizer.row``."""
    cols, one_by_one = columnar.chunk(chunk)
    filtered, bad = 0, []
    for line, values in one_by_one:
        out = columnar.n.row(line, values)
        if isinstance(out, Record):
            append_record(cols, out)
        elif out is None:
            filtered += 1
        else:
            bad.append((out, values))
    return cols, filtered, bad
