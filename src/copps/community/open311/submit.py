"""POST requests: checking an Open311 submission field by field, then creating the request.

Every problem found is reported at once (the spec's error list holds several), each naming
its field. A retried POST carrying the same ``Idempotency-Key`` header (per API key) gets the
request created the first time instead of a duplicate; the same key with a different
submission is refused with 422.
"""

from __future__ import annotations

import hashlib
import math
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from copps.community.intake import NewRequest, create_request
from copps.community.models import ApiKey, Service, ServiceAttribute, ServiceRequest

from .errors import Open311Error, bad_request, forbidden, not_found

__all__ = ["submit", "check_answers", "MAX_DESCRIPTION"]

MAX_DESCRIPTION = 4000  # the spec's limit
_ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\[\]]+)\](?:\[\])?$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LIMITS = {"first_name": 100, "last_name": 100, "phone": 40, "device_id": 200, "account_id": 200,
           "address_string": 300, "address_id": 64, "zipcode": 16, "media_url": 1000}


def _text(data: QueryDict, name: str, errors: list[str]) -> str:
    raw = data.get(name, "")
    if _CONTROL.search(raw):  # before stripping, which would quietly drop \x1c-\x1f at the ends
        errors.append(f"{name} contains control characters")
    value = raw.strip()
    limit = MAX_DESCRIPTION if name == "description" else _LIMITS.get(name, 300)
    if len(value) > limit:
        errors.append(f"{name} is longer than {limit} characters")
    return value


def _location(data: QueryDict, errors: list[str]) -> tuple[float | None, float | None]:
    raw_lat, raw_lon = data.get("lat", "").strip(), data.get("long", "").strip()
    if not raw_lat and not raw_lon:
        return None, None
    if not raw_lat or not raw_lon:
        errors.append("lat and long must be sent together")
        return None, None
    try:
        lat, lon = float(raw_lat), float(raw_lon)
    except ValueError:
        errors.append("lat and long must be decimal degrees (WGS 84)")
        return None, None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        errors.append("lat must lie within -90..90 and long within -180..180")
        return None, None
    if lat == 0 and lon == 0:
        return None, None  # some apps send 0,0 for "no location"
    return lat, lon


def _check_value(attr: ServiceAttribute, value: str) -> str | None:
    """Why ``value`` is not a valid answer to ``attr``, or None."""
    kind = ServiceAttribute.Datatype
    if attr.datatype == kind.STRING and ("\n" in value or "\r" in value):
        return "must be a single line"
    if attr.datatype == kind.NUMBER:
        try:
            if not math.isfinite(float(value)):
                raise ValueError
        except ValueError:
            return "must be a number"
    if attr.datatype == kind.DATETIME:
        try:
            ok = parse_datetime(value) is not None
        except ValueError:
            ok = False
        if not ok:
            return "must be an ISO 8601 datetime"
    if attr.is_list and value not in attr.value_keys():
        return f"must be one of the keys {', '.join(sorted(attr.value_keys()))}"
    return None


def _attributes(data: QueryDict, service: Service, errors: list[str]) -> dict:
    given: dict[str, list[str]] = {}
    for key, values in data.lists():
        m = _ATTRIBUTE.match(key)
        if m:
            given.setdefault(m["code"], []).extend(v.strip() for v in values if v.strip())
    return check_answers(service, given, errors)


def check_answers(service: Service, given: dict[str, list[str]], errors: list[str]) -> dict:
    """The answers to ``service``'s questions, checked (problems appended to ``errors``); the
    public report page checks its answers with this too."""
    defined = {a.code: a for a in service.attributes.all()}
    answers: dict = {}
    for code in sorted(set(given) - {c for c, a in defined.items() if a.variable}):
        errors.append(f"attribute[{code}] is not a question of service {service.service_code}")
    for code, attr in defined.items():
        if not attr.variable:
            continue
        values = given.get(code, [])
        if not values:
            if attr.required:
                errors.append(f"attribute[{code}] is required: {attr.description}")
            continue
        if len(values) > 1 and attr.datatype != ServiceAttribute.Datatype.MULTIVALUELIST:
            errors.append(f"attribute[{code}] takes one value")
            continue
        for value in values:
            problem = _check_value(attr, value)
            if problem:
                errors.append(f"attribute[{code}] {problem}")
        answers[code] = values if attr.datatype == ServiceAttribute.Datatype.MULTIVALUELIST else values[0]
    return answers


def _payload_hash(data: QueryDict) -> str:
    items = sorted((k, v) for k, vs in data.lists() if k != "api_key" for v in vs)
    return hashlib.sha256(repr(items).encode("utf-8")).hexdigest()


def _replay(key: str, payload_hash: str) -> ServiceRequest | None:
    earlier = ServiceRequest.objects.select_related("service").filter(idempotency_key=key).first()
    if earlier is not None and earlier.payload_hash != payload_hash:
        raise Open311Error(422, "this Idempotency-Key was already used for a different request")
    return earlier


def submit(request: HttpRequest) -> tuple[ServiceRequest, bool]:
    """Check the POSTed form and create the request: (request, created)."""
    data = request.POST
    api_key = ApiKey.find(data.get("api_key", "").strip())
    if api_key is None:
        raise forbidden("api_key is missing, unknown or revoked")
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    payload_hash = _payload_hash(data)
    client_key = request.headers.get("Idempotency-Key", "").strip()
    if len(client_key) > 200:
        raise bad_request("Idempotency-Key is longer than 200 characters")
    idempotency_key = f"{api_key.pk}:{client_key}" if client_key else None
    if idempotency_key:
        earlier = _replay(idempotency_key, payload_hash)
        if earlier is not None:
            return earlier, False

    code = data.get("service_code", "").strip()
    if not code:
        raise bad_request("service_code was not provided")
    service = Service.objects.filter(service_code=code, active=True).prefetch_related("attributes").first()
    if service is None:
        raise not_found(f"service_code {code!r}")
    errors: list[str] = []
    lat, lon = _location(data, errors)
    fields = {name: _text(data, name, errors) for name in (
        "description", "address_string", "address_id", "zipcode", "first_name", "last_name", "phone",
        "device_id", "account_id", "media_url", "email")}
    if lat is None and not fields["address_string"] and not fields["address_id"] and not errors:
        errors.append("a location is required: lat and long, address_string or address_id")
    if fields["email"]:
        try:
            validate_email(fields["email"])
        except ValidationError:
            errors.append("email is not a valid e-mail address")
    if fields["media_url"]:
        try:
            URLValidator(schemes=["http", "https"])(fields["media_url"])
        except ValidationError:
            errors.append("media_url is not an http(s) URL")
    answers = _attributes(data, service, errors)
    if errors:
        raise bad_request(*errors)
    new = NewRequest(
        service=service, description=fields["description"], lat=lat, lon=lon,
        address=fields["address_string"], address_id=fields["address_id"], zipcode=fields["zipcode"],
        attributes=answers, media_url=fields["media_url"], first_name=fields["first_name"],
        last_name=fields["last_name"], email=fields["email"], phone=fields["phone"],
        device_id=fields["device_id"], account_id=fields["account_id"],
    )
    try:
        created = create_request(new, source="open311", api_key=api_key, idempotency_key=idempotency_key,
                                 payload_hash=payload_hash)
    except IntegrityError:
        # Two retries raced with one key: the other one won, answer with its request.
        earlier = _replay(idempotency_key, payload_hash) if idempotency_key else None
        if earlier is None:
            raise
        return earlier, False
    return created, True
