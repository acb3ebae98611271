"""Everything happens inside the city, and the beats, districts and neighbourhoods tile it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import shape
from shapely.ops import unary_union


def test_every_event_lies_inside_the_city(city):
    ev, f = city.events, city.frame
    assert np.all((ev.x > f.xmin) & (ev.x < f.xmax) & (ev.y > f.ymin) & (ev.y < f.ymax))
    boundary = shape(city.truth["city"]["boundary"]).buffer(1e-5)
    assert shapely.contains_xy(boundary, ev.lon, ev.lat).all()


@pytest.mark.parametrize("layer", ["beats", "districts", "neighbourhoods"])
def test_layer_tiles_the_city_without_gaps_or_overlaps(city, city_files, layer):
    polys = [shape(f["geometry"]) for f in json.loads(city_files[layer].read_text())["features"]]
    city_poly = shape(city.truth["city"]["boundary"])
    union = unary_union(polys)
    assert abs(union.area - city_poly.area) / city_poly.area < 1e-6, "no gaps"
    assert abs(sum(p.area for p in polys) - union.area) / union.area < 1e-6, "no overlaps"
    assert union.symmetric_difference(city_poly).area / city_poly.area < 1e-6


def test_beats_nest_in_their_districts(city_files):
    beats = json.loads(city_files["beats"].read_text())["features"]
    districts = {
        f["properties"]["DISTRICT"]: shape(f["geometry"])
        for f in json.loads(city_files["districts"].read_text())["features"]
    }
    for b in beats:
        poly = shape(b["geometry"])
        assert districts[b["properties"]["DISTRICT"]].buffer(1e-7).contains(poly)


def test_event_beats_match_the_beat_polygons(city, city_files):
    beats = {
        f["properties"]["BEAT"]: shape(f["geometry"])
        for f in json.loads(city_files["beats"].read_text())["features"]
    }
    crimes = city.crimes
    agree = np.zeros(len(crimes), bool)
    for code, poly in beats.items():
        agree |= (crimes.beat == code) & shapely.contains_xy(poly, crimes.lon, crimes.lat)
    assert agree.mean() > 0.995


def test_addresses_are_house_numbers_or_intersections(city):
    ev = city.events
    sample = ev.address[:: max(1, len(ev) // 2000)]
    for a in sample:
        assert " / " in a or a.split(" ", 1)[0].isdigit(), a
