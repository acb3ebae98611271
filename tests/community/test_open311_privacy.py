"""The reporter's name, e-mail, phone, device and account never appear in any Open311 answer."""

from __future__ import annotations

import pytest
from tests.community.conftest import BASE, FORMATS, REPORTER, parse, post, valid_post

from copps.community.models import ServiceRequest, ServiceRequestToken
from copps.community.states import advance

PRIVATE = [v for k, v in REPORTER.items() if k != "account_id"] + ["7512"]  # and the house number


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_open311_answer_shows_who_reported(services, beats, api_key, client, fmt):
    created = parse(post(client, fmt, valid_post(api_key, **REPORTER)))[0]
    sr = ServiceRequest.objects.get(public_id=created["service_request_id"])
    advance(sr, "closed_not_fixed", reason="Could not find it", notes="Checked twice")
    dump = valid_post(api_key, service_code="DUMP", **REPORTER)
    del dump["attribute[SURFACE]"]
    post(client, fmt, dump)
    token = ServiceRequestToken.objects.get().token
    answers = [
        client.get(f"{BASE}/requests.{fmt}"),
        client.get(f"{BASE}/requests.{fmt}", {"extensions": "true"}),
        client.get(f"{BASE}/requests/{sr.public_id}.{fmt}", {"extensions": "true"}),
        client.get(f"{BASE}/requests.{fmt}", {"service_request_id": sr.public_id}),
        client.get(f"{BASE}/tokens/{token}.{fmt}"),
        client.get(f"{BASE}/services.{fmt}"),
        client.get(f"{BASE}/services/GRAF.{fmt}"),
        client.get(f"{BASE}/discovery.{fmt}"),
        post(client, fmt, valid_post(api_key, **{**REPORTER, "email": "bad"})),
    ]
    assert len(parse(answers[0])) == 2
    for response in answers:
        body = response.content.decode("utf-8")
        for secret in PRIVATE:
            assert secret not in body, f"{secret!r} leaked in {response.request['PATH_INFO']}"
        assert "acct-991827" not in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_what_a_resident_typed_is_published_without_contacts_or_house_numbers(
    services, beats, api_key, client, fmt, snap_set
):
    """A description, a staff note and the "is it one of these?" list carry the resident's own
    words: an e-mail, a phone number or a house number typed into them never goes out."""
    words = "Tag on 4521 Birch Ln again, call me on 916-555-0142 or kim.w@example.net"
    created = parse(post(client, fmt, valid_post(api_key, description=words)))[0]
    sr = ServiceRequest.objects.get(public_id=created["service_request_id"])
    advance(sr, "in_progress", notes="Crew booked for 4521 Birch Ln, owner on 916 555 0199")
    answers = [
        client.get(f"{BASE}/requests.{fmt}"),
        client.get(f"{BASE}/requests/{sr.public_id}.{fmt}", {"extensions": "true"}),
        client.get("/community/report/nearby.json", {"service": sr.service_id, "lat": "38.71", "lon": "-121.29"}),
        client.get("/community/report/details/", {"service": sr.service_id, "lat": "38.71", "lon": "-121.29"}),
    ]
    assert all(r.status_code == 200 for r in answers), [r.status_code for r in answers]
    for response in answers:
        body = response.content.decode("utf-8")
        for secret in ("4521", "916-555-0142", "kim.w@example.net", "0199", "555"):
            assert secret not in body, f"{secret!r} leaked in {response.request['PATH_INFO']}"
        assert "45XX Birch Ln" in body, response.request["PATH_INFO"]
    assert sr.description == words  # staff still read what was written


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "typed",
    [
        "JANE DOE RESIDENCE, BIRCH LN",
        "jane.doe@example.org BIRCH LN",
        "FOUR FIVE TWO ONE BIRCH LN",
        "Jane Doe / Birch Ln",
        "4521 Birch Ln (Jane Doe)",
    ],
)
def test_address_string_is_never_published_as_typed(services, beats, api_key, client, fmt, typed):
    """Open311's address is rebuilt from a parsed street and a hundred (or is empty): a name,
    an e-mail or a spelled-out number typed as the address, a ZIP field holding an e-mail and
    a photo link carrying one never go out."""
    fields = {"address_string": typed, "zipcode": "jane@doe.org", "media_url": "https://jane.doe@example.org/a.jpg"}
    created = parse(post(client, fmt, valid_post(api_key, **fields)))[0]
    sr = ServiceRequest.objects.get(public_id=created["service_request_id"])
    assert sr.address == typed  # staff keep what the resident typed
    answers = [
        client.get(f"{BASE}/requests.{fmt}"),
        client.get(f"{BASE}/requests/{sr.public_id}.{fmt}", {"extensions": "true"}),
    ]
    for response in answers:
        assert response.status_code == 200
        body = response.content.decode("utf-8").upper()
        for secret in ("JANE", "DOE", "FOUR FIVE", "4521", "@"):
            assert secret not in body, f"{secret!r} leaked in {response.request['PATH_INFO']}"
    item = parse(answers[1])[0]
    assert not item.get("address") and not item.get("zipcode") and not item.get("media_url")


def test_a_five_digit_zip_and_a_plain_photo_link_are_published(services, beats, api_key, client):
    fields = {"zipcode": "95610-1234", "media_url": "https://example.org/a.jpg", "address_string": "4521 Birch Ln"}
    created = parse(post(client, "json", valid_post(api_key, **fields)))[0]
    item = client.get(f"{BASE}/requests/{created['service_request_id']}.json").json()[0]
    published = (item["zipcode"], item["media_url"], item["address"])
    assert published == ("95610", "https://example.org/a.jpg", "45XX BIRCH LN")
