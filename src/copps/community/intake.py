"""Taking in a new service request: the one function every channel (Open311, the public form,
an import) uses to create one, so that areas, block address and dates are always filled alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from copps.community.areas import AreaLookup
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

__all__ = ["NewRequest", "create_request"]


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
    found = (areas or AreaLookup()).one(new.lon, new.lat)
    with transaction.atomic():
        sr = ServiceRequest.objects.create(
            service=service,
            description=new.description,
            attributes=new.attributes,
            lat=new.lat,
            lon=new.lon,
            address=new.address,
            address_id=new.address_id,
            block_address=hundred_block(new.address),
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
