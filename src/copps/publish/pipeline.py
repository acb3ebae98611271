"""The privacy pipeline: Event querysets in, public records out. Nothing else reaches the public.

:func:`store_rows` turns events into the stored public records (``publish.models.PublicRecord``)
that every public view, feed and export reads; ``PublicEvent`` is the allow-list of fields a
non-sensitive event may carry, and ``CountRecord`` the minimum an aggregate needs (turned into
suppressed tables by :mod:`copps.publish.counts`). The rules, in order:

1. delay: each record keeps the day it becomes available (the later of occurrence and report);
   public reads show only records available before the cut-off (:func:`cutoff`: local midnight
   today minus ``delay_days``), so an event appears once its delay has passed, without another
   refresh;
2. sensitivity, decided again from every signal (:mod:`copps.incidents.classify`, the one definition);
   a sensitive event never becomes a ``PublicEvent``; it is counted only by district
   and month, or dropped (``COPPS_PUBLISH_SENSITIVE=none``);
3. location: the true point goes to its snap point (:mod:`copps.geo.generalise`),
   never nearer to the truth than ``min_offset_m``; no snap set, no points;
4. fields: category name (never the source's offence text), date, hundred block
   (:func:`copps.geo.generalise.public_block`), snap lon/lat and area names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from copps.geo.crs import Projector
from copps.geo.generalise import public_block
from copps.incidents.classify import is_sensitive
from copps.incidents.models import Event, Kind
from copps.publish.conf import PublishRules
from copps.publish.conf import rules as current_rules
from copps.publish.snaps import load_snaps

__all__ = [
    "PublicEvent",
    "CountRecord",
    "cutoff",
    "public_category",
    "store_rows",
]

_COLUMNS = (
    "kind",
    "occurred_from",
    "reported_at",
    "offense",
    "category__name",
    "category__sensitive",
    "sensitive",
    "address",
    "block_address",
    "lat",
    "lon",
    "district__code",
    "district__name",
    "beat__code",
    "beat__name",
    "neighbourhood__name",
    "district_id",
    "beat_id",
    "neighbourhood_id",
    "location",
    "raw",
)

#: Events outside the jurisdiction or at impossible places are counted but never placed on the
#: public map or grid (the nearest snap point of a crash geocoded abroad is at the city's edge).
_UNPLACEABLE = {"outside", "invalid"}


def _lonlat(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates to place each row at (NaN: not placed)."""

    def coord(r, key):
        return np.nan if r[key] is None or r["location"] in _UNPLACEABLE else r[key]

    return np.array([coord(r, "lon") for r in rows], float), np.array([coord(r, "lat") for r in rows], float)


@dataclass(frozen=True)
class PublicEvent:
    """One non-sensitive event as the public may see it: these fields and no others."""

    kind: str
    category: str
    date: str  # YYYY-MM-DD, local
    month: str  # YYYY-MM
    block: str  # hundred block, "" when it could not be made safe
    lon: float | None  # the snap point, None when the event has no public location
    lat: float | None
    district: str
    beat: str
    neighbourhood: str


@dataclass(frozen=True)
class CountRecord:
    """One event as the aggregate tables see it."""

    kind: str
    month: str
    district: str  # district code, "" when none
    category: str  # public category; sensitive events are all "Sensitive"
    sensitive: bool
    n: int = 1  # how many events this record stands for (stored counts are grouped)


SENSITIVE_CATEGORY = "Sensitive offences"


def public_category(kind: str, name: str | None) -> str:
    """The category name published for a non-sensitive event."""
    if name:
        return name
    return f"Other {Kind(kind).label.lower()}" if kind in Kind.values else "Other"


def cutoff(rules: PublishRules | None = None, now: datetime | None = None) -> datetime:
    """Local midnight today minus the publication delay: nothing at or after it is published."""
    rules = rules or current_rules()
    now = timezone.localtime(now or timezone.now())
    today = datetime.combine(now.date(), time.min, now.tzinfo)
    return today - timedelta(days=rules.delay_days)


_CHUNK = 2000
# Classification of an event, cached per process on everything that decides it (the row hash
# changes whenever the importer changes the original row), so the raw row is read only once.
_classified: dict[tuple, bool] = {}
_CLASSIFIED_MAX = 500_000


