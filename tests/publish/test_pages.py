"""The public pages: no sign-in, Leaflet from our own static files and no inline script, a legend
saying how locations are generalised, points at street zoom and a grid at city zoom."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from copps.publish.conf import rules


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["publish:map", "publish:about", "publish:public_api:rules", "publish:public_api:openapi-json"]
)
def test_public_pages_need_no_sign_in(client, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_map_page_uses_local_leaflet_and_no_inline_script(client):
    html = client.get(reverse("publish:map")).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "leaflet/leaflet.js" in html and "publish/public_map.js" in html
    assert "http://" not in html.split("<main")[1] and "https://" not in html.split("<main")[1]
    assert "at least 8 addresses" in html and "hundred block" in html
    assert 'data-grid="/public/api/grid' in html and 'data-points="/public/api/events' in html


def test_grid_counts_only_published_points(client, town):
    for i in range(12):
        town.event(days_ago=10 + i, at=i * 3)
    town.publish()
    grid = client.get(reverse("publish:public_api:grid")).json()
    points = client.get(reverse("publish:public_api:events")).json()
    assert sum(f["properties"]["count"] for f in grid["features"]) == len(points["features"]) == 12
    assert all(f["geometry"]["type"] == "Polygon" for f in grid["features"])


def test_without_snap_points_no_event_carries_a_location(client, town):
    from copps.publish.models import SnapPoint

    SnapPoint.objects.all().delete()
    town.event(days_ago=10)
    town.publish()
    doc = client.get(reverse("publish:public_api:events")).json()
    assert doc["features"] == [] and doc["snapped"] is False
    rows = client.get(reverse("publish:events_csv")).content.decode().splitlines()
    assert len(rows) == 1  # header only: the map download is of mapped events


def test_invalid_filters_are_refused(client, town):
    assert client.get(reverse("publish:public_api:events"), {"date_from": "not a date"}).status_code == 400
    assert client.get(reverse("publish:public_api:areas"), {"type": "city"}).status_code == 400


@pytest.mark.parametrize(
    "name, value",
    [
        ("COPPS_PUBLISH_K", "ten"),
        ("COPPS_PUBLISH_K", 1),
        ("COPPS_PUBLISH_SENSITIVE", "points"),
        ("COPPS_PUBLISH_DELAY_DAYS", -1),
        ("COPPS_PUBLISH_MIN_OFFSET_M", "x"),
    ],
)
def test_bad_rule_settings_fail_loudly(settings, name, value):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured):
        rules()


def test_the_rules_have_one_declaration_and_its_defaults_are_in_force(settings):
    """One settings registry (copps.config.VARIABLES): the rules' defaults come from it, and the
    public "about" page lists the rules with their help from it."""
    from copps.config import VARIABLES
    from copps.publish.conf import RULE_SETTINGS

    for name in RULE_SETTINGS:
        if hasattr(settings, name):
            delattr(settings, name)
    got = rules()
    assert (got.snap_min_addresses, got.min_offset_m, got.k, got.delay_days, got.sensitive) == (
        int(VARIABLES["COPPS_PUBLISH_SNAP_MIN_ADDRESSES"].default),
        float(VARIABLES["COPPS_PUBLISH_MIN_OFFSET_M"].default),
        int(VARIABLES["COPPS_PUBLISH_K"].default),
        int(VARIABLES["COPPS_PUBLISH_DELAY_DAYS"].default),
        VARIABLES["COPPS_PUBLISH_SENSITIVE"].default,
    ) == (8, 10.0, 10, 7, "district")


@pytest.mark.django_db
def test_the_about_page_lists_each_rule_with_its_value_and_help(client, settings):
    from copps.config import VARIABLES

    settings.COPPS_PUBLISH_K = "12"
    html = client.get(reverse("publish:about")).content.decode()
    assert "<td><code>COPPS_PUBLISH_K</code></td><td>12</td>" in html
    assert VARIABLES["COPPS_PUBLISH_K"].help in html
