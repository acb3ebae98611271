"""POST requests: creating a request as a third-party client, and every way it can be refused."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.community.conftest import BASE, FORMATS, IN_WEST, REPORTER, parse, post, valid_post

from copps.community.models import ApiKey, ServiceRequest, ServiceRequestToken


def plain(api_key: str, code: str) -> dict:
    """A valid POST for a service without questions."""
    data = valid_post(api_key, service_code=code)
    del data["attribute[SURFACE]"]
    return data


def errors_of(response) -> list[str]:
    return [e["description"] for e in parse(response)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_realtime_service_returns_the_new_id_at_once(services, beats, api_key, client, fmt):
    response = post(client, fmt, valid_post(api_key, **REPORTER, **{"attribute[COLOURS][]": ["red", "blue"]}))
    assert response.status_code == 201
    (item,) = parse(response)
    sr = ServiceRequest.objects.get()
    assert item["service_request_id"] == sr.public_id
    assert "token" not in item
    assert item["service_notice"] == "Removed within five working days."
    assert item["account_id"] == "acct-991827"  # the client's own account id, echoed as the spec allows
    assert len(sr.public_id) == 16
    assert sr.state == "received" and sr.status == "open"
    assert sr.block_address == "75XX MAPLE CT" and sr.address == "7512 Maple Ct"
    assert (sr.beat, sr.district) == (beats["west"], beats["district"])
    assert sr.attributes == {"SURFACE": "wall", "COLOURS": ["red", "blue"]}
    assert sr.reporter_email == "zebedee.quixmoor@example.org" and sr.reporter_last_name == "Quixmoor"
    assert sr.agency_responsible == "Public Works"
    assert sr.expected_at is not None and (sr.expected_at - sr.requested_at).days == 5
    assert sr.api_key.name == "Test client" and sr.source == "open311"
    assert ApiKey.objects.get().last_used_at is not None


@pytest.mark.parametrize("fmt", FORMATS)
def test_batch_service_returns_a_token_and_blackbox_returns_neither(services, api_key, client, fmt):
    (batch,) = parse(post(client, fmt, plain(api_key, "DUMP")))
    assert set(batch) == {"token", "service_notice", "account_id"}
    assert ServiceRequestToken.objects.get(token=batch["token"]).request.service.service_code == "DUMP"
    response = post(client, fmt, plain(api_key, "NOIS"))
    assert response.status_code == 201
    (blackbox,) = parse(response)
    assert set(blackbox) == {"service_notice", "account_id"}
    assert ServiceRequest.objects.filter(service__service_code="NOIS").count() == 1


def test_each_new_request_gets_a_different_random_id(services, api_key, client):
    ids = {parse(post(client, "json", valid_post(api_key)))[0]["service_request_id"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_missing_or_unknown_api_key_is_403(services, client, fmt, key):
    data = valid_post(key or "")
    if key is None:
        del data["api_key"]
    response = post(client, fmt, data)
    assert response.status_code == 403
    assert errors_of(response) == ["api_key is missing, unknown or revoked"]
    assert not ServiceRequest.objects.exists()


def test_revoked_api_key_is_403(services, api_key, client):
    ApiKey.objects.update(active=False)
    assert post(client, "json", valid_post(api_key)).status_code == 403


def test_post_needs_no_csrf_token_because_the_api_key_authenticates_it(services, api_key):
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, "json", valid_post(api_key)).status_code == 201


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_service_code_is_400_and_unknown_or_withdrawn_is_404(services, api_key, client, fmt):
    response = post(client, fmt, valid_post(api_key, service_code=""))
    assert response.status_code == 400
    assert errors_of(response) == ["service_code was not provided"]
    for code in ("NOPE", "OLD"):
        response = post(client, fmt, valid_post(api_key, service_code=code))
        assert response.status_code == 404
        assert code in errors_of(response)[0]


@pytest.mark.parametrize("changes,error", [
    ({"lat": "", "long": "", "address_string": ""},
     "a location is required: lat and long, address_string or address_id"),
    ({"long": ""}, "lat and long must be sent together"),
    ({"lat": "north", "long": "-121.29"}, "lat and long must be decimal degrees (WGS 84)"),
    ({"lat": "91", "long": "-121.29"}, "lat must lie within -90..90 and long within -180..180"),
    ({"lat": "nan", "long": "-121.29"}, "lat must lie within -90..90 and long within -180..180"),
    ({"lat": "0", "long": "0", "address_string": ""},
     "a location is required: lat and long, address_string or address_id"),
    ({"description": "x" * 4001}, "description is longer than 4000 characters"),
    ({"description": "bell\x07"}, "description contains control characters"),
    ({"last_name": "Ng\x1d"}, "last_name contains control characters"),  # str.strip() would drop it
    ({"email": "not an address"}, "email is not a valid e-mail address"),
    ({"media_url": "javascript:alert(1)"}, "media_url is not an http(s) URL"),
    ({"attribute[SURFACE]": ""}, "attribute[SURFACE] is required: What is painted?"),
    ({"attribute[SURFACE]": "roof"}, "attribute[SURFACE] must be one of the keys sign, wall"),
    ({"attribute[SURFACE][]": ["wall", "sign"]}, "attribute[SURFACE] takes one value"),
    ({"attribute[COLOURS][]": ["red", "green"]}, "attribute[COLOURS] must be one of the keys blue, red"),
    ({"attribute[SIZE]": "big"}, "attribute[SIZE] must be a number"),
    ({"attribute[SEEN]": "yesterday"}, "attribute[SEEN] must be an ISO 8601 datetime"),
    ({"attribute[WORDS]": "two\nlines"}, "attribute[WORDS] must be a single line"),
    ({"attribute[NOTE]": "hello"}, "attribute[NOTE] is not a question of service GRAF"),
    ({"attribute[COLOR]": "red"}, "attribute[COLOR] is not a question of service GRAF"),
])
@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_fields_are_400_naming_the_field(services, api_key, client, fmt, changes, error):
    data = valid_post(api_key)
    data.update(changes)
    if "attribute[SURFACE][]" in changes:
        del data["attribute[SURFACE]"]
    response = post(client, fmt, data)
    assert response.status_code == 400
    assert errors_of(response) == [error]
    assert [str(e["code"]) for e in parse(response)] == ["400"]
    assert not ServiceRequest.objects.exists()


def test_every_bad_field_is_reported_at_once(services, api_key, client):
    response = post(client, "json", valid_post(api_key, email="nope", description="x" * 4001,
                                                **{"attribute[SURFACE]": "roof"}))
    assert response.status_code == 400
    assert len(parse(response)) == 3


def test_address_alone_or_address_id_alone_is_a_location(services, api_key, client):
    for extra in ({"address_string": "12 Elm St"}, {"address_string": "", "address_id": "A-1"}):
        data = valid_post(api_key, lat="", long="", **extra)
        assert post(client, "json", data).status_code == 201
    assert ServiceRequest.objects.filter(lat__isnull=True).count() == 2


def test_valid_answers_of_every_type_are_kept(services, api_key, client):
    data = valid_post(api_key, **{"attribute[SIZE]": "2.5", "attribute[SEEN]": "2026-11-27T22:10:00-08:00",
                                  "attribute[WORDS]": "hello"})
    assert post(client, "json", data).status_code == 201
    assert ServiceRequest.objects.get().attributes == {
        "SURFACE": "wall", "SIZE": "2.5", "SEEN": "2026-11-27T22:10:00-08:00", "WORDS": "hello"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_retry_with_the_same_idempotency_key_creates_nothing_new(services, api_key, client, fmt):
    first = post(client, fmt, valid_post(api_key), **{"Idempotency-Key": "retry-1"})
    again = post(client, fmt, valid_post(api_key), **{"Idempotency-Key": "retry-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert parse(first) == parse(again)
    assert ServiceRequest.objects.count() == 1


def test_the_same_idempotency_key_for_a_different_request_is_422(services, api_key, client):
    post(client, "json", valid_post(api_key), **{"Idempotency-Key": "k"})
    response = post(client, "json", valid_post(api_key, description="Another"), **{"Idempotency-Key": "k"})
    assert response.status_code == 422
    assert errors_of(response) == ["this Idempotency-Key was already used for a different request"]
    assert ServiceRequest.objects.count() == 1


def test_idempotency_keys_belong_to_one_api_key(services, api_key, client):
    _, other = ApiKey.issue("Other client")
    post(client, "json", valid_post(api_key), **{"Idempotency-Key": "k"})
    assert post(client, "json", valid_post(other), **{"Idempotency-Key": "k"}).status_code == 201
    assert ServiceRequest.objects.count() == 2


def test_an_overlong_idempotency_key_is_400(services, api_key, client):
    assert post(client, "json", valid_post(api_key), **{"Idempotency-Key": "k" * 201}).status_code == 400


def test_non_ascii_text_arrives_and_leaves_as_utf8(services, api_key, client):
    text = "Pintada en la pared: «¡fuera!» 🚫 near Café Ñandú"
    (item,) = parse(post(client, "xml", valid_post(api_key, description=text)))
    for fmt in FORMATS:
        (doc,) = parse(client.get(f"{BASE}/requests/{item['service_request_id']}.{fmt}"))
        assert doc["description"] == text


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_405_with_allow(services, client, fmt, method):
    response = getattr(client, method)(f"{BASE}/requests.{fmt}")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert str(parse(response)[0]["code"]) == "405"
    response = client.post(f"{BASE}/services.{fmt}")
    assert response.status_code == 405 and response["Allow"] == "GET"


def test_location_outside_every_beat_is_kept_without_a_beat(services, beats, api_key, client):
    post(client, "json", valid_post(api_key, lat="38.80", long="-121.29"))
    sr = ServiceRequest.objects.get()
    assert sr.lat == 38.80 and sr.beat is None and sr.district is None


def test_in_the_east_beat(services, beats, api_key, client):
    post(client, "json", valid_post(api_key, lat="38.71", long="-121.27"))
    assert ServiceRequest.objects.get().beat == beats["east"]


def test_coordinates_given_with_the_address(services, api_key, client):
    post(client, "json", valid_post(api_key, **IN_WEST))
    sr = ServiceRequest.objects.get()
    assert (sr.lat, sr.lon) == (38.71, -121.29)
