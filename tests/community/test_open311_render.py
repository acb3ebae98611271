"""Rendering: XML escapes what it must, keeps carriage returns, drops what XML cannot carry;
JSON stays UTF-8; the spec's optional jurisdiction_id changes nothing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from io import StringIO

from django.core.management import call_command
from tests.community.conftest import get_both

from copps.community.open311.render import to_json, to_xml


def test_xml_escapes_markup_keeps_cr_and_drops_characters_xml_cannot_hold():
    body = to_xml("service_requests", [{"description": "a < b & c > d\r\nbell\x07", "lat": 1.5, "ok": True,
                                        "none": None, "empty": ""}])
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    (item,) = ET.fromstring(body)
    assert item.find("description").text == "a < b & c > d\r\nbell"
    assert (item.find("lat").text, item.find("ok").text) == ("1.5", "true")
    assert item.find("none").text is None and item.find("empty").text is None


def test_json_is_utf8_not_ascii_escapes():
    assert to_json([{"d": "Café ñ"}]) == '[{"d": "Café ñ"}]'.encode()
    assert json.loads(to_json({"x": None})) == {"x": None}


def test_jurisdiction_id_is_accepted_and_ignored(services, make_request, client):
    make_request()
    plain = get_both(client, "services")
    assert plain[0] == 200 and {s["service_code"] for s in plain[1]} == {"GRAF", "DUMP", "NOIS"}
    assert get_both(client, "services", jurisdiction_id="city.gov") == plain
    requests = get_both(client, "requests")
    assert requests[0] == 200 and [r["service_code"] for r in requests[1]] == ["GRAF"]
    assert get_both(client, "requests", jurisdiction_id="elsewhere.gov") == requests


def test_the_community_models_and_migrations_agree(db):
    out = StringIO()
    call_command("makemigrations", "community", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "No changes detected in app 'community'"
