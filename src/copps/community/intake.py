"""Taking in a new service request: the one function every channel (Open311, the public form,
an import) uses to create one, so that areas, block address and dates are always filled alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from copps.community.areas import AreaLookup
from copps.community.engagement import gazetteer
from copps.community.models import (
    ApiKey,
    RequestPhoto,
    Service,
    ServiceRequest,
    ServiceRequestToken,
    new_public_id,
)
from copps.community.photos import CleanPhoto
from copps.geo.blocks import hundred_block
from copps.geo.gazetteer.places import block_at

__all__ = ["NewRequest", "create_request", "located", "public_block"]


@dataclass
class NewRequest:
    """What a reporter told us, already checked."""

    service: Service
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    address_id: str = ""
    zipcode: str = ""
    attributes: dict = field(default_factory=dict)
    media_url: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""
    name_private: bool = True
    photo: CleanPhoto | None = None
    language: str = ""  # the reporter's language when known (the report page's), for replies


def located(new: NewRequest) -> tuple[float | None, float | None]:
    """Where the request is: the reporter's point if they gave one, else, for an address alone,
    the point of its hundred block in the gazetteer (``copps gazetteer``; the same block only,
    never a neighbouring one), so that address-only reports reach the maps, their beat and the
    candidate scan. Still (None, None) when the gazetteer does not know the block."""
    if new.lat is not None and new.lon is not None:
        return new.lat, new.lon
    if not new.address:
        return None, None
    block = gazetteer.geocode(new.address)
    if block is None or not block.exact:
        return None, None
    return block.lat, block.lon


def public_block(address: str, lat: float | None, lon: float | None) -> str:
    """The request's public place: the hundred block of the address the reporter typed, else
    of the point they marked (the nearest street centreline's address range, ``copps geocode
    load-streets``); "" when neither gives one."""
    block = hundred_block(address)
    if block or lat is None or lon is None:
        return block
    place = block_at(lon, lat)
    return place.label if place else ""


def create_request(
    new: NewRequest,
    *,
    source: str,
    api_key: ApiKey | None = None,
    idempotency_key: str | None = None,
    payload_hash: str = "",
    areas: AreaLookup | None = None,
) -> ServiceRequest:
    """Store a new request (with its photo, and its token for a batch service) in one transaction.

    Every request gets a private ``track_key`` as well as its public id; only the public report
    page tells it to the reporter (Open311 clients follow their requests by the public id).
    """
    now = timezone.now()
    service = new.service
    lat, lon = located(new)
    found = (areas or AreaLookup()).one(lon, lat)
    with transaction.atomic():
        sr = ServiceRequest.objects.create(
            service=service,
            description=new.description,
            attributes=new.attributes,
            lat=lat,
            lon=lon,
            address=new.address,
            address_id=new.address_id,
            block_address=public_block(new.address, new.lat, new.lon),
            zipcode=new.zipcode,
            beat_id=found["beat_id"],
            district_id=found["district_id"],
            requested_at=now,
            updated_at=now,
            expected_at=now + timedelta(days=service.expected_days) if service.expected_days else None,
            agency_responsible=service.agency_responsible,
            service_notice=service.service_notice,
            media_url=new.media_url,
            reporter_first_name=new.first_name,
            reporter_last_name=new.last_name,
            reporter_email=new.email,
            reporter_phone=new.phone,
            device_id=new.device_id,
            account_id=new.account_id,
            api_key=api_key,
            idempotency_key=idempotency_key,
            payload_hash=payload_hash,
            source=source,
            reporter_name_private=new.name_private,
            track_key=new_public_id(),
            language=new.language[:8],
        )
        if new.photo is not None:
            RequestPhoto.objects.create(
                request=sr,
                data=new.photo.data,
                content_type=new.photo.content_type,
                width=new.photo.width,
                height=new.photo.height,
            )
        if service.type == Service.Type.BATCH:
            # copps stores the request at once, so the token resolves at once; the token table
            # keeps a nullable link so that a queued intake could resolve it later.
            ServiceRequestToken.objects.create(request=sr)
    return sr
