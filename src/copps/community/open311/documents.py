"""Open311 documents built from copps records: what each element holds.

Text elements are strings ("" when empty) and the optional location elements are null when
unknown, as the real Bloomington responses have them. Only public fields go in: the
reporter's name, e-mail, phone, device and account never do; the address is its hundred
block rebuilt from the parsed street (``copps.geo.generalise.public_block``: never the typed
text) and the point a generalised one (``open311/public.py``), never the reported location;
the ZIP code only as five digits and the photo link only without an identity in it.
``extended_attributes`` (the department's richer state, beat and district) appear only
when the client asks with ``extensions=true``, the convention other GeoReport servers use
for non-standard fields.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from copps.community.models import Service, ServiceRequest
from copps.community.states import State, public_note
from copps.geo.text import clean_text

from .public import PublicPlace, public_media_url, public_zipcode

__all__ = ["w3c", "service_item", "service_definition", "request_item", "post_item", "token_item", "discovery"]

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def w3c(value: datetime | None) -> str | None:
    """ISO 8601 in the agency's time zone, with its UTC offset: 2012-05-23T15:55:28-04:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def service_item(service: Service) -> dict:
    return {
        "service_code": service.service_code,
        "service_name": service.name,
        "description": service.description,
        "metadata": service.metadata,
        "type": service.type,
        "keywords": service.keywords,
        "group": service.group,
    }


def service_definition(service: Service) -> dict:
    return {
        "service_code": service.service_code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description or None,
                "order": a.order,
                "description": a.description,
                "values": [{"key": str(v.get("key")), "name": str(v.get("name", ""))} for v in a.values or []],
            }
            for a in service.attributes.all()
        ],
    }


def request_item(sr: ServiceRequest, place: PublicPlace, *, extensions: bool = False) -> dict:
    """One request as published; ``place`` is its generalised location (``public_places``)."""
    item = {
        "service_request_id": sr.public_id,
        "status": sr.status,
        "status_notes": public_note(sr),
        "service_name": sr.service.name,
        "service_code": sr.service.service_code,
        "description": clean_text(sr.description),
        "agency_responsible": sr.agency_responsible,
        "service_notice": sr.service_notice,
        "requested_datetime": w3c(sr.requested_at),
        "updated_datetime": w3c(sr.updated_at),
        "expected_datetime": w3c(sr.expected_at),
        "address": place.block,
        # the reporter's address id names one house in the city's address file: never published
        "address_id": None,
        "zipcode": public_zipcode(sr.zipcode),
        "lat": place.lat,
        "long": place.lon,
        "media_url": public_media_url(sr.media_url),
    }
    if extensions:
        item["extended_attributes"] = {
            "state": sr.state,
            "state_label": State(sr.state).label,
            # staff's words, scrubbed as in status_notes (no contact, no house number)
            "closed_reason": clean_text(sr.closed_reason) or None,
            "beat": sr.beat.code if sr.beat else None,
            "district": sr.district.code if sr.district else None,
        }
    return item


def post_item(sr: ServiceRequest) -> dict:
    """The answer to a POST: the id (realtime), a token (batch) or neither (blackbox)."""
    item: dict = {}
    if sr.service.type == Service.Type.REALTIME:
        item["service_request_id"] = sr.public_id
    elif sr.service.type == Service.Type.BATCH:
        item["token"] = sr.token.token
    item["service_notice"] = sr.service_notice
    item["account_id"] = sr.account_id or None
    return item


def token_item(token: str, sr: ServiceRequest | None) -> dict:
    return {"service_request_id": sr.public_id if sr else None, "token": token}


def discovery(*, url: str, changeset: datetime | None, production: bool) -> dict:
    stamp = w3c(changeset) or "1970-01-01T00:00:00+00:00"
    return {
        "changeset": stamp,
        "contact": "The police department's community liaison; see the department's web site.",
        "key_service": "API keys for third-party clients are issued by the department's copps "
        "administrator (Django admin, Community > API keys).",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": stamp,
                "type": "production" if production else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
