"""Geocoding events from their address against the reference data (``copps.geo.gazetteer``).

Two entry points share one geocoder: an import profile's ``[geocode]`` section (rows without
coordinates get a point from their address while the file is imported, in its transaction) and
``copps geocode run --source S`` (events already imported without coordinates). Each geocoded
event keeps how its point was found in ``Event.geocode_quality``; every address that matched
nothing is reported with the reason, never placed by a guess.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import transaction

from copps.geo.features import FeatureFileError
from copps.geo.gazetteer.loading import gazetteer
from copps.geo.geocode import QUALITIES, Gazetteer, Match
from copps.incidents.importing.errors import ImportFailed, ProfileError
from copps.incidents.models import Event, GeocodeQuality

__all__ = ["GeocodeSpec", "GeocodeReport", "ImportGeocoder", "parse_geocode_section", "geocode_events"]

UNMATCHED = GeocodeQuality.UNMATCHED.value


@dataclass(frozen=True)
class GeocodeSpec:
    """A profile's ``[geocode]``: the column(s) holding the address (default: ``[columns]
    address``) and the reference layers to match against (default: every loaded layer)."""

    columns: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()


def parse_geocode_section(data: dict, where: str, columns: dict[str, list[str]]) -> GeocodeSpec | None:
    section = data.get("geocode")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ProfileError(f"{where}: [geocode] must be a table")
    unknown = set(section) - {"address", "layers"}
    if unknown:
        raise ProfileError(f"{where}: [geocode] {', '.join(sorted(unknown))}: unknown key; known: address, layers")
    address = section.get("address", columns.get("address"))
    if isinstance(address, str):
        address = [address]
    if not address or not all(isinstance(a, str) and a for a in address):
        raise ProfileError(
            f'{where}: [geocode] needs the address column: [geocode] address = "..." or [columns] address'
        )
    layers = section.get("layers", [])
    if isinstance(layers, str):
        layers = [layers]
    if not isinstance(layers, list) or not all(isinstance(n, str) for n in layers):
        raise ProfileError(f"{where}: [geocode] layers must be a list of loaded reference layer names")
    return GeocodeSpec(tuple(address), tuple(layers))


@dataclass
class GeocodeReport:
    """How many addresses were tried and matched (per quality), and every unmatched one."""

    tried: int = 0
    qualities: Counter = field(default_factory=Counter)
    unmatched: dict[str, tuple[int, str, list[int | str]]] = field(default_factory=dict)  # address -> n, why, where
    layers: str = ""

    @property
    def matched(self) -> int:
        return sum(self.qualities.values())

    @property
    def rate(self) -> float:
        return self.matched / self.tried if self.tried else 0.0

    def add(self, address: str, match: Match, where: int | str) -> None:
        self.tried += 1
        if match.matched:
            self.qualities[match.quality] += 1
            return
        n, why, lines = self.unmatched.get(address, (0, match.reason, []))
        if len(lines) < 5:
            lines.append(where)
        self.unmatched[address] = (n + 1, why, lines)

    def summary(self, where: str = "line") -> str:
        if not self.tried:
            return f"geocoding ({self.layers}): no rows without coordinates"
        parts = ", ".join(f"{self.qualities[q]:,} {q}" for q in QUALITIES if self.qualities[q])
        missed = self.tried - self.matched
        text = (
            f"geocoding ({self.layers}): {self.matched:,} of {self.tried:,} addresses matched "
            f"({self.rate:.1%}: {parts or 'none'}); {missed:,} unmatched"
        )
        if self.unmatched:
            text += f" ({len(self.unmatched):,} distinct addresses, each listed):"
            for address, (n, why, lines) in sorted(self.unmatched.items()):
                at = ", ".join(str(x) for x in lines) + (" ..." if n > len(lines) else "")
                text += f"\n  unmatched: {address!r} ({n:,} rows, {where} {at}): {why}"
        return text


def _load(layers: tuple[str, ...] | list[str]) -> tuple[Gazetteer, str]:
    try:
        gz = gazetteer(list(layers) or None)
    except FeatureFileError as exc:
        raise ImportFailed(str(exc)) from exc
    if not len(gz):
        raise ImportFailed(
            "geocoding needs reference data and none is loaded: "
            "copps geocode load-points FILE and/or copps geocode load-streets FILE"
        )
    return gz, ", ".join(layers) if layers else "every loaded reference layer"


class ImportGeocoder:
    """Gives the rows of one import that have no coordinates a point from their address."""

    def __init__(self, spec: GeocodeSpec, address_columns: list[str]):
        self.spec = spec
        self.from_raw = list(spec.columns) != list(address_columns)
        self.gz, label = _load(spec.layers)
        self.report = GeocodeReport(layers=label)
        self._cache: dict[str, Match] = {}

    @classmethod
    def for_profile(cls, profile) -> ImportGeocoder | None:
        spec = getattr(profile, "geocode", None)
        return cls(spec, profile.column("address")) if spec else None

    def match(self, address: str) -> Match:
        hit = self._cache.get(address)
        if hit is None:
            hit = self._cache[address] = self.gz.match(address)
        return hit

    def apply(self, records: list) -> None:
        for r in records:
            if r.lat is not None or r.x is not None:
                continue
            address = r.address
            if self.from_raw:
                raw = json.loads(r.raw)
                address = " ".join(" ".join(str(raw.get(c, "")).split()) for c in self.spec.columns).strip()
            if not address:
                continue
            m = self.match(address)
            self.report.add(address, m, r.line)
            if m.matched:
                r.lon, r.lat, r.geocode_quality = m.lon, m.lat, m.quality
            else:
                r.geocode_quality = UNMATCHED


def geocode_events(source: str, *, layers: list[str] | None = None, column: str | None = None) -> GeocodeReport:
    """Geocode the events of ``source`` that have no coordinates, in one transaction: points,
    areas and location statuses as an import would set them. Returns the report."""
    from copps.incidents import jurisdiction, signals
    from copps.incidents.importing.run import _Geo
    from copps.incidents.models import ImportBatch

    gz, label = _load(layers or [])
    report = GeocodeReport(layers=label)
    cache: dict[str, Match] = {}
    fields = ["lat", "lon", "x", "y", "location", "geocode_quality", "beat_id", "district_id", "neighbourhood_id"]
    with transaction.atomic():
        events = list(
            Event.objects.filter(source=source, lat__isnull=True, x__isnull=True)
            .order_by("id")
            .only("id", "source_id", "address", "raw")
        )
        shims = []
        for e in events:
            address = " ".join(str(e.raw.get(column, "")).split()) if column else e.address
            if not address:
                continue
            m = cache.get(address) or cache.setdefault(address, gz.match(address))
            report.add(address, m, e.source_id)
            shim = SimpleNamespace(
                id=e.id, lat=m.lat, lon=m.lon, x=None, y=None, location="", beat_id=None, district_id=None,
                neighbourhood_id=None, geocode_quality=m.quality or UNMATCHED,
            )  # fmt: skip
            shims.append(shim)
        geo = _Geo(SimpleNamespace(crs=None, columns={}))
        geo.apply([s for s in shims if s.lat is not None])
        Event.objects.bulk_update(
            [Event(id=s.id, **{f: getattr(s, f) for f in fields}) for s in shims], fields, batch_size=1000
        )
        if geo.needs_recompute and report.matched:
            jurisdiction.recompute(unclassified_known=True)
        if report.matched:
            signals.events_changed.send(sender=ImportBatch, batch_id=None, events=[[s.id for s in shims]])
    return report
