"""Our documents against real GeoReport v2 responses (../shared/data/open311): every element a
real server sends, we send too, with the same JSON type or XML nesting.

Bloomington, IN (JSON) and San Francisco (XML) are real recorded answers; the Chicago file is a
two-request fixture from a real client's tests. Values are not compared (San Francisco's
datetimes are not even ISO 8601); names, types and structure are.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from tests.community.conftest import BASE, post, valid_post
from tests.conftest import shared_data

from copps.community.models import ServiceRequest
from copps.community.states import advance

W3C_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


def json_type(value) -> str:
    for name, kind in (("null", type(None)), ("boolean", bool), ("number", (int, float)), ("string", str),
                       ("array", list), ("object", dict)):
        if isinstance(value, kind):
            return name
    raise TypeError(value)


def types_by_key(items: list[dict]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for item in items:
        for key, value in item.items():
            found.setdefault(key, set()).add(json_type(value))
    return found


def assert_json_conforms(real: list[dict], ours: list[dict]) -> None:
    """Every key of the real items is in every one of ours, with a type the real server uses."""
    assert ours, "nothing to compare"
    real_types, our_types = types_by_key(real), types_by_key(ours)
    for item in ours:
        missing = set(real_types) - set(item)
        assert not missing, f"our item lacks {sorted(missing)}"
    for key, theirs in real_types.items():
        real_values, our_values = theirs - {"null"}, our_types[key] - {"null"}
        if real_values:
            assert our_values <= real_values, f"{key}: ours {our_values}, theirs {real_values}"
        if "null" in our_types[key]:
            assert "null" in theirs or not real_values, f"{key}: we send null, they never do"


def xml_shape(element: ET.Element) -> dict:
    """Child tag -> shape of the child (leaf: None), merged over repeated children."""
    shape: dict = {}
    for child in element:
        inner = xml_shape(child) if len(child) else None
        if inner is not None or child.tag not in shape:
            shape[child.tag] = inner if shape.get(child.tag) is None else {**shape[child.tag], **(inner or {})}
    return shape


def assert_xml_conforms(real: ET.Element, ours: ET.Element, path: str = "") -> None:
    assert ours.tag == real.tag, f"{path}: root {ours.tag} is not {real.tag}"
    real_shape, our_shape = xml_shape(real), xml_shape(ours)

    def compare(theirs: dict, mine: dict, where: str) -> None:
        for tag, inner in theirs.items():
            assert tag in mine, f"{where}/{tag} missing from ours"
            if inner is None:
                assert mine[tag] is None, f"{where}/{tag} is a leaf in theirs, nested in ours"
            else:
                assert mine[tag] is not None, f"{where}/{tag} is nested in theirs, a leaf in ours"
                compare(inner, mine[tag], f"{where}/{tag}")

    compare(real_shape, our_shape, real.tag)
    # Every repeated item of ours carries every element of theirs (not only the union).
    item_tag = next(iter(real_shape))
    for item in ours.findall(item_tag):
        assert set(real_shape[item_tag]) <= {child.tag for child in item}


@pytest.fixture
def our_requests(services, beats, snap_set, api_key, client, make_request):
    """A few requests as a real feed would hold: located and not, open and closed, with notes."""
    located = parse_id(post(client, "json", valid_post(api_key, media_url="https://example.org/a.jpg")))
    advance(ServiceRequest.objects.get(public_id=located), "referred", agency="County Roads", notes="Sent on")
    closed = make_request(days_ago=2, zipcode="95610")
    advance(closed, "closed_fixed", notes="Painted over")
    unlocated = make_request(days_ago=3, lat=None, lon=None, address="", block_address="")
    return {"located": [located, closed.public_id], "all": [located, closed.public_id, unlocated.public_id]}


def parse_id(response) -> str:
    return json.loads(response.content)[0]["service_request_id"]


def fetch_json(client, path: str, ids: list[str] | None = None):
    params = {"service_request_id": ",".join(ids)} if ids else {}
    return json.loads(client.get(f"{BASE}/{path}.json", params).content)


def fetch_xml(client, path: str) -> ET.Element:
    return ET.fromstring(client.get(f"{BASE}/{path}.xml").content)


def test_requests_json_has_bloomingtons_elements_and_types(our_requests, client):
    real = json.loads(shared_data("open311/bloomington_in_requests_2012.json").read_text(encoding="utf-8"))
    ours = fetch_json(client, "requests", our_requests["all"])
    assert_json_conforms(real, ours)
    for item in real + ours:
        for key in ("requested_datetime", "updated_datetime"):
            assert W3C_WITH_OFFSET.match(item[key]), item[key]


def test_requests_json_has_the_chicago_fixtures_elements_and_types(our_requests, client):
    real = json.loads(shared_data("open311/chicago_service_requests_2014_fixture.json").read_text(encoding="utf-8"))
    assert_json_conforms(real, fetch_json(client, "requests", our_requests["located"]))


def test_services_json_has_bloomingtons_elements_and_types(services, client):
    real = json.loads(shared_data("open311/bloomington_in_services_2012.json").read_text(encoding="utf-8"))
    assert_json_conforms(real, fetch_json(client, "services"))


def test_requests_xml_nests_as_san_franciscos(our_requests, client):
    real = ET.parse(shared_data("open311/san_francisco_requests.xml")).getroot()
    ours = fetch_xml(client, "requests")
    assert len(ours.findall("request")) == 3
    assert_xml_conforms(real, ours)


def test_services_xml_nests_as_san_franciscos(services, client):
    real = ET.parse(shared_data("open311/san_francisco_services.xml")).getroot()
    assert_xml_conforms(real, fetch_xml(client, "services"))


def test_the_comparison_catches_a_missing_element_and_a_wrong_type():
    real = [{"lat": 1.5, "address": None, "status": "open"}]
    with pytest.raises(AssertionError, match="lacks"):
        assert_json_conforms(real, [{"lat": 1.5, "address": None}])
    with pytest.raises(AssertionError, match="lat"):
        assert_json_conforms(real, [{"lat": "1.5", "address": None, "status": "open"}])
    flat = ET.fromstring("<service_requests><request><a/><b/></request></service_requests>")
    with pytest.raises(AssertionError, match="b missing"):
        assert_xml_conforms(flat, ET.fromstring("<service_requests><request><a/></request></service_requests>"))
