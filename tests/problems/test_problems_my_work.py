"""An officer's "My work": their problems with the next gate, their tasks due and overdue across
problems, the requests triage routed to them and the DDACTS zones to patrol — and nobody else's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.conftest import sign_in
from tests.problems.conftest import SQUARE

from copps.accounts.models import AuditLog
from copps.community.engagement.models import BeatAssignment
from copps.community.models import Service, ServiceRequest
from copps.incidents.models import Area
from copps.problems import stages
from copps.problems.models import DdactsZone, Problem, Task

URL = reverse("problems:my_work")
BESIDE = {"type": "Polygon", "coordinates": [[[x + 0.01, y] for x, y in SQUARE["coordinates"][0]]]}


@pytest.fixture
def day(make_problem, cast, other_officer):
    """The officer works beat B1 and owns a problem there; ``officer2`` works the beat beside it."""
    officer = cast["officer"]
    box = {"min_lat": 38.70, "max_lat": 38.71}
    beat = Area.objects.create(
        type="beat", code="B1", name="Beat 1", geometry=SQUARE, min_lon=-121.30, max_lon=-121.29, **box
    )
    beside = Area.objects.create(
        type="beat", code="B2", name="Beat 2", geometry=BESIDE, min_lon=-121.29, max_lon=-121.28, **box
    )
    BeatAssignment.objects.create(beat=beat, officer=officer, display_name="Officer", work_contact="desk")
    BeatAssignment.objects.create(beat=beside, officer=other_officer, display_name="Officer 2", work_contact="desk")
    mine = make_problem(title="Car break-ins at the Sunridge lot")
    theirs = make_problem(title="Loud parties on Quince Row", owner=None, polygon=BESIDE)
    today = timezone.localdate()
    Task.objects.create(problem=mine, title="Ask for the lights", owner=officer, due=today - timedelta(days=2))
    Task.objects.create(problem=mine, title="Revisit the lot", owner=officer, due=today + timedelta(days=3))
    Task.objects.create(problem=mine, title="Old leaflet drop", owner=officer, status="done", due=date(2020, 1, 1))
    Task.objects.create(problem=theirs, title="Talk to the landlord", owner=other_officer, due=today)
    service = Service.objects.create(service_code="GRAF", name="Graffiti")
    when = {"requested_at": timezone.now() - timedelta(days=1), "updated_at": timezone.now()}
    routed = ServiceRequest.objects.create(
        service=service, description="Paint", lat=38.705, lon=-121.295, block_address="44XX SUNRIDGE BLVD",
        assigned_to=officer, beat=beat, **when,
    )
    ServiceRequest.objects.create(
        service=service, description="Old", state="closed_fixed", assigned_to=officer, **when
    )
    ServiceRequest.objects.create(service=service, description="Not mine", assigned_to=other_officer, **when)
    zone = DdactsZone.objects.create(name="Sunridge corridor", problem=mine, polygon=SQUARE, start=today)
    DdactsZone.objects.create(name="Retired zone", problem=mine, polygon=SQUARE, start=today, active=False)
    DdactsZone.objects.create(name="Quince corridor", polygon=BESIDE, start=today)
    return {"mine": mine, "theirs": theirs, "routed": routed, "zone": zone}


def test_an_officer_sees_their_problem_with_its_next_gate(client_for, day):
    body = client_for("officer").get(URL).content.decode()
    assert "Car break-ins at the Sunridge lot" in body and "Loud parties on Quince Row" not in body
    assert "next gate: 5 of 5 done to move to Analysis" in body


def test_a_problem_waiting_for_a_supervisor_says_so(client_for, day, cast):
    stages.request_move(day["mine"], "analysis", by=cast["officer"])
    body = client_for("officer").get(URL).content.decode()
    assert "waiting for a supervisor: move to Analysis" in body


def test_the_gate_lists_what_is_still_missing(client_for, day):
    Problem.objects.filter(pk=day["mine"].pk).update(stage="analysis")
    body = client_for("officer").get(URL).content.decode()
    assert "next gate: 0 of 3 done to move to Response" in body
    assert "At least one hypothesis marked supported or rejected" in body


def test_tasks_overdue_first_then_due_and_none_done_or_others(client_for, day):
    body = client_for("officer").get(URL).content.decode()
    assert body.index("Ask for the lights") < body.index("Revisit the lot")
    assert "Overdue since" in body and body.count("Overdue since") == 1
    assert "Old leaflet drop" not in body and "Talk to the landlord" not in body


def test_requests_routed_to_me_and_not_closed_or_others(client_for, day):
    body = client_for("officer").get(URL).content.decode()
    routed = day["routed"].public_id
    assert routed in body and reverse("community:staff-request", args=[routed]) in body
    assert body.count("Graffiti") == 1


def test_zones_of_my_problems_and_beats_only_active(client_for, day):
    body = client_for("officer").get(URL).content.decode()
    assert "Sunridge corridor" in body and "Retired zone" not in body and "Quince corridor" not in body


def test_the_officer_of_another_beat_sees_their_own_work_only(client, day, other_officer):
    body = sign_in(client, other_officer).get(URL).content.decode()
    assert "Loud parties on Quince Row" in body and "Talk to the landlord" in body and "Quince corridor" in body
    assert "Car break-ins" not in body and "Ask for the lights" not in body and day["routed"].public_id not in body
    assert "Sunridge corridor" not in body


def test_the_page_is_audited_with_what_it_listed(client_for, day):
    client_for("officer").get(URL)
    row = AuditLog.objects.get(action="problem.my_work")
    assert row.username == "officer" and row.params["problems"] == [day["mine"].pk]
    assert row.params["requests"] == [day["routed"].public_id] and row.params["zones"] == [day["zone"].pk]


@pytest.mark.parametrize("role", ["analyst", "supervisor"])
def test_other_staff_get_their_own_page(client_for, day, role):
    response = client_for(role).get(URL)
    assert response.status_code == 200 and b"Ask for the lights" not in response.content


@pytest.mark.parametrize("role", ["auditor", "resident"])
def test_non_staff_are_refused_with_a_way_back(client_for, day, role):
    response = client_for(role).get(URL)
    assert response.status_code == 403 and b"Car break-ins" not in response.content
    assert b"You can't open this page" in response.content


def test_anonymous_visitors_sign_in_first(day):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_page_is_a_bounded_number_of_queries(client_for, day, make_problem, django_assert_max_num_queries):
    c = client_for("officer")
    for n in range(3):
        make_problem(title=f"Another problem {n}", stage="response")
    # the session, the user, the lists and a checklist of at most three items per problem
    with django_assert_max_num_queries(40):
        assert c.get(URL).status_code == 200
