"""The event table: every crime, call, collision and service request of the city.

A dataclass of equal-length numpy arrays (one row per event), so analysis can
take columns straight into numpy. Times are local (America/Los_Angeles)
naive ``datetime64[s]``; coordinates are true locations (local metres and
WGS84) whether or not the exported row carries them (see ``geocoded``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

__all__ = ["KINDS", "EventTable"]

KINDS = ("crime", "call", "collision", "request")


@dataclass(frozen=True)
class EventTable:
    """Events as parallel arrays.

    Attributes
    ----------
    id : int
        Source id within its kind (Incident ID, CAD CDW ID, CASE_ID, request number).
    kind : str
        ``crime`` | ``call`` | ``collision`` | ``request``.
    type_key : str
        Internal type key (``burglary_residential``, ``disturbance``, ``graffiti``...).
    category, subcategory, offence : str
        Crime: SFPD category, subcategory, description. Call: initial type group,
        subgroup, description. Collision: ``Traffic Collision``, severity, primary
        collision factor. Request: service name, service code, description.
    sensitive : str
        ``""`` or ``sexual`` / ``domestic`` / ``juvenile``.
    occurred_from, occurred_to, reported_at : datetime64[s]
        Aoristic window (equal when the time is known) and the report time.
    true_time : datetime64[s]
        When it really happened (inside the window): simulation truth only.
    x, y, lon, lat : float
        Location in EPSG:32610 metres and WGS84.
    parcel, node : int
        Parcel (-1 at an intersection) and nearest intersection node.
    address : str
        House number and street, or ``"A ST / B AVE"`` at an intersection.
    facility : int
        Facility index or -1.
    beat, district, hood : str
        Beat code, district code, neighbourhood code.
    hotspot : int
        Planted hot spot whose circle holds the event, or -1.
    parent : int
        Row (in this table) of the burglary that triggered it (near repeat), or -1.
    link : int
        For calls: row of the crime or collision that raised it, or -1.
    geocoded : bool
        Whether the exported row carries coordinates.
    channel : str
        How it reached the agency: ``phone``, ``online``, ``onview`` (officer
        initiated), ``911``, ``report`` (collision report), ``app`` (Open311).
    street : int
        The street the event is on (a parcel's frontage, a collision's primary road).
    """

    id: np.ndarray
    kind: np.ndarray
    type_key: np.ndarray
    category: np.ndarray
    subcategory: np.ndarray
    offence: np.ndarray
    sensitive: np.ndarray
    occurred_from: np.ndarray
    occurred_to: np.ndarray
    reported_at: np.ndarray
    true_time: np.ndarray
    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    parcel: np.ndarray
    node: np.ndarray
    address: np.ndarray
    facility: np.ndarray
    beat: np.ndarray
    district: np.ndarray
    hood: np.ndarray
    hotspot: np.ndarray
    parent: np.ndarray
    link: np.ndarray
    geocoded: np.ndarray
    channel: np.ndarray
    street: np.ndarray

    def __len__(self) -> int:
        return len(self.id)

    def select(self, mask: np.ndarray) -> EventTable:
        """The rows where ``mask`` holds (a boolean mask or an index array)."""
        return EventTable(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})

    def of_kind(self, kind: str) -> EventTable:
        return self.select(self.kind == kind)

    @classmethod
    def concat(cls, tables: list[EventTable]) -> EventTable:
        """Stack tables; ``parent`` and ``link`` rows are re-based to the result."""
        out = {}
        offsets = np.cumsum([0] + [len(t) for t in tables[:-1]])
        for f in fields(cls):
            parts = []
            for off, t in zip(offsets, tables, strict=False):
                col = getattr(t, f.name)
                if f.name in ("parent",):
                    col = np.where(col >= 0, col + off, -1)
                parts.append(col)
            out[f.name] = np.concatenate(parts)
        return cls(**out)

    def counts(self) -> dict[str, int]:
        """Number of events of each kind."""
        return {k: int(np.sum(self.kind == k)) for k in KINDS}
