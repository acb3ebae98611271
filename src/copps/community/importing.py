"""Loading Open311 GeoReport v2 files (``services`` and ``requests``, JSON or XML) into copps.

Re-importing a file changes nothing: requests are matched on ``service_request_id`` and
services on ``service_code``; a row is rewritten only when its content changed. One file
loads in one transaction, so a bad row leaves the database as it was.

Real feeds differ from the spec in small ways, all accepted here: San Francisco writes
datetimes as ``2012-05-22 23:57:23.97`` without an offset (read in the agency's time zone)
and status as ``Open``; XML may mark empty values ``xsi:nil``; some apps send ``0,0`` for
"no location".
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from copps.community import history
from copps.community.areas import AreaLookup
from copps.community.models import Service, ServiceRequest
from copps.community.states import State
from copps.geo.blocks import hundred_block

__all__ = ["Open311FileError", "ImportResult", "read_items", "file_kind", "import_files", "store_requests"]


class Open311FileError(ValueError):
    """A file that is not an Open311 services or requests document, with the reason."""


@dataclass
class ImportResult:
    file: str
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    services_created: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{self.file}: {self.kind} {self.created:,} created, {self.updated:,} updated, "
                f"{self.unchanged:,} unchanged")
        if self.services_created:
            text += f"; {self.services_created} services created from the requests"
        if self.skipped:
            text += f"; {len(self.skipped)} skipped ({'; '.join(self.skipped[:3])})"
        return text


def _xml_items(path: Path) -> list[dict]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise Open311FileError(f"{path}: not well-formed XML: {exc}") from exc
    return [{child.tag: (child.text or "").strip() or None for child in item} for item in root]


# An Open311 list is an array of objects whose values are scalars, or a list of attribute
# objects at most: 3 levels. Deeper nesting is no Open311 document, and storing or comparing it
# would recurse once per level.
MAX_DEPTH = 8


def _too_deep(path: Path) -> str:
    return (
        f"{path}: JSON nested more than {MAX_DEPTH} levels deep is not an Open311 services or requests list "
        "(an array of objects with plain values); export the list again"
    )


def _depth(data) -> int:
    """How deeply arrays and objects nest in ``data`` (a scalar is 0), without recursing."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, level = todo.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        todo.extend((child, level + 1) for child in children)
    return deepest


