"""Hundred-block addresses never carry a house number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copps.geo.blocks import has_house_number, hundred_block
from copps.geo.crs import utm_crs_for


@pytest.mark.parametrize(
    "address, block",
    [
        ("3108 OCCIDENTAL DR", "31XX OCCIDENTAL DR"),
        ("22 Beckford Ct", "0XX BECKFORD CT"),
        ("004XX N STATE ST", "4XX N STATE ST"),
        ("12XX BLOCK OF MAIN ST", "12XX MAIN ST"),
        ("1234-1238 E COLFAX AVE", "12XX E COLFAX AVE"),
        ("1234A E COLFAX AVE APT 5", "12XX E COLFAX AVE"),
        ("55 N BROADWAY #210", "0XX N BROADWAY"),
        ("S KING ST / 8 AV S", "S KING ST & 8 AV S"),
        ("HEATHER CT \\ SEQUOIA CT", "HEATHER CT & SEQUOIA CT"),
        ("A ST AND B ST", "A ST & B ST"),
        ("12 1/2 MAIN ST", "0XX MAIN ST"),
        ("", ""),
    ],
)
def test_hundred_block(address, block):
    assert hundred_block(address) == block


@given(st.integers(min_value=0, max_value=99999), st.sampled_from(["MAIN ST", "N 5TH AVE", "OAK CT UNIT 4"]))
def test_no_house_number_survives(number, street):
    block = hundred_block(f"{number} {street}")
    assert block.startswith(f"{number // 100}XX ")
    assert not has_house_number(block)


def test_utm_zone_for_the_data():
    assert utm_crs_for(-121.28, 38.71) == "EPSG:32610"
    assert utm_crs_for(-87.6, 41.8) == "EPSG:32616"
    assert utm_crs_for(-2.5, 53.8) == "EPSG:32630"
    with pytest.raises(ValueError):
        utm_crs_for(200, 0)
