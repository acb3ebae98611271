"""Fixtures for the engagement pages: a district of two square beats (and a neighbourhood
over them), a gazetteer of a few blocks, a survey, meetings, a watch group, beat officers."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from copps.community.engagement.models import (
    BeatAssignment,
    GazetteerBlock,
    Meeting,
    Question,
    Survey,
    WatchGroup,
    WatchMember,
)
from copps.incidents.models import Area

REPO = Path(__file__).resolve().parents[3]
# Beats: WEST [-121.30, -121.28] x [38.70, 38.72], EAST [-121.28, -121.26] x [38.70, 38.72]
WEST_POINT = (-121.29, 38.71)
EAST_POINT = (-121.27, 38.71)
OUTSIDE_POINT = (-121.10, 38.90)


def square(x0, y0, x1, y1) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def make_area(type_, code, name, box, parent=None) -> Area:
    x0, y0, x1, y1 = box
    return Area.objects.create(
        type=type_,
        code=code,
        name=name,
        parent=parent,
        geometry=square(*box),
        min_lon=x0,
        min_lat=y0,
        max_lon=x1,
        max_lat=y1,
    )


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The .mo files are build products (make install compiles them); compile them here too
    when missing or older than their .po, so the tests see what `make install` produces."""
    for po in REPO.glob("locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


@pytest.fixture
def areas(db):
    district = make_area("district", "D1", "Riverside District", (-121.30, 38.70, -121.26, 38.72))
    west = make_area("beat", "W1", "West Beat", (-121.30, 38.70, -121.28, 38.72), parent=district)
    east = make_area("beat", "E1", "East Beat", (-121.28, 38.70, -121.26, 38.72), parent=district)
    hood = make_area("neighbourhood", "N1", "Maple Hill", (-121.30, 38.70, -121.26, 38.72))
    return {"district": district, "west": west, "east": east, "hood": hood}


@pytest.fixture
def gazetteer(areas):
    GazetteerBlock.objects.create(street="MAPLE CT", hundred=75, lon=WEST_POINT[0], lat=WEST_POINT[1], events=12)
    GazetteerBlock.objects.create(street="OAK AVE", hundred=12, lon=EAST_POINT[0], lat=EAST_POINT[1], events=5)
    GazetteerBlock.objects.create(
        street="COUNTY LINE RD", hundred=99, lon=OUTSIDE_POINT[0], lat=OUTSIDE_POINT[1], events=2
    )


@pytest.fixture
def officers(cast, areas):
    officer = cast["officer"]
    officer.email = "private.officer.home@example.net"
    officer.first_name, officer.last_name = "Quentin", "Zarkovsky"
    officer.save()
    return BeatAssignment.objects.create(
        beat=areas["west"], officer=officer, display_name="Officer Q. Z.", work_contact="west-desk@police.example"
    )


@pytest.fixture
def survey(areas):
    today = date.today()
    s = Survey.objects.create(
        title="Safety after dark",
        opens_on=today - timedelta(days=5),
        closes_on=today + timedelta(days=5),
        published=True,
    )
    s.areas.set([areas["west"], areas["east"]])
    Question.objects.create(survey=s, order=1, kind="scale", text="How safe do you feel after dark?")
    Question.objects.create(survey=s, order=2, kind="yesno", text="Do you trust the police?")
    Question.objects.create(
        survey=s, order=3, kind="choice", text="Number one problem on your block", choices=["Speeding", "Litter"]
    )
    Question.objects.create(survey=s, order=4, kind="text", text="Anything else?", required=False)
    return s


@pytest.fixture
def group(areas):
    g = WatchGroup.objects.create(name="Maple Hill Watch", area=areas["hood"])
    WatchMember.objects.create(
        group=g, name="Yolanda Brightwater", email="yolanda.brightwater@example.org", phone="555-0177", captain=True
    )
    return g


def at(y, mo, d, h, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


@pytest.fixture
def meetings(areas, group):
    future = date.today() + timedelta(days=10)
    start = at(future.year, future.month, future.day, 2, 30)
    one = Meeting.objects.create(
        title="Beat meeting, West; with coffee",
        area=areas["west"],
        group=group,
        place="Library, Room 2, 100 Main St",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        description="Agenda:\nspeeding\\parking; litter, noise " + "long text " * 12,
    )
    two = Meeting.objects.create(
        title="Reunión del barrio — Este",
        area=areas["east"],
        place="Escuela Primaria",
        starts_at=start + timedelta(days=7),
        ends_at=start + timedelta(days=7, hours=2),
    )
    private = Meeting.objects.create(
        title="Captains only planning",
        area=areas["west"],
        place="Station",
        public=False,
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, hours=1),
    )
    return one, two, private
