"""Where a feed's records come from: files waiting in a folder, and the three HTTP kinds, each
downloaded whole (every page) into one file before anything is imported.

The HTTP kinds use the standard library's ``urllib`` (no extra dependency) and only http(s)
addresses. A page that fails (network error, HTTP error, a JSON error object, a body that is
not what the format documents) raises ``FeedError``: nothing of the run is imported.

- **Socrata SODA** (``/resource/xxxx-xxxx.json``): ``$where`` on the updated-at column ``>=``
  the cursor, ``$order`` by that column then ``:id``, pages of ``$limit`` rows at ``$offset``
  until a page is short. A system column (``:updated_at``) is returned only with
  ``$select=:*, *``, which is then asked for.
- **ArcGIS REST FeatureServer layer** (``.../FeatureServer/0``): the layer's description
  (``?f=json``: its fields and their types) first, then ``/query`` with ``where``,
  ``outFields=*``, ``f=geojson``, ``outSR=4326``, ``orderByFields``, ``resultOffset`` and
  ``resultRecordCount``, page after page while the server says ``exceededTransferLimit`` (or, if
  it does not say, while pages are full). Date fields arrive as epoch milliseconds; they are
  written as ISO 8601 UTC, and a date cursor is compared as ``TIMESTAMP 'YYYY-MM-DD HH:MM:SS'``.
- **URL**: one GET; a JSON array of records or a GeoJSON FeatureCollection is written as CSV,
  anything else is kept as the delimited file it is.

The cursor is compared with ``>=``, not ``>``: records changed in the same second as the last
one imported are fetched again rather than missed, and the importer counts them unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from copps.incidents.feeds.tabular import Tabulator, flatten

__all__ = ["Download", "FeedError", "fetch", "waiting_files", "TIMEOUT"]

TIMEOUT = 60  # seconds a request may take before the run fails
# Names a department's export job uses while it is still writing, and the importer's own rejects.
PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".rejects.csv")


class FeedError(Exception):
    """A feed's source could not be read as its kind documents; the message says what and where."""


@dataclass
class Download:
    """What a run fetched: one file for the importer (None when no record came), how many
    records, and the cursor value the import moves the feed to."""

    path: Path | None
    records: int
    cursor: str


def waiting_files(folder: Path) -> list[Path]:
    """The files in a watched folder, oldest first: no hidden files, no files still being written
    under a partial name (write, then rename), no rejects files the importer wrote."""
    if not folder.is_dir():
        raise FeedError(f"{folder}: no such folder")
    found = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith((".", "~")) and not p.name.lower().endswith(PARTIAL_SUFFIXES)
    ]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def get(url: str, params: dict | None = None) -> bytes:
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    request = Request(url, headers={"User-Agent": "copps-feeds", "Accept": "application/json, text/csv, */*"})
    try:
        with urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (schemes checked by check_url)
            return response.read()
    except HTTPError as exc:
        raise FeedError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (URLError, OSError) as exc:
        raise FeedError(f"{url}: {getattr(exc, 'reason', exc)}") from exc


def get_json(url: str, params: dict | None = None):
    body = get(url, params)
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise FeedError(f"{url}: the answer is not JSON ({body[:80]!r})") from exc
    if isinstance(data, dict) and (data.get("error") or data.get("code") and data.get("message")):
        error = data.get("error")
        message = error.get("message") if isinstance(error, dict) else data.get("message")
        raise FeedError(f"{url}: the server answered with an error: {message or data}")
    return data


