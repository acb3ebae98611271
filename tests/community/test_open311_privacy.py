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
