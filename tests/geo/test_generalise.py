"""Snap-point and block-midpoint generalisation: each published point stands for at least N
addresses and is never nearer to a home, or to the event it stands for, than allowed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copps.geo.generalise import (
    SnapPoints,
    audit_snap_points,
    build_snap_points,
    displacement,
    min_displacement,
    public_block,
    segment_midpoints,
    snap_to_segment_midpoints,
)


def _streets(n_streets=6, houses=25):
    """Houses on both sides (14 m back) of east-west streets 100 m apart, every 20 m."""
    xs = np.arange(houses) * 20.0
    ys = np.concatenate([[100.0 * s - 14, 100.0 * s + 14] for s in range(n_streets)])
    pts = np.array([(x, y) for y in ys for x in xs])
    return pts[:, 0], pts[:, 1]


def test_every_snap_point_stands_for_at_least_n_addresses_and_is_off_every_house():
    x, y = _streets()
    snaps = build_snap_points(x, y, n_min=8, min_offset_m=10.0)
    report = audit_snap_points(snaps, x, y)
    assert report.points == report.used > 10
    assert report.min_addresses >= 8
    assert report.min_offset_m >= 10.0
    assert snaps.addresses.sum() <= len(x)  # addresses on a tie count for neither point


def test_events_at_addresses_are_published_no_nearer_than_the_offset():
    x, y = _streets()
    snaps = build_snap_points(x, y, n_min=8, min_offset_m=10.0)
    idx = snaps.assign(x, y)
    assert (idx >= 0).all()
    assert min_displacement(x, y, snaps.x[idx], snaps.y[idx]) >= 10.0


def test_an_event_right_on_a_snap_point_goes_to_another_one_far_enough_away():
    x, y = _streets()
    snaps = build_snap_points(x, y, n_min=8, min_offset_m=10.0)
    ex, ey = snaps.x[:5] + 1.0, snaps.y[:5]  # in the street, a metre from published points
    idx = snaps.assign(ex, ey)
    assert (idx >= 0).all()
    assert displacement(ex, ey, snaps.x[idx], snaps.y[idx]).min() >= 10.0


def test_an_apartment_block_of_many_addresses_at_one_point_is_one_catchment():
    x, y = _streets(2, 10)
    x = np.r_[x, np.full(30, 500.0)]
    y = np.r_[y, np.full(30, 500.0)]
    snaps = build_snap_points(x, y, n_min=8, min_offset_m=10.0)
    report = audit_snap_points(snaps, x, y)
    assert report.min_addresses >= 8 and report.min_offset_m >= 10.0


def test_fewer_addresses_than_n_publish_nothing():
    snaps = build_snap_points(np.arange(7.0), np.zeros(7), n_min=8)
    assert len(snaps) == 0
    assert (snaps.assign(np.array([1.0]), np.array([1.0])) == -1).all()


def test_missing_locations_are_not_placed():
    x, y = _streets()
    snaps = build_snap_points(x, y)
    assert list(snaps.assign(np.array([np.nan, 5.0]), np.array([1.0, np.nan]))) == [-1, -1]


def test_segment_midpoints_can_seed_the_snap_points():
    x, y = _streets()
    x0 = np.arange(0, 480, 120.0)
    starts = [(a, 100.0 * s) for s in range(6) for a in x0]
    sx0, sy0 = np.array(starts).T
    mx, my = segment_midpoints(sx0, sy0, sx0 + 120, sy0)
    snaps = build_snap_points(x, y, n_min=8, min_offset_m=10.0, candidates=(mx, my))
    report = audit_snap_points(snaps, x, y)
    assert report.min_addresses >= 8 and report.min_offset_m >= 10.0
    # points stay on the street centrelines (y a multiple of 100) where the candidates were
    on_street = np.isclose(np.mod(snaps.y, 100.0), 0.0) | np.isclose(np.mod(snaps.y, 100.0), 100.0)
    assert on_street.all(), snaps.y[~on_street]


def test_block_midpoint_alternative_moves_points_to_the_middle_of_their_segment():
    px, py, seg = snap_to_segment_midpoints(
        np.array([10.0, 190.0, np.nan]), np.array([3.0, -2.0, 0.0]),
        np.array([0.0, 100.0]), np.array([0.0, 0.0]), np.array([100.0, 200.0]), np.array([0.0, 0.0]))
    assert list(seg) == [0, 1, -1]
    assert px[:2].tolist() == [50.0, 150.0] and py[:2].tolist() == [0.0, 0.0] and np.isnan(px[2])


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=8, max_value=400),
    n_min=st.integers(min_value=2, max_value=15),
    offset=st.sampled_from([0.0, 5.0, 10.0, 25.0]),
    clustered=st.booleans(),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_guarantees_hold_for_any_address_layout(n, n_min, offset, clustered, seed):
    rng = np.random.default_rng(seed)
    if clustered:  # a few dense clusters, some addresses stacked on one point
        centres = rng.uniform(0, 2000, (4, 2))
        pts = centres[rng.integers(0, 4, n)] + rng.normal(0, 30, (n, 2)) * rng.integers(0, 2, (n, 1))
    else:
        pts = rng.uniform(0, 2000, (n, 2))
    snaps = build_snap_points(pts[:, 0], pts[:, 1], n_min=n_min, min_offset_m=offset)
    if n < n_min:
        assert len(snaps) == 0
        return
    if not len(snaps):  # only when no place is far enough from every address
        return
    report = audit_snap_points(snaps, pts[:, 0], pts[:, 1])
    assert report.min_addresses >= n_min
    assert report.min_offset_m >= offset
    idx = snaps.assign(pts[:, 0], pts[:, 1])
    placed = idx >= 0
    assert min_displacement(pts[placed, 0], pts[placed, 1], snaps.x[idx[placed]], snaps.y[idx[placed]]) >= offset


def test_snap_points_is_frozen():
    snaps = SnapPoints(np.zeros(1), np.zeros(1), np.ones(1, np.int64), 8, 10.0)
    with pytest.raises(AttributeError):
        snaps.n_min = 1  # type: ignore[misc]


@pytest.mark.parametrize("address, block", [
    ("3108 Occidental Dr Apt 4", "31XX OCCIDENTAL DR"),
    ("MAIN ST / 1ST AV", "MAIN ST & 1ST AV"),
    ("IN FRONT OF 1234 MAIN ST", ""),
    ("HWY 50 AT 1234", ""),
    ("S KING ST / 8 AV S", "S KING ST & 8 AV S"),
    ("/0", ""),
    ("12XX BLOCK OF MAIN ST", "12XX MAIN ST"),
    ("22 N 5TH AVE", "0XX N 5TH AVE"),
    ("", ""),
])
def test_public_block_never_carries_a_number_that_could_be_a_house(address, block):
    assert public_block(address) == block


@given(st.lists(st.sampled_from(["0", "7", "88", "123", "4567", "12A", "#5", "1-3", "ST", "AV", "MAIN", "N",
                                   "/", "&", "XX", "12XX", "BLOCK", "OF", "APT", "S", "5TH", "21ST"]), max_size=8))
def test_public_block_of_anything_keeps_numbers_only_as_numbered_streets(tokens):
    block = public_block(" ".join(tokens))
    words = block.replace("/", " ").replace("&", " ").split()
    if words and words[0].endswith("XX"):
        words = words[1:]
    for i, word in enumerate(words):
        if any(ch.isdigit() for ch in word) and word not in ("5TH", "21ST"):
            assert word.isdigit() and len(word) <= 3 and i + 1 < len(words) and words[i + 1] in ("ST", "AV"), block
