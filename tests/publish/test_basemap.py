"""The public maps' own base map and place finder, through HTTP: the streets with their names and
classes by zoom band, the city limits, nothing of an address (no house number, no range, no
address point); search answers blocks, intersections, streets and areas without a house number;
a clicked point gets its hundred block; and a report marked on the map is filed under it."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from tests.community.conftest import beats, services  # noqa: F401 (fixtures)
from tests.community.frontdoor import report
from tests.publish.conftest import ADDRESS_POINTS, CLICK, STREETS, load_reference_streets

from copps.community.models import ServiceRequest
from copps.geo.blocks import has_house_number
from copps.geo.gazetteer.models import StreetSegment
from copps.incidents.models import Area

pytestmark = pytest.mark.django_db

HOUSE_NUMBERS = {a.split()[0] for a, _, _ in ADDRESS_POINTS} | {
    str(n) for *_, left, right in STREETS if left for n in (*left, *right)
}


def body(response) -> dict:
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def numbers_in(text: str) -> set[str]:
    return set(re.findall(r"(?<![\d.])\d{3,5}(?![\d.])", text))


@pytest.fixture
def city(db):
    ring = [[-121.276, 38.700], [-121.262, 38.700], [-121.262, 38.710], [-121.276, 38.710], [-121.276, 38.700]]
    return Area.objects.create(type="district", code="N", name="Northgate", geometry={"type": "Polygon",
                               "coordinates": [ring]}, min_lon=-121.276, min_lat=38.70, max_lon=-121.262,
                               max_lat=38.71)  # fmt: skip


def test_parks_are_drawn_with_their_name_and_only_polygons_are_loaded(streets, client, tmp_path):
    band = body(client.get("/public/basemap/15.geojson"))["features"]
    parks = [f for f in band if f["properties"]["layer"] == "park"]
    assert [p["properties"]["name"] for p in parks] == ["ALDER PARK"] and parks[0]["geometry"]["type"] == "Polygon"
    assert any(f["properties"] == {"layer": "label", "name": "ALDER PARK", "class": "park", "angle": 0} for f in band)
    city_zoom = body(client.get("/public/basemap/0.geojson"))["features"]
    assert [f["properties"]["layer"] for f in city_zoom if f["properties"].get("name") == "ALDER PARK"] == ["park"]
    odd = tmp_path / "more_parks.geojson"
    odd.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"NAME": "A BENCH"},
         "geometry": {"type": "Point", "coordinates": [-121.27, 38.7]}}
    ]}))  # fmt: skip
    out = io.StringIO()
    call_command("geocode", "load-parks", str(odd), stdout=out)
    assert "more_parks.geojson feature 1: a Point, not a polygon" in out.getvalue()


def test_the_loader_keeps_each_street_s_class(streets):
    classes = dict(StreetSegment.objects.values_list("street", "road_class"))
    assert classes == {"SUNRIDGE BLVD": "arterial", "MAPLE CT": "local", "OAK ST": "collector"}


def test_street_zoom_draws_every_named_street_with_labels_and_the_city_limits(streets, city, client):
    response = client.get("/public/basemap/15.geojson")
    data = body(response)
    assert response["Content-Type"] == "application/geo+json"
    by_layer = {}
    for f in data["features"]:
        by_layer.setdefault(f["properties"]["layer"], []).append(f)
    assert {f["properties"]["name"] for f in by_layer["street"]} == {"SUNRIDGE BLVD", "Maple Ct", "OAK ST"}
    # Maple Ct's two segments are one street, merged into one line
    maple = [f for f in by_layer["street"] if f["properties"]["name"] == "Maple Ct"]
    assert len(maple) == 1 and maple[0]["geometry"]["type"] == "LineString"
    assert {f["properties"]["name"] for f in by_layer["label"]} == {"SUNRIDGE BLVD", "Maple Ct", "OAK ST", "ALDER PARK"}
    sunridge = next(f for f in by_layer["label"] if f["properties"]["name"] == "SUNRIDGE BLVD")
    assert abs(sunridge["properties"]["angle"]) == 90  # written along the north-south street
    assert len(by_layer["city"]) == 1 and by_layer["city"][0]["geometry"]["type"] == "Polygon"
    assert data["bbox"] == [-121.274, 38.701, -121.264, 38.709]


def test_no_band_holds_a_house_number_a_range_or_an_address_point(streets, city, client):
    for zoom in (0, 13, 15):
        text = client.get(f"/public/basemap/{zoom}.geojson").content.decode()
        assert not numbers_in(text) & HOUSE_NUMBERS, zoom
        for word in ("FROMHN", "TOHN", "left_from", "address", "number"):
            assert word not in text, (zoom, word)
        props = {k for f in json.loads(text)["features"] for k in f["properties"]}
        assert props <= {"layer", "name", "class", "angle"}


def test_city_zoom_draws_only_the_arterials(streets, client):
    data = body(client.get("/public/basemap/0.geojson"))
    assert {f["properties"]["name"] for f in data["features"] if f["properties"]["layer"] == "street"} == {
        "SUNRIDGE BLVD"
    }
    mid = body(client.get("/public/basemap/13.geojson"))
    assert {f["properties"]["class"] for f in mid["features"] if f["properties"]["layer"] == "street"} == {
        "arterial",
        "collector",
    }


def test_a_band_is_cached_by_etag_until_the_streets_are_loaded_again(streets, client, tmp_path):
    first = client.get("/public/basemap/15.geojson")
    tag = first["ETag"]
    assert "max-age" in first["Cache-Control"]
    again = client.get("/public/basemap/15.geojson", headers={"If-None-Match": tag})
    assert again.status_code == 304
    zipped = client.get("/public/basemap/15.geojson", headers={"Accept-Encoding": "gzip"})
    assert zipped["Content-Encoding"] == "gzip"
    StreetSegment.objects.filter(street="OAK ST").delete()
    load_reference_streets(tmp_path)  # a reload: a new layer version, a new tag
    fresh = client.get("/public/basemap/15.geojson", headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh["ETag"] != tag


def test_a_zoom_that_starts_no_band_is_not_found(streets, client):
    assert client.get("/public/basemap/14.geojson").status_code == 404


def test_without_streets_the_base_map_is_the_city_limits_alone(city, client):
    data = body(client.get("/public/basemap/15.geojson"))
    assert [f["properties"]["layer"] for f in data["features"]] == ["city"]
    assert data["bbox"] == [-121.276, 38.7, -121.262, 38.71]


@pytest.mark.parametrize(
    "query, kind, label",
    [
        ("7512 maple court", "block", "75XX MAPLE CT"),
        ("7512 Maple", "block", "75XX MAPLE CT"),
        ("76XX MAPLE CT", "block", "76XX MAPLE CT"),
        ("Maple Ct & Sunridge Boulevard", "intersection", "MAPLE CT & SUNRIDGE BLVD"),
        ("sunr", "street", "SUNRIDGE BLVD"),
        ("northg", "area", "Northgate"),
        ("alder", "park", "ALDER PARK"),
    ],
)
def test_search_finds_blocks_intersections_streets_and_areas(streets, city, client, query, kind, label):
    data = body(client.get("/public/places/", {"q": query}))
    first = data["results"][0]
    assert (first["kind"], first["label"]) == (kind, label)
    if kind in ("street", "area", "park"):  # an extent to fit, no point
        west, south, east, north = first["bounds"]
        assert "lat" not in first and west <= east and south < north
    else:
        assert -121.28 < first["lon"] < -121.26 and 38.70 <= first["lat"] <= 38.71
    for place in data["results"]:
        assert not has_house_number(place["label"]), place


def test_a_searched_address_comes_back_as_its_block_s_middle_never_the_house(streets, client):
    text = client.get("/public/places/", {"q": "7512 MAPLE CT"}).content.decode()
    assert "7512" not in text
    place = json.loads(text)["results"][0]
    house = next((x, y) for a, x, y in ADDRESS_POINTS if a == "7512 MAPLE CT")
    assert (place["lon"], place["lat"]) != house
    assert place["lat"] == 38.705  # on the centreline, the middle of the block's numbers


def test_search_needs_two_letters_and_finds_nothing_quietly(streets, client):
    assert client.get("/public/places/", {"q": "a"}).status_code == 400
    assert body(client.get("/public/places/", {"q": "Nowhere Lane"}))["results"] == []


def test_a_clicked_point_gets_its_hundred_block(streets, client):
    lon, lat = CLICK
    assert body(client.get("/public/places/block", {"lat": lat, "lon": lon})) == {"block": "75XX MAPLE CT",
                                                                                   "kind": "block"}  # fmt: skip
    # the south side of the next block east: the right-hand range (7601-7699)
    assert body(client.get("/public/places/block", {"lat": 38.70497, "lon": -121.268}))["block"] == "76XX MAPLE CT"
    # a street without ranges names the street alone; far from every street, nothing
    assert body(client.get("/public/places/block", {"lat": 38.70803, "lon": -121.266}))["block"] == "OAK ST"
    assert body(client.get("/public/places/block", {"lat": 38.75, "lon": -121.2}))["block"] == ""


@pytest.mark.parametrize(
    "params", [{}, {"lat": "x", "lon": "1"}, {"lat": "91", "lon": "0"}, {"lat": "nan", "lon": "0"}]
)
def test_a_point_that_is_not_one_is_refused(streets, client, params):
    response = client.get("/public/places/block", params)
    assert response.status_code == 400 and "lat" in response.json()["detail"]


def test_a_report_marked_on_the_map_is_filed_under_its_hundred_block(streets, services, beats, client):  # noqa: F811
    lon, lat = CLICK
    step_two = client.get("/community/report/details/", {"service": services["GRAF"].pk, "lat": lat, "lon": lon,
                                                          "address": ""})  # fmt: skip
    assert step_two.status_code == 200
    assert '<strong id="place-block">75XX MAPLE CT</strong>' in step_two.content.decode()
    response = report(client, services["GRAF"], lat=str(lat), lon=str(lon), address="")
    assert response.status_code == 302
    assert ServiceRequest.objects.get().block_address == "75XX MAPLE CT"


def test_a_typed_address_still_wins_over_the_marked_point(streets, services, beats, client):  # noqa: F811
    lon, lat = CLICK
    report(client, services["GRAF"], lat=str(lat), lon=str(lon), address="1017 Sunridge Blvd")
    assert ServiceRequest.objects.get().block_address == "10XX SUNRIDGE BLVD"


def test_every_public_map_page_carries_the_search_box_and_base_map(streets, client):
    for url in ("/public/", "/community/report/", "/es/public/"):
        text = client.get(url).content.decode()
        assert 'class="map-tools"' in text and "copps/basemap.js" in text, url
    spanish = client.get("/es/public/").content.decode()
    assert "Buscar una calle, cuadra o zona" in spanish and "Usar mi ubicación" in spanish


def test_coming_back_to_step_one_shows_the_block_already_marked(streets, services, client):  # noqa: F811
    lon, lat = CLICK
    page = client.get("/community/report/", {"service": services["GRAF"].pk, "lat": lat, "lon": lon})
    assert "The place you marked: 75XX MAPLE CT" in page.content.decode()
    assert "75XX MAPLE CT" not in client.get("/community/report/").content.decode()


def test_warming_builds_every_band_that_the_endpoint_then_serves(streets, city, client):
    from copps.publish.basemap import warm

    sizes = warm()
    assert len(sizes) == 3 and sizes[0] < sizes[1] < sizes[2]
    assert len(client.get("/public/basemap/15.geojson").content) == sizes[2]
