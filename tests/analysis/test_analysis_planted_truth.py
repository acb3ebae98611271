"""Planted truth: the analysis recovers what copps.simulate planted in its synthetic city.

The city (``build_city(seed=7, years=3, scale=1.0)``) records every planted fact in
``city.plan`` / ``city.truth``; these tests check that Gi*, Knox, before_after and
wdq find them without being told where they are.
"""

from __future__ import annotations

import numpy as np
import pytest

from copps import simulate  # part of copps: a missing simulator is a failure, never a skipped module
from copps.analysis.assessment import before_after, wdq
from copps.analysis.grid import bin_points
from copps.analysis.hotspots import gistar
from copps.analysis.near_repeat import knox

CELL = 100.0


@pytest.fixture(scope="module")
def city():
    return simulate.build_city(seed=7, years=3, scale=1.0)


@pytest.fixture(scope="module")
def hot(city):
    """Gi* (queen, BH FDR) on 100 m cells of the crimes not sited at a facility.

    Facility-sited crimes pile onto one parcel (the risky-facilities pattern,
    which ``places.concentration`` measures); left in, a single cell of several
    hundred events inflates the variance that every other cell is judged by.
    """
    cr, f = city.crimes, city.frame
    keep = cr.facility < 0
    grid = bin_points(cr.x[keep], cr.y[keep], CELL, bounds=(f.xmin, f.ymin, f.xmax, f.ymax))
    cx, cy = grid.centres()
    return grid, gistar(grid), cx, cy


def _piled_on_a_facility(city, h) -> bool:
    """Whether most of a planted spot's crimes sit on its facility's parcel."""
    cr = city.crimes
    inside = np.hypot(cr.x - h.x, cr.y - h.y) <= h.radius
    return bool(np.mean(cr.facility[inside] >= 0) > 0.5)


def test_planted_hot_spots_are_99_percent_gistar_hot_spots(city, hot):
    grid, res, cx, cy = hot
    planted = np.zeros(grid.shape, bool)
    for h in city.plan.hotspots:
        if not _piled_on_a_facility(city, h):
            planted |= np.hypot(cx - h.x, cy - h.y) <= h.radius
    assert planted.sum() >= 40
    assert (res.classes[planted] == 3).mean() >= 0.9


def test_few_cells_away_from_planted_hot_spots_are_99_percent_hot(city, hot):
    grid, res, cx, cy = hot
    near = np.zeros(grid.shape, bool)
    for h in city.plan.hotspots:
        near |= np.hypot(cx - h.x, cy - h.y) <= h.radius + 1.5 * CELL
    assert (res.classes[~near] == 3).mean() < 0.05


def test_hot_spots_piled_on_a_facility_are_hot_on_all_crimes(city):
    cr, f = city.crimes, city.frame
    grid = bin_points(cr.x, cr.y, CELL, bounds=(f.xmin, f.ymin, f.xmax, f.ymax))
    res = gistar(grid)
    piled = [h for h in city.plan.hotspots if _piled_on_a_facility(city, h)]
    assert piled
    for h in piled:
            row, col = grid.cell_of([h.x], [h.y])
            assert res.classes[row[0], col[0]] == 3, h.label


@pytest.fixture(scope="module")
def knox_by_type(city):
    cr = city.crimes
    t = cr.occurred_from.astype("datetime64[D]")
    out = {}
    for key in ("burglary_residential", "vehicle_theft", "theft_from_vehicle", "theft_other",
                "vandalism", "simple_assault"):
        s = cr.type_key == key
        out[key] = knox(cr.x[s], cr.y[s], t[s], [0, 100, 200, 400], [0, 7, 14, 28],
                        permutations=199, seed=1)
    return out


def test_planted_near_repeat_burglary_is_found(knox_by_type):
    r = knox_by_type["burglary_residential"]
    for row in (0, 1):  # same location; (0, 100) m — both within 0-7 days
        assert r.ratio[row, 0] > 1.5 and r.p[row, 0] < 0.01


@pytest.mark.parametrize("key", ["vehicle_theft", "theft_from_vehicle", "theft_other",
                                 "vandalism", "simple_assault"])
def test_other_crime_types_show_no_near_repeat(knox_by_type, key):
    r = knox_by_type[key]
    for row in (0, 1):
        assert not (r.ratio[row, 0] > 1.5 and r.p[row, 0] < 0.01), key


def _zone_counts(city):
    cr = city.crimes
    zone = city.plan.intervention_zone(cr.x, cr.y)
    day = (cr.occurred_from.astype("datetime64[D]") - np.datetime64(city.start, "D")).astype(int)
    after = day >= city.plan.intervention.day
    return {z: (int(np.sum((zone == z) & ~after)), int(np.sum((zone == z) & after)))
            for z in ("target", "buffer", "control")}


def test_before_after_recovers_the_planted_intervention_effect(city):
    counts = _zone_counts(city)
    iv = city.plan.intervention
    planted = (1 + iv.effect_target) / (1 + iv.effect_control)
    r = before_after(counts["target"], counts["control"])
    assert r.rate_ratio_lower <= planted <= r.rate_ratio_upper
    assert r.rate_ratio < 1 and r.p < 0.05


def test_wdq_shows_the_planted_displacement(city):
    counts = _zone_counts(city)
    assert city.plan.intervention.effect_buffer > 0  # crime was displaced into the buffer
    r = wdq(counts["target"], counts["buffer"], counts["control"])
    assert r.success_measure < 0 and r.buffer_measure > 0 and r.wdq < 0
