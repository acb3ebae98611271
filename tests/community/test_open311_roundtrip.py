"""A client's round trip: post a request, follow the token if the service is a batch one,
and read the request back with the same data, in both formats."""

from __future__ import annotations

import pytest
from tests.community.conftest import BASE, FORMATS, metres_between, parse, post, valid_post


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("service_code", ["GRAF", "DUMP"])
def test_post_follow_and_read_back(services, beats, snap_set, api_key, client, fmt, service_code):
    data = valid_post(api_key, service_code=service_code, description="Bags dumped\r\nby the gate & <fence>",
                      media_url="https://example.org/photo.jpg")
    if service_code != "GRAF":
        del data["attribute[SURFACE]"]
    response = post(client, fmt, data)
    assert response.status_code == 201
    (answer,) = parse(response)
    if "token" in answer:
        (resolved,) = parse(client.get(f"{BASE}/tokens/{answer['token']}.{fmt}"))
        assert resolved["token"] == answer["token"]
        request_id = resolved["service_request_id"]
    else:
        request_id = answer["service_request_id"]
    (item,) = parse(client.get(f"{BASE}/requests/{request_id}.{fmt}"))
    assert item["service_request_id"] == request_id
    assert item["service_code"] == service_code
    assert item["description"] == "Bags dumped\r\nby the gate & <fence>"  # CR, & and < survive both formats
    assert item["status"] == "open"
    assert item["status_notes"] == "Received"
    assert item["address"] == "75XX MAPLE CT"
    # Published at its snap point: near the reported place, never on it.
    assert (float(item["lat"]), float(item["long"])) != (38.71, -121.29)
    assert 10 <= metres_between(38.71, -121.29, float(item["lat"]), float(item["long"])) < 200
    assert item["media_url"] == "https://example.org/photo.jpg"
    (listed,) = parse(client.get(f"{BASE}/requests.{fmt}", {"service_request_id": request_id}))
    assert listed == item
