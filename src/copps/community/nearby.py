"""Open requests of the same kind near a new report: "is it one of these?", to cut duplicates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from copps.community.models import Service, ServiceRequest
from copps.community.states import CLOSED_STATES, public_label
from copps.geo.blocks import hundred_block
from copps.geo.generalise import public_block
from copps.geo.text import clean_text

__all__ = ["Nearby", "nearby_open", "RADIUS_M", "LOOKBACK_DAYS"]

RADIUS_M = 150.0
LOOKBACK_DAYS = 90
LIMIT = 5
_EARTH_M = 6_371_008.8


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


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(math.sqrt(a))


def nearby_open(service: Service, *, lat: float | None, lon: float | None, address: str = "") -> list[Nearby]:
    """Public requests of ``service``, still open, reported in the last 90 days within 150 m of
    the point (or, with no point, on the same hundred block), nearest first."""
    since = timezone.now() - timedelta(days=LOOKBACK_DAYS)
    qs = (
        ServiceRequest.objects.filter(service=service, public=True, requested_at__gte=since)
        .exclude(state__in=CLOSED_STATES)
        .select_related("service")
    )
    if lat is not None and lon is not None:
        dlat = math.degrees(RADIUS_M / _EARTH_M)
        dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
        rows = qs.filter(lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon))[:200]
        found = sorted(((_metres(lat, lon, r.lat, r.lon), r) for r in rows), key=lambda pair: pair[0])
        chosen = [r for d, r in found if d <= RADIUS_M][:LIMIT]
    else:
        block = hundred_block(address)
        chosen = list(qs.filter(block_address=block)[:LIMIT]) if block else []
    return [
        Nearby(
            public_id=r.public_id,
            service=r.service.name,
            block=public_block(r.address or r.block_address),
            state=public_label(r.state),
            reported=timezone.localtime(r.requested_at).date().isoformat(),
            description=_public_words(r.description),
        )
        for r in chosen
    ]
