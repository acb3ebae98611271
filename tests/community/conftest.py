"""Fixtures for the community app: services of every Open311 type, an API key, two beats in a
district, and helpers that read an Open311 answer in either format into the same shape."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from copps.community.models import ApiKey, Service, ServiceAttribute, ServiceRequest
from copps.community.open311.render import ITEM_NAMES
from copps.geo.crs import Projector
from copps.geo.generalise import build_snap_points
from copps.incidents.models import Area
from copps.publish.snaps import save_snaps

BASE = "/open311/v2"
FORMATS = ("json", "xml")

WEST = [[-121.30, 38.70], [-121.28, 38.70], [-121.28, 38.72], [-121.30, 38.72], [-121.30, 38.70]]
EAST = [[-121.28, 38.70], [-121.26, 38.70], [-121.26, 38.72], [-121.28, 38.72], [-121.28, 38.70]]
IN_WEST = {"lat": "38.71", "long": "-121.29"}

REPORTER = {
    "first_name": "Zebedee",
    "last_name": "Quixmoor",
    "email": "zebedee.quixmoor@example.org",
    "phone": "555-0199-314",
    "device_id": "device-7f3a9c",
    "account_id": "acct-991827",
}


def parse(response):
    """The Open311 document in ``response`` as Python values (XML text stays text)."""
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content.decode("utf-8"))
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return xml_to_python(ET.fromstring(response.content))


def xml_to_python(element):
    if element.tag in ITEM_NAMES:
        return [xml_to_python(child) for child in element]
    if len(element):
        return {child.tag: xml_to_python(child) for child in element}
    return element.text


def as_text(value):
    """A JSON document with every scalar written as XML writes it, to compare the two formats."""
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def get_both(client, path: str, **params):
    """GET ``path`` (without suffix) in both formats; assert they say the same; return the JSON."""
    answers = {fmt: client.get(f"{BASE}/{path}.{fmt}", params) for fmt in FORMATS}
    assert answers["json"].status_code == answers["xml"].status_code
    docs = {fmt: parse(r) for fmt, r in answers.items()}
    assert as_text(docs["json"]) == docs["xml"]
    return answers["json"].status_code, docs["json"]


@pytest.fixture
def services(db):
    """GRAF (realtime, with questions), DUMP (batch), NOIS (blackbox), OLD (withdrawn)."""
    graf = Service.objects.create(
        service_code="GRAF", name="Graffiti", description="Paint on walls", group="Neighbourhood",
        keywords="tagging, paint", agency_responsible="Public Works",
        service_notice="Removed within five working days.", expected_days=5,
    )
    ServiceAttribute.objects.create(service=graf, code="SURFACE", datatype="singlevaluelist", required=True, order=1,
                                    description="What is painted?",
                                    values=[{"key": "wall", "name": "A wall"}, {"key": "sign", "name": "A sign"}])
    ServiceAttribute.objects.create(service=graf, code="COLOURS", datatype="multivaluelist", order=2,
                                    description="Colours", values=[{"key": "red", "name": "Red"},
                                                                   {"key": "blue", "name": "Blue"}])
    ServiceAttribute.objects.create(service=graf, code="SIZE", datatype="number", order=3, description="Square metres")
    ServiceAttribute.objects.create(service=graf, code="SEEN", datatype="datetime", order=4, description="When seen")
    ServiceAttribute.objects.create(service=graf, code="WORDS", datatype="string", order=5, description="What it says")
    ServiceAttribute.objects.create(service=graf, code="NOTE", datatype="text", variable=False, order=6,
                                    description="Offensive graffiti is removed first.")
    dump = Service.objects.create(service_code="DUMP", name="Illegal dumping", type="batch", group="Neighbourhood")
    nois = Service.objects.create(service_code="NOIS", name="Noise", type="blackbox", group="Neighbourhood")
    old = Service.objects.create(service_code="OLD", name="Withdrawn service", active=False)
    return {"GRAF": graf, "DUMP": dump, "NOIS": nois, "OLD": old}


@pytest.fixture
def api_key(db) -> str:
    _, raw = ApiKey.issue("Test client", contact="dev@example.org")
    return raw


@pytest.fixture
def beats(db):
    district = Area.objects.create(type="district", code="A", name="North", geometry={
        "type": "Polygon", "coordinates": [[WEST[0], EAST[1], EAST[2], WEST[3], WEST[0]]]},
        min_lon=-121.30, min_lat=38.70, max_lon=-121.26, max_lat=38.72)
    west = Area.objects.create(type="beat", code="A1", name="A1", parent=district,
                               geometry={"type": "Polygon", "coordinates": [WEST]},
                               min_lon=-121.30, min_lat=38.70, max_lon=-121.28, max_lat=38.72)
    east = Area.objects.create(type="beat", code="A2", name="A2", parent=district,
                               geometry={"type": "Polygon", "coordinates": [EAST]},
                               min_lon=-121.28, min_lat=38.70, max_lon=-121.26, max_lat=38.72)
    return {"district": district, "west": west, "east": east}


def valid_post(api_key: str, **extra) -> dict:
    data = {"api_key": api_key, "service_code": "GRAF", "description": "Tag on the wall",
            "address_string": "7512 Maple Ct", "attribute[SURFACE]": "wall", **IN_WEST}
    data.update(extra)
    return data


def post(client, fmt: str, data: dict, **headers):
    return client.post(f"{BASE}/requests.{fmt}", data, headers=headers)


@pytest.fixture
def make_request(services):
    """Create a stored request directly: ``make_request(days_ago=3, state=..., public=...)``."""

    def _make(days_ago: float = 1, service: str = "GRAF", **fields) -> ServiceRequest:
        at = timezone.now() - timedelta(days=days_ago)
        values = {"description": "Stored request", "lat": 38.71, "lon": -121.29, "address": "7512 MAPLE CT",
                  "block_address": "75XX MAPLE CT", "requested_at": at, "updated_at": at}
        values.update(fields)
        return ServiceRequest.objects.create(service=services[service], **values)

    return _make


@pytest.fixture
def admin_client(client_for):
    """The cast's administrator, signed in to the admin. Where accounts asks staff for a second
    factor, the session is marked as having passed it (what the sign-in pages do)."""
    client = client_for("admin")
    try:
        from copps.accounts import mfa
    except ImportError:  # accounts without two-factor sign-in
        return client
    session = client.session
    mfa.mark_mfa_verified(session)
    session.save()
    return client


SNAP_CRS = "EPSG:32610"


def metres_between(lat1, lon1, lat2, lon2) -> float:
    proj = Projector(SNAP_CRS)
    x, y = proj.forward(np.array([lon1, lon2], float), np.array([lat1, lat2], float))
    return float(np.hypot(x[1] - x[0], y[1] - y[0]))


@pytest.fixture
def snap_set(db):
    """The public snap points over the test beats (what ``copps publish snap`` would store):
    houses every 20 m on both sides of streets 100 m apart, each snap point standing for 8."""
    proj = Projector(SNAP_CRS)
    x0, y0 = proj.forward(np.array([-121.30]), np.array([38.70]))
    x1, y1 = proj.forward(np.array([-121.26]), np.array([38.72]))
    xs = np.arange(x0[0] + 10, x1[0], 20.0)
    ys = np.concatenate([[y - 14, y + 14] for y in np.arange(y0[0] + 50, y1[0], 100.0)])
    addresses = np.array([(x, y) for y in ys for x in xs])
    save_snaps(build_snap_points(addresses[:, 0], addresses[:, 1], n_min=8, min_offset_m=10.0), SNAP_CRS)
    return addresses
