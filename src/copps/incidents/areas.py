"""Beats, districts and neighbourhoods: loading their polygons and assigning events to them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.db import connection, transaction
from shapely.geometry import mapping, shape

from copps.geo.areas import AreaIndex
from copps.geo.features import FeatureFileError, read_features
from copps.incidents import signals
from copps.incidents.models import Area, Event

__all__ = [
    "AreaFileError",
    "AreaImportResult",
    "read_features",
    "import_areas",
    "area_indexes",
    "assign_events",
    "EVENT_FIELD",
]

# Area type -> the Event column that holds the assignment.
EVENT_FIELD = {
    Area.Type.BEAT: "beat_id",
    Area.Type.DISTRICT: "district_id",
    Area.Type.NEIGHBOURHOOD: "neighbourhood_id",
}


# A boundary file copps cannot read: the one feature reader's error (copps.geo.features).
AreaFileError = FeatureFileError


@dataclass
class AreaImportResult:
    file: str
    type: str
    created: int = 0
    updated: int = 0
    assigned: int = 0
    outside: int = 0
    compared: int = 0
    agreeing: int = 0
    locations: dict | None = None  # location status -> events, after the jurisdiction changed
    jurisdiction: str = ""

    @property
    def agreement(self) -> float | None:
        return self.agreeing / self.compared if self.compared else None

    def summary(self) -> str:
        text = f"{self.file}: {self.created} {self.type} areas created, {self.updated} updated"
        if self.type in EVENT_FIELD:
            text += f"; {self.assigned:,} events assigned, {self.outside:,} geocoded events outside every {self.type}"
        if self.agreement is not None:
            text += (
                f"; the area holding the point agrees with the {self.type} named in the source row for "
                f"{self.agreeing:,} of {self.compared:,} events ({self.agreement:.2%})"
            )
        if self.locations is not None:
            from copps.incidents.jurisdiction import describe_counts

            text += f"\njurisdiction: {self.jurisdiction}; events: {describe_counts(self.locations)}"
        return text


def _key(value) -> str:
    """Compare beat names the way people write them: '0421', '421 ', '421' are the same beat."""
    text = str(value).strip().upper()
    return text.lstrip("0") or text


def import_areas(
    path: Path,
    *,
    type: str,
    name_field: str,
    code_field: str | None = None,
    parent_field: str | None = None,
    parent_type: str | None = None,
) -> AreaImportResult:
    """Create or update areas of ``type`` from a boundary file and (re)assign every event."""
    features = read_features(path)
    if not features:
        raise AreaFileError(f"{path}: no polygon features")
    fields = set(features[0][0])
    for label, f in (("--name-field", name_field), ("--code-field", code_field), ("--parent-field", parent_field)):
        if f and f not in fields:
            raise AreaFileError(
                f"{path}: {label} {f!r} is not a property of the features; they have: {', '.join(sorted(fields))}"
            )
    result = AreaImportResult(file=str(path), type=type)
    # Several features may carry one code (a beat drawn in two parts): they make one area.
    grouped: dict[str, list] = {}
    for props, geometry in features:
        code = str(props[code_field or name_field]).strip()
        geom = shape(geometry)
        grouped.setdefault(code, [props, []])[1].append(geom if geom.is_valid else shapely.make_valid(geom))
    parents = {_key(a.code): a for a in Area.objects.filter(type=parent_type)} if parent_type else {}
    with transaction.atomic():
        for code, (props, parts) in grouped.items():
            geom = parts[0] if len(parts) == 1 else shapely.union_all(parts)
            minx, miny, maxx, maxy = geom.bounds
            parent = parents.get(_key(props[parent_field])) if parent_field else None
            _, created = Area.objects.update_or_create(
                type=type,
                code=code,
                defaults={
                    "name": str(props[name_field]).strip(),
                    "geometry": mapping(geom),
                    "parent": parent,
                    "min_lon": minx,
                    "min_lat": miny,
                    "max_lon": maxx,
                    "max_lat": maxy,
                },
            )
            result.created += created
            result.updated += not created
        if type in EVENT_FIELD:
            assign_events(type, result)
        # the jurisdiction is the city limits, else the union of the areas: either may have moved
        from copps.incidents import jurisdiction

        result.locations = dict(jurisdiction.recompute())
        judged = jurisdiction.current()
        # areas' names and codes are in every published record, and events moved between areas
        signals.events_changed.send(sender=Area, batch_id=None, events=None)
        result.jurisdiction = judged.label if judged else "none yet (no geocoded events)"
    return result


def area_indexes(types=None) -> dict[str, AreaIndex]:
    """Event column -> point-in-polygon index over the areas of that type."""
    out = {}
    for type_, column in EVENT_FIELD.items():
        if types and type_ not in types:
            continue
        areas = list(Area.objects.filter(type=type_).values_list("id", "geometry"))
        if areas:
            out[column] = AreaIndex([a[0] for a in areas], [shape(a[1]) for a in areas])
    return out


def assign_events(type: str, result: AreaImportResult | None = None, chunk: int = 50_000) -> AreaImportResult:
    """Assign every geocoded event to the area of ``type`` holding it (one UPDATE per area and chunk)."""
    result = result or AreaImportResult(file="", type=type)
    column = EVENT_FIELD[type]
    index = area_indexes([type]).get(column)
    codes = {a.id: _key(a.code) for a in Area.objects.filter(type=type)} | {None: None}
    names = {a.id: _key(a.name) for a in Area.objects.filter(type=type)}
    table = Event._meta.db_table
    last_id = 0
    while True:
        rows = list(
            Event.objects.filter(id__gt=last_id, lat__isnull=False)
            .order_by("id")
            .values_list("id", "lon", "lat", "source_beat")[:chunk]
        )
        if not rows:
            break
        last_id = rows[-1][0]
        ids = np.array([r[0] for r in rows])
        keys = (
            index.lookup(np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))
            if index
            else np.full(len(rows), None)
        )
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {table} SET {column} = NULL WHERE id BETWEEN %s AND %s", [int(ids[0]), int(last_id)])
            for key in set(keys) - {None}:
                members = [int(i) for i in ids[keys == key]]
                for start in range(0, len(members), 900):
                    part = members[start : start + 900]
                    cur.execute(
                        f"UPDATE {table} SET {column} = %s WHERE id IN ({', '.join(['%s'] * len(part))})", [key, *part]
                    )
        result.assigned += int(sum(k is not None for k in keys))
        result.outside += int(sum(k is None for k in keys))
        if type == Area.Type.BEAT:
            for (_, _, _, named), key in zip(rows, keys, strict=False):
                if named.strip():
                    result.compared += 1
                    result.agreeing += key is not None and _key(named) in (codes[key], names[key])
    return result
