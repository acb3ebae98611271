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
