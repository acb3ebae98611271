"""Who is my beat officer: an address inside a beat, one outside the city, one not found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from copps.community.engagement import gazetteer as gz
from copps.community.engagement.models import GazetteerBlock
from copps.incidents.models import Event, ImportBatch

URL = "/community/engage/beat-officer/"


def test_address_inside_a_beat_shows_its_officer_and_nothing_private(client, gazetteer, officers):
    page = client.post(URL, {"address": "7534 Maple Court"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Beat West Beat" in body and "Officer Q. Z." in body and "west-desk@police.example" in body
    assert "75XX MAPLE CT" in body and "7534" not in body  # the block, never the house number
    for private in ("private.officer.home@example.net", "Zarkovsky", "Quentin", ">officer<"):
        assert private not in body


def test_nearest_block_on_the_same_street_is_used(client, gazetteer, officers):
    body = client.post(URL, {"address": "7710 maple ct."}).content.decode()  # 77XX not known: 75XX is
    assert "Beat West Beat" in body


def test_address_in_a_beat_with_no_officer_says_so(client, gazetteer, officers):
    body = client.post(URL, {"address": "1234 Oak Avenue"}).content.decode()
    assert "Beat East Beat" in body and "No officer is assigned" in body


def test_address_outside_the_city_is_explained(client, gazetteer, officers):
    body = client.post(URL, {"address": "9901 County Line Road"}).content.decode()
    assert "outside the city" in body and "Officer Q. Z." not in body


@pytest.mark.parametrize("address", ["1 Nowhere St", "Maple Ct", "Maple Ct / Oak Ave"])
def test_unknown_address_is_not_found(client, gazetteer, address):
    page = client.post(URL, {"address": address})
    assert page.status_code == 200 and "could not find that address" in page.content.decode()


def test_empty_address_is_a_field_error_and_get_shows_the_form(client, gazetteer):
    assert client.get(URL).status_code == 200
    page = client.post(URL, {"address": ""})
    assert page.status_code == 400 and b'class="error"' in page.content


def test_gazetteer_is_built_from_geocoded_events(areas):
    batch = ImportBatch.objects.create(
        file_name="x.csv", sha256="0" * 64, profile="t", source="t", started_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    rows = [
        ("75XX BLOCK OF MAPLE CT", -121.291, 38.711),
        ("75XX MAPLE CT", -121.289, 38.709),
        ("12XX OAK AV", -121.27, 38.71),
        ("MAPLE CT / OAK AV", -121.28, 38.71),
        ("75XX MAPLE CT", None, None),
    ]
    for i, (block, lon, lat) in enumerate(rows):
        Event.objects.create(
            kind="crime",
            source="t",
            source_id=str(i),
            batch=batch,
            block_address=block,
            lon=lon,
            lat=lat,
            occurred_from=datetime(2026, 1, 1, tzinfo=UTC),
            raw={},
            row_hash="h",
        )
    assert gz.rebuild() == 2
    maple = GazetteerBlock.objects.get(street="MAPLE CT", hundred=75)
    assert maple.events == 2 and maple.lon == pytest.approx(-121.29) and maple.lat == pytest.approx(38.71)
    assert GazetteerBlock.objects.get(street="OAK AVE").hundred == 12  # AV normalised to AVE
    assert gz.beat_at(maple.lon, maple.lat) == areas["west"]
    assert gz.rebuild() == 2 and GazetteerBlock.objects.count() == 2  # a rebuild replaces


def test_beat_lookup_is_rate_limited(client, gazetteer):
    statuses = [client.post(URL, {"address": "7512 Maple Ct"}).status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_result_links_to_the_beats_meetings_and_a_preselected_subscription(client, gazetteer, officers, areas):
    body = client.post(URL, {"address": "7512 Maple Ct"}).content.decode()
    beat = areas["west"].pk
    assert f"/community/engage/meetings/?area={beat}" in body and f"/community/engage/subscribe/?area={beat}" in body
    form = client.get(f"/community/engage/subscribe/?area={beat}").content.decode()
    assert f'<option value="{beat}" selected>' in form


def test_gazetteer_command_rebuilds_from_events(areas):
    from io import StringIO

    from django.core.management import call_command

    GazetteerBlock.objects.create(street="OLD ST", hundred=1, lon=0, lat=0, events=1)
    out = StringIO()
    call_command("gazetteer", stdout=out)
    assert "Gazetteer rebuilt: 0 hundred blocks" in out.getvalue() and not GazetteerBlock.objects.exists()
