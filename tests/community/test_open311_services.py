"""GET services and GET services/{code}: the service list and each service's questions."""

from __future__ import annotations

import pytest
from tests.community.conftest import BASE, FORMATS, get_both, parse

from copps.community.models import Service, ServiceAttribute


def test_service_list_offers_active_services_with_their_type_and_metadata_flag(services, client):
    status, doc = get_both(client, "services")
    assert status == 200
    by_code = {s["service_code"]: s for s in doc}
    assert set(by_code) == {"GRAF", "DUMP", "NOIS"}  # OLD is withdrawn
    assert by_code["GRAF"] == {
        "service_code": "GRAF", "service_name": "Graffiti", "description": "Paint on walls", "metadata": True,
        "type": "realtime", "keywords": "tagging, paint", "group": "Neighbourhood",
    }
    assert by_code["DUMP"]["metadata"] is False and by_code["DUMP"]["type"] == "batch"
    assert by_code["NOIS"]["type"] == "blackbox"


@pytest.mark.parametrize("fmt,content_type", [("json", "application/json; charset=utf-8"),
                                              ("xml", "text/xml; charset=utf-8")])
def test_each_format_has_its_utf8_content_type(services, client, fmt, content_type):
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200 and b"GRAF" in response.content
    assert response["Content-Type"] == content_type


def test_service_list_costs_three_queries_however_many_services(services, client, django_assert_num_queries):
    def listed() -> list[str]:
        with django_assert_num_queries(3):  # the site's time zone, services, then their attributes
            response = client.get(f"{BASE}/services.json")
        assert response.status_code == 200
        return sorted(s["service_code"] for s in response.json())

    assert listed() == ["DUMP", "GRAF", "NOIS"]
    for i in range(10):
        extra = Service.objects.create(service_code=f"X{i}", name=f"Extra {i}", group="Neighbourhood")
        ServiceAttribute.objects.create(service=extra, code="WHERE", datatype="string", order=1, description="Where")
    assert listed() == ["DUMP", "GRAF", "NOIS"] + [f"X{i}" for i in range(10)]


def test_service_definition_lists_the_questions_in_order_with_their_options(services, client):
    status, doc = get_both(client, "services/GRAF")
    assert status == 200
    assert doc["service_code"] == "GRAF"
    codes = [a["code"] for a in doc["attributes"]]
    assert codes == ["SURFACE", "COLOURS", "SIZE", "SEEN", "WORDS", "NOTE"]
    surface = doc["attributes"][0]
    assert surface == {
        "variable": True, "code": "SURFACE", "datatype": "singlevaluelist", "required": True,
        "datatype_description": None, "order": 1, "description": "What is painted?",
        "values": [{"key": "wall", "name": "A wall"}, {"key": "sign", "name": "A sign"}],
    }
    assert doc["attributes"][-1]["variable"] is False


def test_service_without_questions_has_an_empty_definition(services, client):
    assert get_both(client, "services/DUMP") == (200, {"service_code": "DUMP", "attributes": []})


@pytest.mark.parametrize("code", ["NOPE", "OLD"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_or_withdrawn_service_code_is_404_with_the_error_list(services, client, code, fmt):
    response = client.get(f"{BASE}/services/{code}.{fmt}")
    assert response.status_code == 404
    errors = parse(response)
    assert len(errors) == 1
    assert str(errors[0]["code"]) == "404"
    assert code in errors[0]["description"]