def read_items(path: Path) -> list[dict]:
    """The items of an Open311 list document (JSON array or XML), as flat dicts."""
    if not path.exists():
        raise Open311FileError(f"{path}: no such file")
    if path.suffix.lower() == ".xml":
        return _xml_items(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Open311FileError(f"{path}: not valid JSON: {exc}") from exc
    except RecursionError:  # Python's parser recurses once per level: thousands of [ or {
        raise Open311FileError(_too_deep(path)) from None
    if _depth(data) > MAX_DEPTH:
        raise Open311FileError(_too_deep(path))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise Open311FileError(f"{path}: expected a JSON array of Open311 services or requests")
    return data


def _text(item: dict, key: str, limit: int) -> str:
    value = item.get(key)
    return "" if value is None else str(value).strip()[:limit]


def _when(value) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        return None
    parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    try:
        return parsed.astimezone(UTC)  # PostgreSQL holds offsets only to 15:59; W3C allows 23:59
    except OverflowError:  # before the first or after the last moment UTC can name
        return None


def _coord(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number


def _zipcode(item: dict) -> str:
    text = _text(item, "zipcode", 16)
    return "" if text == "0" else text  # San Francisco writes 0 for "unknown"


def _has_nul(value) -> bool:
    """Whether a NUL character is in any key or text of ``value`` (nested at most MAX_DEPTH)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _without_nul(items: list[dict], result: ImportResult) -> list[dict]:
    """The items without a NUL character: PostgreSQL text cannot hold one (it aborted the whole
    file there), so such an item is skipped, and counted, on both databases."""
    clean = []
    for number, item in enumerate(items, 1):
        if _has_nul(item):
            result.skipped.append(f"item {number} holds a NUL character (byte 0)")
        else:
            clean.append(item)
    return clean


def _import_services(items: list[dict], result: ImportResult) -> None:
    items = _without_nul(items, result)
    for item in items:
        code = _text(item, "service_code", 64)
        if not code:
            result.skipped.append("a service without service_code")
            continue
        values = {
            "name": _text(item, "service_name", 200) or code,
            "description": _text(item, "description", 10_000),
            "group": _text(item, "group", 100),
            "keywords": _text(item, "keywords", 300),
            "type": _text(item, "type", 16).lower() if _text(item, "type", 16).lower() in Service.Type.values
            else Service.Type.REALTIME,
        }
        service = Service.objects.filter(service_code=code).first()
        if service is None:
            Service.objects.create(service_code=code, **values)
            result.created += 1
        elif any(getattr(service, k) != v for k, v in values.items()):
            Service.objects.filter(pk=service.pk).update(**values, updated_at=timezone.now())
            result.updated += 1
        else:
            result.unchanged += 1


def _request_values(item: dict, service: Service) -> dict | str:
    """The model fields for one request row, or the reason it cannot be loaded."""
    requested = _when(item.get("requested_datetime"))
    if requested is None:
        return "no readable requested_datetime"
    lat, lon = _coord(item.get("lat")), _coord(item.get("long"))
    if lat is None or lon is None or (lat == 0 and lon == 0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    closed = _text(item, "status", 16).lower() == "closed"
    address = _text(item, "address", 300)
    return {
        "service": service,
        "description": _text(item, "description", 10_000),
        "lat": lat,
        "lon": lon,
        "address": address,
        "address_id": _text(item, "address_id", 64),
        "block_address": hundred_block(address),
        "zipcode": _zipcode(item),
        "requested_at": requested,
        "updated_at": _when(item.get("updated_datetime")) or requested,
        "expected_at": _when(item.get("expected_datetime")),
        # A feed says only open or closed: closed is taken as fixed, open as received.
        "state": State.CLOSED_FIXED if closed else State.RECEIVED,
        "status_notes": _text(item, "status_notes", 10_000),
        "agency_responsible": _text(item, "agency_responsible", 200),
        "service_notice": _text(item, "service_notice", 10_000),
        "media_url": _text(item, "media_url", 1000),
        "source": "import",
        "raw": item,
    }


def _import_requests(items: list[dict], result: ImportResult) -> None:
    items = _without_nul(items, result)
    services = {s.service_code: s for s in Service.objects.all()}
    rows: list[tuple[str, dict, datetime | None]] = []
    for item in items:
        public_id = _text(item, "service_request_id", 64)
        code = _text(item, "service_code", 64)
        if not public_id or not code:
            result.skipped.append("a request without service_request_id or service_code")
            continue
        if code not in services:
            services[code] = Service.objects.create(service_code=code, name=_text(item, "service_name", 200) or code)
            result.services_created += 1
        values = _request_values(item, services[code])
        if isinstance(values, str):
            result.skipped.append(f"{public_id}: {values}")
            continue
        # a feed gives no close time: a closed request's last update is when it was closed
        rows.append((public_id, values, values["updated_at"]))
    store_requests(rows, result)


def store_requests(rows: list[tuple[str, dict, datetime | None]], result: ImportResult) -> None:
    """Create or update requests from ``(public_id, model values, closed at)``: of rows with the
    same id the last one counts, an unchanged request is left alone, and each new or
    changed request gets its state history from the data (``copps.community.history``)."""
    rows = list({public_id: (public_id, values, closed) for public_id, values, closed in rows}.values())
    existing = {
        sr.public_id: sr
        for start in range(0, len(rows), 5000)  # bounded IN lists for SQLite's variable limit
        for sr in ServiceRequest.objects.filter(public_id__in=[r[0] for r in rows[start : start + 5000]])
    }
    found = AreaLookup().assign([v["lon"] for _, v, _ in rows], [v["lat"] for _, v, _ in rows])
    fresh, touched = [], {}
    for (public_id, values, closed_at), beat, district in zip(
        rows, found["beat_id"], found["district_id"], strict=True
    ):
        values["beat_id"], values["district_id"] = beat, district
        current = existing.get(public_id)
        if current is None:
            fresh.append(ServiceRequest(public_id=public_id, **values))
            touched[public_id] = (fresh[-1], closed_at)
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            touched[public_id] = (current, closed_at)
            current.save()
            result.updated += 1
        else:
            result.unchanged += 1
    ServiceRequest.objects.bulk_create(fresh, batch_size=1000)
    result.created += len(fresh)
    history.replace_imported(list(touched.values()))


def file_kind(path: Path, items: list[dict]) -> str:
    """``services`` or ``requests``, read from the items themselves."""
    if items and all("service_request_id" in i for i in items):
        return "requests"
    if all("service_code" in i and "service_request_id" not in i for i in items):
        return "services"
    raise Open311FileError(f"{path}: neither an Open311 services list nor a requests list")


def import_files(paths: list[Path]) -> list[ImportResult]:
    """Load Open311 services and requests documents (JSON or XML), services first so that
    requests find their service's name. Each file loads in its own transaction."""
    loaded = []
    for path in paths:
        items = read_items(path)
        loaded.append((path, items, file_kind(path, items)))
    results = []
    for path, items, kind in sorted(loaded, key=lambda entry: entry[2] == "requests"):
        result = ImportResult(file=str(path), kind=kind)
        with transaction.atomic():
            (_import_requests if kind == "requests" else _import_services)(items, result)
        results.append(result)
    return results
