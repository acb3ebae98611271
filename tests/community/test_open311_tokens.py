"""GET tokens/{token}: a batch service's token exchanged for the request id."""

from __future__ import annotations

import pytest
from tests.community.conftest import BASE, FORMATS, get_both, parse

from copps.community.models import ServiceRequest, ServiceRequestToken


def test_a_token_resolves_to_its_request_id(make_request, client):
    sr = make_request(service="DUMP")
    token = ServiceRequestToken.objects.create(request=sr)
    assert get_both(client, f"tokens/{token.token}") == (
        200, [{"service_request_id": sr.public_id, "token": token.token}])


def test_a_token_whose_request_is_not_made_yet_has_no_id(db, client):
    token = ServiceRequestToken.objects.create()
    assert get_both(client, f"tokens/{token.token}") == (200, [{"service_request_id": None, "token": token.token}])


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_token_and_token_of_a_withheld_request_answer_the_same_404(make_request, client, fmt):
    token = ServiceRequestToken.objects.create(request=make_request(service="DUMP"))
    ServiceRequest.objects.update(public=False)
    unknown = client.get(f"{BASE}/tokens/aaaaaaaaaaaaaaaa.{fmt}")
    withheld = client.get(f"{BASE}/tokens/{token.token}.{fmt}")
    assert unknown.status_code == withheld.status_code == 404
    assert unknown.content == withheld.content
    assert str(parse(unknown)[0]["code"]) == "404"
