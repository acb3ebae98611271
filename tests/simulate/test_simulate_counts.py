"""The default city has the documented volumes: a suburban city of about 87,000 people."""

from __future__ import annotations

from datetime import date

import pytest

from copps.simulate import build_city

RANGES = {
    "crime": (3000, 4000),
    "call": (24000, 30000),
    "collision": (400, 600),
    "request": (2500, 3500),
}


def test_city_is_the_size_of_citrus_heights(city):
    assert 36.0 <= city.frame.area_km2 <= 38.0
    lon, lat = city.truth["bounds"]["lon_min"], city.truth["bounds"]["lat_min"]
    assert -121.32 < lon < -121.28 and 38.67 < lat < 38.71
    assert len(city.truth["city"]["arterials"]) == 6
    assert 400 <= city.truth["city"]["street_km"] <= 800


@pytest.mark.parametrize("kind", sorted(RANGES))
def test_yearly_counts_in_documented_range(city, kind):
    lo, hi = RANGES[kind]
    for year in ("2023", "2024", "2025"):
        n = city.truth["counts"]["by_year"][year][kind]
        assert lo <= n <= hi, f"{kind} {year}: {n}"


def test_three_year_total_stays_under_100k(city):
    assert len(city.events) < 100_000


def test_scale_multiplies_counts_not_geography(city):
    half = build_city(seed=7, years=1, scale=0.5, start=date(2023, 1, 1))
    full_year = city.truth["counts"]["by_year"]["2023"]["call"]
    assert 0.4 < len(half.calls) / full_year < 0.6
    assert half.frame == city.frame
    assert len(half.parcels) == len(city.parcels)


def test_facilities_of_every_type(city):
    types = set(city.facilities.type)
    assert {
        "convenience_store",
        "bar",
        "motel",
        "apartment_complex",
        "school",
        "park",
        "big_box_store",
    } <= types
