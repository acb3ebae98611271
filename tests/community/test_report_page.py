"""Report a concern through the public page: two steps, the duplicate offer, field errors, and the
same intake path as Open311."""

from __future__ import annotations

import json

import pytest
from tests.community.conftest import BASE, parse, post, valid_post
from tests.community.frontdoor import report

from copps.community.models import ServiceRequest

pytestmark = pytest.mark.django_db


def test_step_one_lists_the_active_categories_and_loads_leaflet_from_static(services, client):
    response = client.get("/community/report/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Graffiti" in body and "Illegal dumping" in body and "Withdrawn service" not in body
    assert "/static/leaflet/leaflet.js" in body and "/static/community/report_map.js" in body
    assert "<script>" not in body  # CSP: no inline script


def test_step_one_without_a_place_says_what_is_missing(services, client):
    response = client.get("/community/report/details/", {"service": services["GRAF"].pk})
    assert response.status_code == 400
    assert "Give an address or click the map" in response.content.decode()


def test_step_one_without_a_category_says_so(services, client):
    response = client.get("/community/report/details/", {"address": "7512 Maple Ct"})
    assert response.status_code == 400
    assert "Choose a category." in response.content.decode()


def test_step_two_asks_the_services_questions(services, client):
    response = client.get("/community/report/details/", {"service": services["GRAF"].pk, "address": "1 Elm St"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "What is painted?" in body and 'name="attribute[SURFACE]"' in body
    assert "Keep my name private" in body and 'name="keep_private"' in body and "checked" in body


def test_step_two_offers_nearby_open_requests_of_the_same_kind(services, make_request, client, snap_set):
    near = make_request(description="Big tag on the fence", lat=38.7105, lon=-121.2901)
    make_request(description="Far away tag", lat=38.75, lon=-121.29)
    make_request(description="Closed tag", lat=38.7101, lon=-121.2901, state="closed_fixed")
    make_request(service="DUMP", description="Dumped sofa", lat=38.7101, lon=-121.2901)
    response = client.get(
        "/community/report/details/", {"service": services["GRAF"].pk, "lat": "38.71", "lon": "-121.29"}
    )
    body = response.content.decode()
    assert "Is it one of these?" in body and "Big tag on the fence" in body
    assert "Far away tag" not in body and "Closed tag" not in body and "Dumped sofa" not in body
    assert f"/community/report/already/{near.public_id}/" in body
    assert "7512" not in body  # the hundred block only


def test_the_nearby_json_endpoint_answers_the_same_without_exact_places(services, make_request, client, snap_set):
    near = make_request(description="Big tag", lat=38.7105, lon=-121.2901, address="7512 MAPLE CT")
    response = client.get(
        "/community/report/nearby.json", {"service": services["GRAF"].pk, "lat": "38.71", "lon": "-121.29"}
    )
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert [n["service_request_id"] for n in doc["nearby"]] == [near.public_id]
    assert doc["nearby"][0]["block"] == "75XX MAPLE CT"
    text = response.content.decode()
    assert "38.7105" not in text and "7512" not in text


def test_without_a_snap_set_only_the_typed_hundred_block_finds_duplicates(services, make_request, client):
    """With no public snap points nothing is published as a point, so a map click alone finds
    nothing and a typed address finds the open requests on its hundred block."""
    near = make_request(description="Big tag", lat=38.7105, lon=-121.2901, address="7512 MAPLE CT")
    make_request(description="Next block", lat=38.7105, lon=-121.2901, address="7612 MAPLE CT",
                 block_address="76XX MAPLE CT")
    params = {"service": services["GRAF"].pk, "lat": "38.7105", "lon": "-121.2901"}
    assert client.get("/community/report/nearby.json", params).json()["nearby"] == []
    typed = client.get("/community/report/nearby.json", {"service": services["GRAF"].pk, "address": "7534 Maple Ct"})
    assert [n["service_request_id"] for n in typed.json()["nearby"]] == [near.public_id]


def test_the_nearby_json_endpoint_gives_field_errors(services, client):
    response = client.get("/community/report/nearby.json", {"service": "999", "lat": "91", "lon": "0"})
    assert response.status_code == 400
    errors = json.loads(response.content)["errors"]
    assert "service" in errors and "lat" in errors


def test_already_reported_files_nothing(services, make_request, client):
    sr = make_request()
    before = ServiceRequest.objects.count()
    response = client.get(f"/community/report/already/{sr.public_id}/")
    assert response.status_code == 200 and sr.public_id in response.content.decode()
    assert ServiceRequest.objects.count() == before
    assert client.get("/community/report/already/nosuchid/").status_code == 404


def test_a_report_is_stored_through_the_shared_intake_and_leads_to_its_track_page(services, beats, client):
    response = report(client, services["GRAF"], name="Ada Quill", email="ada@example.org")
    assert response.status_code == 302
    sr = ServiceRequest.objects.get()
    assert response["Location"] == f"/community/track/{sr.track_key}/?new=1"
    assert sr.source == "web" and sr.state == "received"
    assert sr.beat == beats["west"] and sr.district == beats["district"]  # intake's area lookup
    assert sr.block_address == "75XX MAPLE CT"  # intake's hundred block
    assert sr.expected_at is not None  # intake's expected date from the service
    assert (sr.reporter_first_name, sr.reporter_last_name, sr.reporter_email) == ("Ada", "Quill", "ada@example.org")
    assert sr.reporter_name_private is True and sr.attributes == {"SURFACE": "wall"}
    assert sr.track_key and sr.track_key != sr.public_id
    page = client.get(response["Location"])
    assert sr.track_key in page.content.decode() and "your report was received" in page.content.decode()


def test_unticking_keep_private_is_recorded(services, beats, client):
    data = {"keep_private": ""}
    report(client, services["NOIS"], **data)
    assert ServiceRequest.objects.get().reporter_name_private is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, "Describe the concern."),
        ({"email": "not-an-address"}, "Enter a valid e-mail address"),
        ({"attribute[SURFACE]": ""}, "Is required: What is painted?"),
        ({"attribute[SURFACE]": "roof"}, "Select a valid choice"),
        ({"lat": "38.71", "lon": ""}, "The map point is incomplete"),
        ({"description": "x" * 4001}, "at most 4000 characters"),
    ],
)
def test_bad_input_gets_a_clear_field_error_and_stores_nothing(services, client, fields, message):
    response = report(client, services["GRAF"], **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_the_report_form_is_csrf_protected(services, beats):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = report(strict, services["GRAF"])
    assert response.status_code == 403
    assert not ServiceRequest.objects.exists()


def test_open311_and_the_page_create_requests_alike(services, beats, api_key, client):
    report(client, services["GRAF"])
    post(client, "json", valid_post(api_key))
    web, api = ServiceRequest.objects.order_by("source")  # "open311" < "web"
    api, web = (api, web) if api.source == "open311" else (web, api)
    for field in ("beat_id", "district_id", "block_address", "agency_responsible", "service_notice", "state"):
        assert getattr(web, field) == getattr(api, field), field
    assert web.track_key and api.track_key
    (item,) = parse(client.get(f"{BASE}/requests/{web.public_id}.json"))
    assert item["service_request_id"] == web.public_id and item["address"] == "75XX MAPLE CT"


def test_an_address_alone_is_placed_at_its_block_from_the_gazetteer(services, beats, api_key, client):
    """A resident who types an address and does not touch the map still reaches the maps and the
    right beat: the report is placed at the hundred block's gazetteer point, never closer."""
    from copps.community.engagement.models import GazetteerBlock

    GazetteerBlock.objects.create(street="MAPLE CT", hundred=75, lon=-121.2905, lat=38.7101, events=9)
    assert report(client, services["GRAF"], lat="", lon="", address="7534 Maple Ct").status_code == 302
    web = ServiceRequest.objects.get()
    assert (web.lat, web.lon) == (38.7101, -121.2905) and web.beat == beats["west"]
    assert web.address == "7534 Maple Ct" and web.block_address == "75XX MAPLE CT"
    # Open311 clients that send only address_string are placed the same way
    data = {k: v for k, v in valid_post(api_key).items() if k not in ("lat", "long")}
    assert post(client, "json", data | {"address_string": "7512 Maple Ct"}).status_code == 201
    api = ServiceRequest.objects.get(source="open311")
    assert (api.lat, api.lon) == (web.lat, web.lon) and api.beat == beats["west"]
    # a block the gazetteer does not know (nor a neighbouring one) leaves the request unplaced
    post(client, "json", data | {"address_string": "7712 Maple Ct"})
    unplaced = ServiceRequest.objects.filter(source="open311").latest("id")
    assert unplaced.lat is None and unplaced.beat is None and unplaced.block_address == "77XX MAPLE CT"


def test_the_nearby_box_speaks_the_residents_language(services, make_request, client, snap_set):
    """Step one's script builds the "is it one of these?" box from words the page gives it, and
    the JSON's states are in the page's language too."""
    make_request(description="Big tag", lat=38.7105, lon=-121.2901, address="7512 MAPLE CT")
    page = client.get("/community/report/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    box = page[page.index('<section id="nearby"') : page.index("</section>", page.index('<section id="nearby"'))]
    assert 'data-title="¿Es uno de estos?"' in box
    assert "RADIUS metros" in box and "Sí, es este" in box and "Siguiente" in box
    doc = json.loads(
        client.get(
            "/community/report/nearby.json",
            {"service": services["GRAF"].pk, "lat": "38.71", "lon": "-121.29"},
            HTTP_ACCEPT_LANGUAGE="es",
        ).content
    )
    assert doc["nearby"][0]["state"] == "Recibida"
    english = json.loads(
        client.get(
            "/community/report/nearby.json",
            {"service": services["GRAF"].pk, "lat": "38.71", "lon": "-121.29"},
            HTTP_ACCEPT_LANGUAGE="en",
        ).content
    )
    assert english["nearby"][0]["state"] == "Received"