def _chunks(qs: QuerySet[Event]) -> Iterator[list[tuple[dict, bool]]]:
    """Every row of ``qs``, newest first, in chunks, each with its sensitivity decided from every
    signal (the delay is the store's, applied when it is read)."""
    light = [c for c in _COLUMNS if c != "raw"] + ["id", "row_hash", "category_id"]
    rows = qs.order_by("-occurred_from", "-id").values_list(*light).iterator(_CHUNK)
    chunk: list[dict] = []

    def decide(chunk: list[dict]) -> list[tuple[dict, bool]]:
        keys = [
            (r["id"], r["row_hash"], r["category_id"], r["category__sensitive"], r["sensitive"], hash(r["offense"]))
            for r in chunk
        ]
        missing = [r["id"] for r, key in zip(chunk, keys, strict=True) if key not in _classified]
        raw = dict(Event.objects.filter(id__in=missing).values_list("id", "raw")) if missing else {}
        if len(_classified) > _CLASSIFIED_MAX:
            _classified.clear()
        out = []
        for r, key in zip(chunk, keys, strict=True):
            if key not in _classified:
                _classified[key] = is_sensitive(
                    flagged=r["sensitive"],
                    category_sensitive=r["category__sensitive"],
                    offense=r["offense"],
                    raw=raw.get(r["id"]),
                )
            out.append((r, _classified[key]))
        return out

    for values in rows:
        chunk.append(dict(zip(light, values, strict=True)))
        if len(chunk) == _CHUNK:
            yield decide(chunk)
            chunk = []
    if chunk:
        yield decide(chunk)


def _public(row: dict, stored, i: int, tz, day=None) -> PublicEvent:
    day = day or timezone.localtime(row["occurred_from"], tz).date()
    placed = stored is not None and i >= 0
    return PublicEvent(
        kind=row["kind"],
        category=public_category(row["kind"], row["category__name"]),
        date=day.isoformat(),
        month=day.isoformat()[:7],
        block=public_block(row["address"] or row["block_address"]),
        lon=round(float(stored.lon[i]), 6) if placed else None,
        lat=round(float(stored.lat[i]), 6) if placed else None,
        district=row["district__name"] or "",
        beat=row["beat__name"] or "",
        neighbourhood=row["neighbourhood__name"] or "",
    )


def store_rows(qs: QuerySet[Event], *, grid_m: float) -> Iterator[list[dict]]:
    """Every event of ``qs`` as a stored public record (:class:`copps.publish.models.PublicRecord`
    fields), in chunks, newest first. No delay is applied here: the store applies it when read.

    A sensitive event keeps only what its count needs (kind, month, district); a
    non-sensitive one gets the public fields of :class:`PublicEvent` plus its grid square
    and area ids (for filters). Nothing else from the event is carried over, except its id
    (``event_ref``, never published), so an incremental refresh can replace its record.

    Each record depends on its own event and on nothing else but the snap set, the taxonomy,
    the areas, the time zone and ``grid_m`` (``store.inputs_digest``): not on the chunk it is
    made in or on the other events of ``qs``. So making a few events again gives exactly the
    records a rebuild of every event gives them.
    """
    stored = load_snaps()
    proj = Projector(stored.crs) if stored is not None else None
    tz = timezone.get_current_timezone()
    for chunk in _chunks(qs):
        idx = np.full(len(chunk), -1, np.int64)
        if stored is not None and chunk:
            lon, lat = _lonlat([r for r, _ in chunk])
            idx = stored.snaps.assign(*proj.forward(lon, lat))
        out = []
        for (row, sensitive), i in zip(chunk, idx, strict=True):
            occurred = timezone.localtime(row["occurred_from"], tz).date()
            later = max(row["occurred_from"], row["reported_at"] or row["occurred_from"])
            base = {
                "kind": row["kind"],
                "month": occurred.isoformat()[:7],
                "sensitive": sensitive,
                "district_code": row["district__code"] or "",
                "available_on": timezone.localtime(later, tz).date(),
                "event_ref": row["id"],
            }
            if sensitive:
                out.append({**base, "category": SENSITIVE_CATEGORY})
                continue
            pub = _public(row, stored, int(i), tz, occurred)
            placed = pub.lon is not None
            out.append(
                {
                    **base,
                    "category": pub.category,
                    "category_ref": row["category_id"],
                    "date": occurred,
                    "block": pub.block,
                    "lon": pub.lon,
                    "lat": pub.lat,
                    "cell_x": int(np.floor(stored.snaps.x[i] / grid_m)) if placed else None,
                    "cell_y": int(np.floor(stored.snaps.y[i] / grid_m)) if placed else None,
                    "district": pub.district,
                    "beat_code": row["beat__code"] or "",
                    "beat": pub.beat,
                    "neighbourhood": pub.neighbourhood,
                    "district_ref": row["district_id"],
                    "beat_ref": row["beat_id"],
                    "neighbourhood_ref": row["neighbourhood_id"],
                }
            )
        yield out
