"""Rendering: XML escapes what it must, keeps carriage returns, drops what XML cannot carry;
JSON stays UTF-8; the spec's optional jurisdiction_id changes nothing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

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


def test_jurisdiction_id_is_accepted_and_ignored(services, client):
    assert get_both(client, "services", jurisdiction_id="city.gov") == get_both(client, "services")
    assert get_both(client, "requests", jurisdiction_id="elsewhere.gov") == get_both(client, "requests")


def test_the_community_models_and_migrations_agree(db):
    call_command("makemigrations", "community", "--check", "--dry-run", verbosity=0)
