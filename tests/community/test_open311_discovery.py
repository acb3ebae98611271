"""discovery.json / discovery.xml: where the endpoint is, what it speaks, how to get a key."""

from __future__ import annotations

from django.test import override_settings
from tests.community.conftest import get_both


def test_discovery_names_the_georeport_v2_endpoint_and_both_formats(services, client):
    status, doc = get_both(client, "discovery")
    assert status == 200
    assert set(doc) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = doc["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "test"  # the demo mode is not acted upon for real
    assert "+" in doc["changeset"] or "-" in doc["changeset"][19:]  # an offset, not a naive time


def test_discovery_says_production_in_production_mode(db, client):
    with override_settings(MODE="production"):
        _, doc = get_both(client, "discovery")
    assert doc["endpoints"][0]["type"] == "production"
