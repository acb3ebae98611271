"""The geocoder reads addresses the way records write them and never guesses: each case names
the quality it must get, or the reason it must give for finding nothing."""

from __future__ import annotations

import math

import pytest

from copps.geo.geocode import Gazetteer, Segment, parse_address, street_key

# A north-south street (MAPLE CT, odd numbers on the left/west walking north) crossed by HARVEST RD
# at its south end; two N/S ELM STs for the ambiguous case; a loop street meeting OAK AVE twice.
SOUTH, NORTH = (-121.0, 38.0), (-121.0, 38.001)
SEGMENTS = [
    Segment("MAPLE CT", (SOUTH, NORTH), left=(7501, 7599), right=(7500, 7598)),
    Segment("HARVEST RD", ((-121.001, 38.0), SOUTH), left=(2, 98), right=(1, 99)),
    Segment("N ELM ST", ((-121.01, 38.0), (-121.01, 38.001)), left=(1, 99), right=(2, 98)),
    Segment("S ELM ST", ((-121.02, 38.0), (-121.02, 38.001)), left=(1, 99), right=(2, 98)),
    Segment("LOOP WAY", ((-121.03, 38.0), (-121.03, 38.002)), left=(1, 99), right=(2, 98)),
    Segment("OAK AVE", ((-121.031, 38.0), (-121.03, 38.0)), left=(1, 99), right=(2, 98)),
    Segment("OAK AVE", ((-121.031, 38.002), (-121.03, 38.002)), left=(101, 199), right=(102, 198)),
]
POINTS = [("MAPLE CT", 7512, -121.00012, 38.0001)]


@pytest.fixture(scope="module")
def gz():
    return Gazetteer.build(POINTS, SEGMENTS)


def metres(a, b):
    return math.hypot((a[0] - b[0]) * 111_320 * math.cos(math.radians(38)), (a[1] - b[1]) * 110_574)


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("North Maple Court", "N MAPLE CT"),
        ("sunridge boulevard", "SUNRIDGE BLVD"),
        ("8th Av S.", "8TH AVE S"),
        ("Fifth Street", "5TH ST"),
        ("NORTH ST", "NORTH ST"),  # a direction alone before the type is the name
        ("WEST AVE", "WEST AVE"),
    ],
)
def test_street_names_are_compared_in_their_usps_normal_form(written, normal):
    assert street_key(written) == normal


@pytest.mark.parametrize(
    ("text", "kind", "street", "number"),
    [
        ("7512 maple court apt 3", "address", "MAPLE CT", 7512),
        ("7512 MAPLE CT #4", "address", "MAPLE CT", 7512),
        ("7512 Maple Ct., Citrus Heights CA", "address", "MAPLE CT", 7512),
        ("75XX BLOCK OF MAPLE CT", "block", "MAPLE CT", None),
        ("7500 block Maple Ct", "block", "MAPLE CT", None),
    ],
)
def test_a_house_or_a_block_is_read_with_its_unit_and_city_dropped(text, kind, street, number):
    parts = parse_address(text)
    assert (parts.kind, parts.street, parts.number) == (kind, street, number)


@pytest.mark.parametrize("sep", [" / ", " & ", " AND ", " \\ ", " and "])
def test_every_intersection_separator_finds_the_shared_node(gz, sep):
    m = gz.match(f"Maple Court{sep}Harvest Rd")
    assert m.quality == "intersection"
    assert metres((m.lon, m.lat), SOUTH) < 0.5


def test_an_address_point_wins_over_the_range(gz):
    m = gz.match("7512 MAPLE COURT")
    assert (m.quality, m.lon, m.lat) == ("point", -121.00012, 38.0001)


def test_a_number_without_a_point_is_interpolated_on_its_parity_side(gz):
    # 7550 is half-way up the even (right) range 7500-7598: 49/98 of the 111 m segment
    m = gz.match("7550 Maple Ct")
    assert m.quality == "range"
    assert m.lon == pytest.approx(-121.0)
    assert metres((m.lon, m.lat), SOUTH) == pytest.approx(111.0 * 50 / 98, abs=0.5)


def test_a_hundred_block_gets_the_middle_of_its_numbers(gz):
    m = gz.match("75XX BLOCK OF MAPLE CT")
    assert m.quality == "block"
    assert metres((m.lon, m.lat), SOUTH) == pytest.approx(111.0 * 0.5, abs=2.0)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("7700 MAPLE CT", "the number is in no address point and no range of the street"),
        ("12 ELM ST", "ambiguous, the reference has N ELM ST, S ELM ST"),
        ("12 BIRCH LN", "BIRCH LN: no such street in the reference data"),
        ("12 MAPLE AVE", "MAPLE AVE: no such street"),  # another type is another street, not a guess
        ("LOOP WAY / OAK AVE", "the streets meet at 2 places"),
        ("N ELM ST / HARVEST RD", "the streets do not meet"),
        ("UNKNOWN", "not readable"),
        ("", "not readable"),
    ],
)
def test_what_cannot_be_placed_is_unmatched_with_its_reason(gz, text, reason):
    m = gz.match(text)
    assert not m.matched and m.lon is None
    assert reason in m.reason


def test_a_street_written_without_its_direction_or_type_is_found_only_when_one_street_fits(gz):
    assert gz.match("7550 N MAPLE CT").quality == "range"  # the reference has one MAPLE CT
    assert gz.match("MAPLE / HARVEST").quality == "intersection"
    assert not gz.match("12 ELM").matched  # N ELM ST and S ELM ST: never chosen between
