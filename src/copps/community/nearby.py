"""Open requests of the same kind near a new report: "is it one of these?", to cut duplicates.

The look-up is public and the caller picks the point, so its answer must never depend on a
request's true location: "is it within 150 m of here?" asked from chosen points is a distance
oracle, and a few dozen questions find the reporter's door (issue 13). So the test runs on
public places only. With a snap-point set, each request stands at the snap point Open311
publishes for it and the caller's point is first moved to the snap point whose catchment holds
it; a request is near when the two public points lie within 150 m. Every caller point in one
catchment gets the same answer, and the answer follows from published points alone. Without a
snap set nothing is published as a point, so only the hundred block of a typed address is
compared with the requests' public hundred blocks (a map click alone finds nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.utils import timezone

from copps.community import hooks
from copps.community.models import Service, ServiceRequest
from copps.community.open311.public import published_snaps
from copps.community.states import CLOSED_STATES, public_label
from copps.geo.blocks import hundred_block
from copps.geo.crs import Projector
from copps.geo.generalise import public_block
from copps.geo.text import clean_text

__all__ = ["Nearby", "nearby_open", "RADIUS_M", "LOOKBACK_DAYS"]

RADIUS_M = 150.0
LOOKBACK_DAYS = 90
LIMIT = 5
# The open requests of one kind looked at, newest first: the test cannot narrow them by their
# true points (that would be the oracle again), so it reads a bounded number.
CANDIDATES = 5000


@dataclass(frozen=True)
class Nearby:
    """What a resident may see of someone else's open request: nothing private, no exact place."""

    public_id: str
    service: str
    block: str
    state: str
    reported: str  # the date only
    description: str

    def as_json(self) -> dict:
        return {
            "service_request_id": self.public_id,
            "service": self.service,
            "block": self.block,
            "state": self.state,
            "reported": self.reported,
            "description": self.description,
        }


def _public_words(text: str) -> str:
    """Someone else's description as a resident may read it: scrubbed, then shortened."""
    text = clean_text(text)
    return (text[:200] + "…") if len(text) > 200 else text


def _snap_set():
    return hooks.public_points()  # read only: publish/ keeps the public points and offers them


def _near_public_points(qs, stored, lat: float, lon: float) -> list[ServiceRequest]:
    """Requests whose published snap point lies within RADIUS_M of the snap point of the
    caller's catchment, nearest first (newest first among equals)."""
    x, y = Projector(stored.crs).forward(np.array([lon], float), np.array([lat], float))
    here = int(stored.snaps.nearest(x, y)[0])
    if here < 0:
        return []
    rows = list(qs.filter(lat__isnull=False, lon__isnull=False).order_by("-requested_at", "-id")[:CANDIDATES])
    snaps = published_snaps(stored, rows)
    placed = snaps >= 0
    dist = np.full(len(rows), np.inf)
    dist[placed] = np.hypot(
        stored.snaps.x[snaps[placed]] - stored.snaps.x[here], stored.snaps.y[snaps[placed]] - stored.snaps.y[here]
    )
    order = np.argsort(dist, kind="stable")
    return [rows[i] for i in order if dist[i] <= RADIUS_M][:LIMIT]


def nearby_open(service: Service, *, lat: float | None, lon: float | None, address: str = "") -> list[Nearby]:
    """Public requests of ``service``, still open, reported in the last 90 days, whose public
    place is near the caller's (see the module's note), nearest first."""
    since = timezone.now() - timedelta(days=LOOKBACK_DAYS)
    qs = (
        ServiceRequest.objects.public().filter(service=service, requested_at__gte=since)
        .exclude(state__in=CLOSED_STATES)
        .select_related("service")
    )
    stored = _snap_set() if lat is not None and lon is not None else None
    if stored is not None:
        chosen = _near_public_points(qs, stored, lat, lon)
    else:
        block = hundred_block(address)
        chosen = list(qs.filter(block_address=block)[:LIMIT]) if block else []
    return [
        Nearby(
            public_id=r.public_id,
            service=r.service.public_name,
            block=public_block(r.address or r.block_address),
            state=public_label(r.state),
            reported=timezone.localtime(r.requested_at).date().isoformat(),
            description=_public_words(r.description),
        )
        for r in chosen
    ]