def check_url(url: str) -> str:
    """The problem with a feed's URL, or ''."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{url!r} is not an http:// or https:// address"
    return ""


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def socrata(feed, folder: Path, note: Callable[[str], None]) -> Download:
    field, cursor, size = feed.cursor_field, feed.cursor, feed.page_size
    params: dict = {"$order": f"{field}, :id" if field else ":id", "$limit": size}
    if field.startswith(":"):
        params["$select"] = ":*, *"
    if field and cursor:
        params["$where"] = f"{field} >= {_quoted(cursor)}"
    newest = cursor
    offset = 0
    with Tabulator(folder) as table:
        while True:
            page = get_json(feed.location, {**params, "$offset": offset})
            if not isinstance(page, list) or not all(isinstance(r, dict) for r in page):
                raise FeedError(f"{feed.location}: expected a JSON array of rows at $offset {offset}")
            for row in page:
                value = row.get(field) if field else None
                if value not in (None, "") and (not newest or str(value) > newest):
                    newest = str(value)
                table.add(flatten(row))
            note(f"{table.count:,} rows downloaded")
            if len(page) < size:
                break
            offset += len(page)
    return _finish(table, folder, newest, feed.name)


def _iso(ms) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def arcgis(feed, folder: Path, note: Callable[[str], None]) -> Download:
    layer = feed.location.rstrip("/")
    meta = get_json(layer, {"f": "json"})
    fields = meta.get("fields") if isinstance(meta, dict) else None
    if not isinstance(fields, list):
        raise FeedError(f"{layer}: not a FeatureServer layer (its ?f=json description lists no fields)")
    dates = {f.get("name") for f in fields if f.get("type") == "esriFieldTypeDate"}
    oid = meta.get("objectIdField") or next((f["name"] for f in fields if f.get("type") == "esriFieldTypeOID"), "")
    field, cursor = feed.cursor_field, feed.cursor
    if field and field not in {f.get("name") for f in fields}:
        names = ", ".join(f["name"] for f in fields)
        raise FeedError(f"{layer}: the layer has no field {field!r} (its fields: {names})")
    where = "1=1"
    if field and cursor:
        if field in dates:
            where = f"{field} >= TIMESTAMP '{_iso(float(cursor)).replace('T', ' ').rstrip('Z')}'"
        else:
            try:
                where = f"{field} >= {float(cursor)!r}" if "." in cursor else f"{field} >= {int(cursor)}"
            except ValueError:
                where = f"{field} >= {_quoted(cursor)}"
    order = ", ".join(dict.fromkeys(f for f in (field, oid) if f))
    params = {"where": where, "outFields": "*", "f": "geojson", "outSR": 4326, "returnGeometry": "true"}
    if order:
        params["orderByFields"] = order
    newest: float | str | None = None
    offset = 0
    with Tabulator(folder) as table:
        while True:
            page = get_json(f"{layer}/query", {**params, "resultOffset": offset, "resultRecordCount": feed.page_size})
            features = page.get("features") if isinstance(page, dict) else None
            if not isinstance(features, list):
                raise FeedError(f"{layer}/query: expected a GeoJSON FeatureCollection at resultOffset {offset}")
            for feature in features:
                props = dict(feature.get("properties") or {})
                value = props.get(field) if field else None
                if value is not None and (newest is None or value > newest):
                    newest = value
                for name in dates & set(props):
                    if isinstance(props[name], int | float):
                        props[name] = _iso(props[name])
                props["geometry"] = feature.get("geometry")
                table.add(flatten(props))
            note(f"{table.count:,} features downloaded")
            exceeded = page.get("exceededTransferLimit", (page.get("properties") or {}).get("exceededTransferLimit"))
            if not features or exceeded is False or (exceeded is None and len(features) < feed.page_size):
                break
            offset += len(features)
    if newest is None:
        new_cursor = cursor
    else:
        new_cursor = str(int(newest)) if isinstance(newest, float) and newest.is_integer() else str(newest)
    return _finish(table, folder, new_cursor, feed.name)


def url(feed, folder: Path, note: Callable[[str], None]) -> Download:
    body = get(feed.location)
    note(f"{len(body):,} bytes downloaded")
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"[", b"{"):
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise FeedError(f"{feed.location}: looks like JSON but is not: {exc}") from exc
        if isinstance(data, dict) and isinstance(data.get("features"), list):
            records = [{**(f.get("properties") or {}), "geometry": f.get("geometry")} for f in data["features"]]
        elif isinstance(data, list) and all(isinstance(r, dict) for r in data):
            records = data
        else:
            raise FeedError(f"{feed.location}: expected a JSON array of records or a GeoJSON FeatureCollection")
        with Tabulator(folder) as table:
            for record in records:
                table.add(flatten(record))
        return _finish(table, folder, feed.cursor, feed.name)
    if not body.strip():
        return Download(None, 0, feed.cursor)
    path = folder / (Path(urlsplit(feed.location).path).name or "download.csv")
    path.write_bytes(body)
    return Download(path, max(body.count(b"\n") - 1, 1), feed.cursor)


def _finish(table: Tabulator, folder: Path, cursor: str, name: str) -> Download:
    path = table.write_csv(folder / f"{name}.csv")  # the batch's file name is the feed's
    if not table.count:
        path.unlink()
        return Download(None, 0, cursor)
    return Download(path, table.count, cursor)


FETCHERS = {"socrata": socrata, "arcgis": arcgis, "url": url}


def fetch(feed, folder: Path, note: Callable[[str], None] = lambda text: None) -> Download:
    """Every page of ``feed``'s HTTP source since its cursor, as one file in ``folder``."""
    problem = check_url(feed.location)
    if problem:
        raise FeedError(problem)
    return FETCHERS[feed.kind](feed, folder, note)
