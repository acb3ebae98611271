"""A small world for the security tests: one user per role (plus an officer of another beat and a
disabled account), and records that belong to someone else, each carrying a unique string that
must never appear where the viewer may not see it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-121.30, 38.70], [-121.29, 38.70], [-121.29, 38.71], [-121.30, 38.71], [-121.30, 38.70]]],
}

# Strings that only someone allowed to see the record may see.
PROBLEM_TITLE = "Quarrelsome lot behind Zanzibar Depot"
PLACE = "4417 ZANZIBAR DEPOT RD"
CANDIDATE_TITLE = "Hot spot near Wexley Quarry"
PARTNER_NAME = "Wexley Quarry Holdings"
# Strings that no public page and no refusal may show: a victim's address and exact point, and
# the name and contacts of a resident who reported something.
VICTIM_ADDRESS = "4417 CONFIDENTIAL VICTIM LANE"
VICTIM_LAT, VICTIM_LON = 38.704321, -121.294321
REPORTER = {
    "reporter_first_name": "Zebulon",
    "reporter_last_name": "Quaxworthy",
    "reporter_email": "zebulon.quaxworthy@example.org",
    "reporter_phone": "555-0142-771",
}
REPORT_ADDRESS = "4417 QUAXWORTHY MEWS"
TIP_TEXT = "The van behind Yarrowfield shed moves stolen bikes at night"
WATCH_MEMBER = {"name": "Philomena Grudgeworth", "phone": "555-0187-402"}

PRIVATE = [
    VICTIM_ADDRESS,
    f"{VICTIM_LAT}",
    f"{VICTIM_LON}",
    *REPORTER.values(),
    REPORT_ADDRESS,
    TIP_TEXT,
    *WATCH_MEMBER.values(),
]
SECRETS = [*PRIVATE, PROBLEM_TITLE, PLACE, CANDIDATE_TITLE, PARTNER_NAME]


@pytest.fixture
def world(cast, django_user_model):
    """Users per role and objects someone else owns: a sensitive event, a problem owned by
    ``officer`` (not by ``officer_other``) with its workspace records, a candidate, a partner,
    a service request made by another resident."""
    from copps.community.engagement.models import BeatAssignment, WatchGroup, WatchMember
    from copps.community.models import ApiKey, Service, ServiceRequest, ServiceRequestToken, Tip, TipMessage
    from copps.incidents.models import Area, Event, ImportBatch
    from copps.problems.models import (
        Assessment,
        Candidate,
        Hypothesis,
        Partner,
        Problem,
        StageChange,
        Task,
        TriangleEntry,
    )

    users = dict(cast)
    users["officer_other"] = django_user_model.objects.create_user(
        username="officer_other", password="another long password", role="officer"
    )
    users["disabled"] = django_user_model.objects.create_user(
        username="disabled", password="another long password", role="officer", is_active=False
    )
    neighbour = django_user_model.objects.create_user(username="neighbour", password="neighbour password")

    beat = Area.objects.create(
        type="beat",
        code="B1",
        name="Beat 1",
        geometry=SQUARE,
        min_lon=-121.30,
        min_lat=38.70,
        max_lon=-121.29,
        max_lat=38.71,
    )
    # the officer who owns the problem also works its beat; the officer of another beat works
    # the beat beside it (sharing an edge, so not the problem's): they may read, never change
    beside = Area.objects.create(
        type="beat",
        code="B2",
        name="Beat 2",
        geometry={"type": "Polygon", "coordinates": [[[x + 0.01, y] for x, y in SQUARE["coordinates"][0]]]},
        min_lon=-121.29,
        min_lat=38.70,
        max_lon=-121.28,
        max_lat=38.71,
    )
    for officer, on in ((users["officer"], beat), (users["officer_other"], beside)):
        BeatAssignment.objects.create(beat=on, officer=officer, display_name=officer.username, work_contact="desk")
    batch = ImportBatch.objects.create(
        file_name="x.csv", sha256="0" * 64, profile="test", source="test", started_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    when = timezone.now() - timedelta(days=60)
    event = Event.objects.create(
        kind="crime",
        source="test",
        source_id="1",
        batch=batch,
        sensitive=True,
        occurred_from=when,
        address=VICTIM_ADDRESS,
        block_address="44XX CONFIDENTIAL VICTIM LN",
        lat=VICTIM_LAT,
        lon=VICTIM_LON,
        raw={"Address": VICTIM_ADDRESS},
        row_hash="x",
    )
    problem = Problem.objects.create(
        title=PROBLEM_TITLE,
        summary="Fights at closing time.",
        polygon=SQUARE,
        stage="analysis",
        created_by=users["analyst"],
        owner=users["officer"],
    )
    triangle = TriangleEntry.objects.create(problem=problem, side="place", description="the lot", place=PLACE)
    hypothesis = Hypothesis.objects.create(problem=problem, statement="Closing time brings the fights")
    task = Task.objects.create(problem=problem, title="Talk to the depot manager", owner=users["officer"])
    change = StageChange.objects.create(
        problem=problem, from_stage="analysis", to_stage="response", requested_by=users["officer"]
    )
    assessment = Assessment.objects.create(
        problem=problem,
        before_start=date(2025, 1, 1),
        before_end=date(2025, 6, 30),
        after_start=date(2025, 7, 1),
        after_end=date(2025, 12, 31),
        target=SQUARE,
        control=SQUARE,
    )
    candidate = Candidate.objects.create(
        kind="hot_spot",
        title=CANDIDATE_TITLE,
        lon=-121.295,
        lat=38.705,
        x=0,
        y=0,
        geometry={"type": "Point", "coordinates": [-121.295, 38.705]},
        score=9,
    )
    partner = Partner.objects.create(name=PARTNER_NAME, kind="landlord", role="manager")
    service = Service.objects.create(service_code="GRAF", name="Graffiti")
    request = ServiceRequest.objects.create(
        service=service,
        description="Paint on the wall",
        lat=38.7051,
        lon=-121.2951,
        address=REPORT_ADDRESS,
        block_address="44XX QUAXWORTHY MEWS",
        requested_at=when,
        updated_at=when,
        **REPORTER,
    )
    if hasattr(ServiceRequest, "submitted_by"):
        ServiceRequest.objects.filter(pk=request.pk).update(submitted_by=neighbour)
    token = ServiceRequestToken.objects.create(request=request)
    tip = Tip(topic=Tip.Topic.OTHER, where="the shed")
    tip.set_passphrase("pass-phrase-for-tests")
    tip.save()
    TipMessage.objects.create(tip=tip, from_tipster=True, body=TIP_TEXT)
    group = WatchGroup.objects.create(name="Maple Court watch", area=beat)
    WatchMember.objects.create(group=group, **WATCH_MEMBER)
    _, api_key = ApiKey.issue("Security tests")
    # a near-repeat prevention window on the officer's beat, its tasks the officer's (not officer_other's)
    from copps.incidents.models import OffenseCategory
    from copps.problems.models import PreventionTask, PreventionWindow

    burglary = OffenseCategory.objects.get_or_create(
        code="burglary", defaults={"name": "Burglary", "kind": "crime", "group": "property"}
    )[0]
    day = timezone.localdate(when)
    window = PreventionWindow.objects.create(
        source=event, category=burglary, beat=beat, officer=users["officer"], x=0.0, y=0.0, lon=VICTIM_LON,
        lat=VICTIM_LAT, radius_m=200, window_days=14, starts=day, ends=day + timedelta(days=14),
        knox={"pattern": True, "zone": "the whole city", "cells": []},
    )
    prevention_task = PreventionTask.objects.create(
        window=window, kind="door_knock", owner=users["officer"], due=day + timedelta(days=2)
    )
    return {
        "users": users,
        "neighbour": neighbour,
        "beat": beat,
        "event": event,
        "problem": problem,
        "triangle": triangle,
        "hypothesis": hypothesis,
        "task": task,
        "change": change,
        "assessment": assessment,
        "candidate": candidate,
        "partner": partner,
        "service": service,
        "request": request,
        "token": token,
        "api_key": api_key,
        "tip": tip,
        "group": group,
        "prevention_window": window,
        "prevention_task": prevention_task,
    }
