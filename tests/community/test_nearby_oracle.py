"""The "is it one of these?" look-up is no distance oracle (issue 13, item 1).

The attack: from a request's public snap point, search along bearings for the caller point where
the request drops out of the 150 m answer, then fit the circle through those points. When the
answer tested the request's true point, the circle's centre was that point (to 0.00 m). Now the
answer is a function of public points only, so the attacker ends where the published point
already put them, and two requests with different true points in one catchment are answered
alike from every caller point."""

from __future__ import annotations

import re

import numpy as np
import pytest
from tests.community.conftest import BASE, SNAP_CRS

from copps.geo.crs import Projector
from copps.publish.snaps import load_snaps

pytestmark = pytest.mark.django_db

PROJ = Projector(SNAP_CRS)
ENDPOINTS = ["/community/report/nearby.json", "/community/report/details/"]


def lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = PROJ.inverse(np.array([x]), np.array([y]))
    return float(lon[0]), float(lat[0])


def xy(lon: float, lat: float) -> tuple[float, float]:
    x, y = PROJ.forward(np.array([lon]), np.array([lat]))
    return float(x[0]), float(y[0])


def listed(client, endpoint: str, service, x: float, y: float) -> set[str]:
    """The public ids the look-up lists for a caller at (x, y)."""
    lon, lat = lonlat(x, y)
    response = client.get(endpoint, {"service": service.pk, "lat": f"{lat:.9f}", "lon": f"{lon:.9f}"})
    assert response.status_code == 200
    if endpoint.endswith(".json"):
        return {n["service_request_id"] for n in response.json()["nearby"]}
    return set(re.findall(r"/community/report/already/([^/]+)/", response.content.decode()))


def published_point(client, sr) -> tuple[float, float]:
    doc = client.get(f"{BASE}/requests/{sr.public_id}.json").json()[0]
    return xy(doc["long"], doc["lat"])


def trilaterate(inside, px: float, py: float, bearings=(0, 120, 240)) -> tuple[float, float]:
    """Binary-search the drop-out distance along each bearing from (px, py) and fit the circle."""
    edge = []
    for degrees in bearings:
        ux, uy = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
        lo, hi = 0.0, 600.0
        for _ in range(24):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if inside(px + mid * ux, py + mid * uy) else (lo, mid)
        edge.append((px + lo * ux, py + lo * uy))
    (x1, y1), (x2, y2), (x3, y3) = edge
    # the centre is equidistant from the three points: two linear equations
    a = np.array([[2 * (x2 - x1), 2 * (y2 - y1)], [2 * (x3 - x1), 2 * (y3 - y1)]])
    b = np.array([x2**2 - x1**2 + y2**2 - y1**2, x3**2 - x1**2 + y3**2 - y1**2])
    cx, cy = np.linalg.solve(a, b)
    return float(cx), float(cy)


@pytest.fixture
def unlimited(settings):
    settings.COPPS_RATE_LIMITS = "lookup=100000"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_trilateration_gets_no_closer_than_the_published_point(
    endpoint, services, snap_set, make_request, client, unlimited
):
    true_x, true_y = snap_set[40, 0] + 7.0, snap_set[40, 1] + 3.0  # beside a house, as a resident's door is
    lon, lat = lonlat(true_x, true_y)
    sr = make_request(lat=lat, lon=lon)
    px, py = published_point(client, sr)
    generalised = float(np.hypot(px - true_x, py - true_y))
    assert generalised >= 10.0  # the snap set's minimum offset
    cx, cy = trilaterate(lambda x, y: sr.public_id in listed(client, endpoint, services["GRAF"], x, y), px, py)
    error = float(np.hypot(cx - true_x, cy - true_y))
    # the attack on the old look-up recovered the true point to 0.00 m; now it must end no
    # closer than the published point already is
    assert error >= generalised * 0.999, (error, generalised)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_requests_behind_one_published_point_are_answered_alike_from_everywhere(
    endpoint, services, snap_set, make_request, client, unlimited
):
    """Two requests whose true points are 40 m apart but that Open311 publishes at one snap
    point: from every caller point on a 30 m grid over 600 m, both are listed or neither is,
    and every caller point inside one catchment gets the same answer."""
    stored = load_snaps()
    sx, sy = stored.snaps.x, stored.snaps.y
    target = int(np.argmin(np.hypot(sx - sx.mean(), sy - sy.mean())))
    # two true points 40 m apart whose published point is the same snap point
    ring = [(sx[target] + r * np.cos(t), sy[target] + r * np.sin(t))
            for r in (25.0, 35.0) for t in np.linspace(0, 2 * np.pi, 36, endpoint=False)]
    ring = [p for p in ring if stored.snaps.assign(np.array([p[0]]), np.array([p[1]]))[0] == target]
    a, b = next((p, q) for p in ring for q in ring if np.hypot(p[0] - q[0], p[1] - q[1]) >= 40.0)
    first = make_request(lat=lonlat(*a)[1], lon=lonlat(*a)[0], description="first")
    second = make_request(lat=lonlat(*b)[1], lon=lonlat(*b)[0], description="second")
    assert published_point(client, first) == published_point(client, second)

    by_cell: dict[int, set] = {}
    differing = []
    for gx in np.arange(sx[target] - 300, sx[target] + 300, 30.0):
        for gy in np.arange(sy[target] - 300, sy[target] + 300, 30.0):
            answer = listed(client, endpoint, services["GRAF"], gx, gy)
            if (first.public_id in answer) != (second.public_id in answer):
                differing.append((gx, gy))
            cell = int(stored.snaps.nearest(np.array([gx]), np.array([gy]))[0])
            by_cell.setdefault(cell, set()).add(frozenset(answer))
    assert differing == []
    assert all(len(answers) == 1 for answers in by_cell.values())
    assert any(first.public_id in next(iter(answers)) for answers in by_cell.values())  # the look-up still works
