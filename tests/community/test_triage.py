"""Staff triage: who may use it, routing, replies, every state change through the page, tip
conversations from the staff side, and the audit rows for reading tips and reporter details."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.community.frontdoor import report
from tests.conftest import sign_in

from copps.accounts.models import AuditLog
from copps.community.models import RequestReply, ServiceRequest, Tip, TipMessage
from copps.community.states import TRANSITIONS, State, advance
from copps.community.views.triage import problem_choices, problem_link_url

pytestmark = pytest.mark.django_db

TIP_TEXT = "Canary tip text: the red van on Birch"


@pytest.fixture
def filed(services, beats, client):
    report(client, services["GRAF"], name="Zebedee Quixmoor", email="zq@example.org")
    client.cookies.clear()
    return ServiceRequest.objects.get()


@pytest.fixture
def tip(db):
    tip = Tip(topic="drugs", where="Birch Ave")
    tip.set_passphrase("aaaaa-bbbbb-ccccc-ddddd-eeeee")
    tip.save()
    TipMessage.objects.create(tip=tip, from_tipster=True, body=TIP_TEXT)
    return tip


def staff_pages(sr, tip):
    return [
        "/community/staff/",
        f"/community/staff/requests/{sr.public_id}/",
        f"/community/staff/requests/{sr.public_id}/photo.jpg",
        f"/community/staff/tips/{tip.public_id}/",
        "/community/staff/service-levels/",
    ]


def test_anonymous_visitors_are_sent_to_sign_in_and_see_nothing(filed, tip, client):
    for url in staff_pages(filed, tip):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert client.post(f"/community/staff/tips/{tip.public_id}/", {"action": "reply", "body": "x"}).status_code == 302
    assert tip.messages.count() == 1


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_residents_and_auditors_are_refused_with_nothing_leaked(filed, tip, client, cast, role):
    sign_in(client, cast[role])
    for url in staff_pages(filed, tip):
        response = client.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        for secret in (TIP_TEXT, "Zebedee", "zq@example.org", "Birch"):
            assert secret not in body
    response = client.post(f"/community/staff/requests/{filed.public_id}/", {"action": "state", "to": "acknowledged"})
    assert response.status_code == 403
    filed.refresh_from_db()
    assert filed.state == "received"
    assert not AuditLog.objects.filter(action="tip.read").exists()


@pytest.mark.parametrize("role", ["officer", "analyst", "supervisor", "admin"])
def test_department_staff_see_the_queue(filed, tip, client, cast, role):
    sign_in(client, cast[role])
    response = client.get("/community/staff/")
    body = response.content.decode()
    assert response.status_code == 200
    assert filed.public_id in body and tip.public_id in body
    assert TIP_TEXT not in body  # tip text only on the tip's own (audited) page


def test_the_queue_costs_the_same_queries_for_few_and_many(
    filed, tip, client, cast, make_request, django_assert_max_num_queries
):
    sign_in(client, cast["officer"])
    client.get("/community/staff/")
    # one query per page of requests and of tips and per count, one per filter and bulk menu
    # (categories, beats, districts, officers, reply templates): none per row
    with django_assert_max_num_queries(18) as few:
        client.get("/community/staff/")
    for _ in range(20):
        make_request()
        t = Tip(topic="other")
        t.set_passphrase("x")
        t.save()
    with django_assert_max_num_queries(18) as many:
        client.get("/community/staff/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_reading_a_tip_is_audited(tip, client, cast):
    sign_in(client, cast["analyst"])
    response = client.get(f"/community/staff/tips/{tip.public_id}/")
    assert response.status_code == 200 and TIP_TEXT in response.content.decode()
    row = AuditLog.objects.get(action="tip.read")
    assert (row.user, row.object_type, row.object_id) == (cast["analyst"], "tip", tip.public_id)


def test_reading_a_requests_reporter_details_is_audited(filed, client, cast):
    sign_in(client, cast["officer"])
    body = client.get(f"/community/staff/requests/{filed.public_id}/").content.decode()
    assert "Zebedee" in body and "zq@example.org" in body and "name private" in body
    assert (
        AuditLog.objects.filter(action="service_request.read", object_id=filed.public_id, user=cast["officer"]).count()
        == 1
    )


def _path_to(state: str) -> list[tuple[str, dict]]:
    """Steps from received to ``state`` through the state machine."""
    return {
        State.RECEIVED: [],
        State.ACKNOWLEDGED: [("acknowledged", {})],
        State.IN_PROGRESS: [("in_progress", {})],
        State.REFERRED: [("referred", {"agency": "County Roads"})],
        State.CLOSED_FIXED: [("closed_fixed", {})],
        State.CLOSED_NOT_FIXED: [("closed_not_fixed", {"reason": "Could not find it"})],
        State.REOPENED: [("closed_fixed", {}), ("reopened", {})],
    }[state]


TRANSITION_CASES = [(a, b) for a in State for b in State]


@pytest.mark.parametrize(("start", "to"), TRANSITION_CASES, ids=[f"{a}->{b}" for a, b in TRANSITION_CASES])
def test_every_state_change_through_the_triage_page(services, make_request, client, cast, start, to):
    sr = make_request()
    for step, extra in _path_to(start):
        advance(sr, step, **extra)
    sign_in(client, cast["officer"])
    data = {"action": "state", "to": to, "notes": "Crew sent", "agency": "County Roads", "reason": "Private land"}
    response = client.post(f"/community/staff/requests/{sr.public_id}/", data)
    sr.refresh_from_db()
    if to in TRANSITIONS[start]:
        assert response.status_code == 302, response.content.decode()[-600:]
        assert sr.state == to and sr.status_notes == "Crew sent"
        assert sr.changes.last().user == cast["officer"]
        assert AuditLog.objects.filter(action="service_request.state", object_id=sr.public_id, params__to=to).exists()
    else:
        assert response.status_code == 400 and "cannot go from" in response.content.decode()
        assert sr.state == start


@pytest.mark.parametrize(
    ("to", "missing", "message"),
    [("referred", "agency", "needs the agency"), ("closed_not_fixed", "reason", "needs the reason")],
)
def test_a_state_change_missing_what_it_needs_is_refused(filed, client, cast, to, missing, message):
    sign_in(client, cast["officer"])
    response = client.post(f"/community/staff/requests/{filed.public_id}/", {"action": "state", "to": to})
    assert response.status_code == 400 and message in response.content.decode()
    filed.refresh_from_db()
    assert filed.state == "received"


def test_routing_to_the_beat_officer_uses_the_beat_of_the_location(services, beats, make_request, client, cast):
    sr = make_request()  # stored without its beat (lat 38.71, lon -121.29 is in beat A1)
    assert sr.beat is None
    sign_in(client, cast["supervisor"])
    response = client.post(f"/community/staff/requests/{sr.public_id}/", {"action": "route", "to": "beat"})
    assert response.status_code == 302
    sr.refresh_from_db()
    assert (sr.routed_to, sr.beat, sr.district, sr.state) == ("beat", beats["west"], beats["district"], "acknowledged")
    assert AuditLog.objects.filter(action="service_request.route", params__beat="A1").exists()


def test_routing_to_a_beat_without_a_location_in_one_is_refused(services, beats, make_request, client, cast):
    sr = make_request(lat=None, lon=None)
    sign_in(client, cast["officer"])
    response = client.post(f"/community/staff/requests/{sr.public_id}/", {"action": "route", "to": "beat"})
    assert response.status_code == 400 and "No beat holds" in response.content.decode()
    sr.refresh_from_db()
    assert sr.routed_to == "" and sr.state == "received"


def test_routing_to_the_pop_unit_and_to_another_department(filed, client, cast):
    sign_in(client, cast["officer"])
    url = f"/community/staff/requests/{filed.public_id}/"
    assert client.post(url, {"action": "route", "to": "pop"}).status_code == 302
    filed.refresh_from_db()
    assert (filed.routed_to, filed.state) == ("pop", "acknowledged")
    refused = client.post(url, {"action": "route", "to": "department"})
    assert refused.status_code == 400 and "Name the department" in refused.content.decode()
    assert client.post(url, {"action": "route", "to": "department", "agency": "Parks"}).status_code == 302
    filed.refresh_from_db()
    assert (filed.routed_to, filed.state, filed.agency_responsible) == ("department", "referred", "Parks")
    # The reporter sees where it went.
    assert "referred to Parks" in client.get(f"/community/track/{filed.track_key}/").content.decode()


def test_a_reply_reaches_the_track_page_and_the_reporters_inbox(filed, client, cast):
    sign_in(client, cast["officer"])
    response = client.post(
        f"/community/staff/requests/{filed.public_id}/", {"action": "reply", "body": "We will paint over it on Friday."}
    )
    assert response.status_code == 302
    reply = RequestReply.objects.get()
    assert reply.emailed and reply.author == cast["officer"]
    (message,) = mail.outbox
    assert message.to == ["zq@example.org"] and "We will paint over it on Friday." in message.body
    assert f"/community/track/{filed.track_key}/" in message.body
    client.logout()
    assert "We will paint over it on Friday." in client.get(f"/community/track/{filed.track_key}/").content.decode()


def test_an_empty_reply_gets_a_field_error(filed, client, cast):
    sign_in(client, cast["officer"])
    response = client.post(f"/community/staff/requests/{filed.public_id}/", {"action": "reply", "body": ""})
    assert response.status_code == 400 and "Write the reply or pick a template." in response.content.decode()
    assert not RequestReply.objects.exists()


def test_staff_reply_route_and_close_a_tip(tip, beats, client, cast):
    sign_in(client, cast["officer"])
    url = f"/community/staff/tips/{tip.public_id}/"
    assert client.post(url, {"action": "reply", "body": "Which night of the week?"}).status_code == 302
    message = tip.messages.last()
    assert (message.from_tipster, message.author, message.body) == (False, cast["officer"], "Which night of the week?")
    tip.refresh_from_db()
    assert tip.state == "open"
    refused = client.post(url, {"action": "route", "to": "beat", "beat": "Z9"})
    assert refused.status_code == 400 and "Choose the beat" in refused.content.decode()
    assert client.post(url, {"action": "route", "to": "beat", "beat": "A2"}).status_code == 302
    tip.refresh_from_db()
    assert (tip.routed_to, tip.beat) == ("beat", beats["east"])
    assert client.post(url, {"action": "state", "state": "closed"}).status_code == 302
    tip.refresh_from_db()
    assert tip.state == "closed"
    actions = set(AuditLog.objects.filter(object_type="tip", object_id=tip.public_id).values_list("action", flat=True))
    assert {"tip.reply", "tip.route", "tip.state"} <= actions


def test_the_triage_forms_are_csrf_protected(filed, tip, cast):
    from django.test import Client

    strict = sign_in(Client(enforce_csrf_checks=True), cast["officer"])
    assert strict.post(f"/community/staff/tips/{tip.public_id}/", {"action": "reply", "body": "x"}).status_code == 403
    assert tip.messages.count() == 1


def test_the_link_to_problem_form_posts_to_the_problems_route(filed, tip, client, cast):
    from copps.problems.models import Problem

    problem = Problem.objects.create(title="Drug market on Birch", owner=cast["supervisor"])
    # closed the way a problem closes: a supervisor approved its move to the closed stage
    Problem.objects.create(title="Closed long ago", stage="closed", closed_at=timezone.now())
    sign_in(client, cast["supervisor"])
    for name, page, field, value in (
        ("problems:link-request", f"/community/staff/requests/{filed.public_id}/", "request_id", filed.public_id),
        ("problems:link-tip", f"/community/staff/tips/{tip.public_id}/", "tip_id", tip.public_id),
    ):
        target = reverse(name, args=[problem.pk])
        body = client.get(page).content.decode()
        assert f'formaction="{target}"' in body and f'name="{field}" value="{value}"' in body
        assert "Drug market on Birch" in body and "Closed long ago" not in body
        # The form's fields, posted where its button points, make the link and come back.
        response = client.post(target, {field: value, "note": "same block", "next": page})
        assert response.status_code == 302 and response["Location"] == page
    assert problem.request_links.get().request == filed
    assert problem.tip_links.get().tip == tip


def test_no_link_form_without_the_problems_route():
    assert problem_link_url("problems:no-such-route", 1) is None
    assert problem_choices("problems:no-such-route") == []


def test_the_queue_filters_and_the_staff_photo(services, beats, client, cast, make_request, tip):
    from tests.community.frontdoor import jpeg_with_gps, upload

    report(client, services["GRAF"], photo=upload(jpeg_with_gps()))
    with_photo = ServiceRequest.objects.get(source="web")
    closed = make_request(description="Closed one")
    advance(closed, "closed_fixed")
    acked = make_request(description="Acknowledged one")
    advance(acked, "acknowledged")
    sign_in(client, cast["officer"])
    shown = {show: client.get("/community/staff/", {"show": show}).content.decode() for show in ("new", "open", "all")}
    assert with_photo.public_id in shown["new"] and acked.public_id not in shown["new"]
    assert acked.public_id in shown["open"] and closed.public_id not in shown["open"]
    assert closed.public_id in shown["all"] and tip.public_id in shown["all"]
    photo = client.get(f"/community/staff/requests/{with_photo.public_id}/photo.jpg")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg" and photo.content.startswith(b"\xff\xd8")
    assert client.get(f"/community/staff/requests/{closed.public_id}/photo.jpg").status_code == 404


def test_the_queue_is_audited_with_its_filter_and_what_it_listed(filed, tip, client, cast):
    sign_in(client, cast["supervisor"])
    assert client.get("/community/staff/", {"show": "new"}).status_code == 200
    row = AuditLog.objects.get(action="triage.queue")
    assert (row.user, row.object_type, row.outcome) == (cast["supervisor"], "tip", "allowed")
    assert row.params == {"show": "new", "tips": [tip.public_id], "requests": [filed.public_id]}


@pytest.fixture
def with_photo(services, beats, client):
    from tests.community.frontdoor import jpeg_with_gps, upload

    report(client, services["GRAF"], name="Zebedee Quixmoor", photo=upload(jpeg_with_gps()))
    client.cookies.clear()
    return ServiceRequest.objects.get()


def test_the_staff_photo_is_audited(with_photo, client, cast):
    sign_in(client, cast["officer"])
    photo = client.get(f"/community/staff/requests/{with_photo.public_id}/photo.jpg")
    assert photo.status_code == 200 and photo.content.startswith(b"\xff\xd8")
    row = AuditLog.objects.get(action="service_request.photo")
    assert (row.user, row.object_type, row.object_id) == (cast["officer"], "service_request", with_photo.public_id)


@pytest.mark.parametrize("page", ["queue", "request", "photo", "tip"])
def test_triage_reads_fail_closed(with_photo, tip, cast, audit_down, page):
    url = {
        "queue": "/community/staff/",
        "request": f"/community/staff/requests/{with_photo.public_id}/",
        "photo": f"/community/staff/requests/{with_photo.public_id}/photo.jpg",
        "tip": f"/community/staff/tips/{tip.public_id}/",
    }[page]
    response = sign_in(Client(raise_request_exception=False), cast["analyst"]).get(url)
    assert response.status_code == 500
    for secret in (TIP_TEXT, "Zebedee", tip.public_id, with_photo.public_id):
        assert secret not in response.content.decode()
    assert not response.content.startswith(b"\xff\xd8")


@pytest.fixture
def beat_officers(beats, cast, django_user_model):
    """Officer Ramos first in line on beat A1, a second officer behind; nobody on A2."""
    from copps.community.engagement.models import BeatAssignment

    second = django_user_model.objects.create_user(username="second", password="x" * 12, role="officer")
    cast["officer"].email, cast["officer"].first_name, cast["officer"].last_name = "ramos@pd.example", "Jo", "Ramos"
    cast["officer"].save()
    BeatAssignment.objects.create(
        beat=beats["west"], officer=second, display_name="Officer B", order=2, work_contact="desk"
    )
    BeatAssignment.objects.create(
        beat=beats["west"], officer=cast["officer"], display_name="Officer J. Ramos", order=1, work_contact="desk"
    )
    return cast["officer"]


def test_routing_to_the_beat_gives_the_request_to_its_officer_and_tells_them(
    services, beats, beat_officers, make_request, client, cast
):
    sr = make_request(description="Canary words of the resident")
    sign_in(client, cast["supervisor"])
    assert (
        client.post(f"/community/staff/requests/{sr.public_id}/", {"action": "route", "to": "beat"}).status_code == 302
    )
    sr.refresh_from_db()
    assert sr.assigned_to == beat_officers
    (message,) = mail.outbox
    assert message.to == ["ramos@pd.example"] and "beat A1" in message.subject
    assert f"/community/staff/requests/{sr.public_id}/" in message.body
    assert "Canary words" not in message.body and "MAPLE" not in message.body  # only a link
    assert AuditLog.objects.get(action="service_request.route").params["assigned_to"] == beat_officers.pk
    assert "Jo Ramos" in client.get(f"/community/staff/requests/{sr.public_id}/").content.decode()
    # Ramos finds it under "routed to me"; the supervisor does not.
    assert sr.public_id not in client.get("/community/staff/?show=mine").content.decode()
    sign_in(client, beat_officers)
    assert sr.public_id in client.get("/community/staff/?show=mine").content.decode()
    # Sent on to the POP unit, it is nobody's own any more.
    assert (
        client.post(f"/community/staff/requests/{sr.public_id}/", {"action": "route", "to": "pop"}).status_code == 302
    )
    sr.refresh_from_db()
    assert sr.assigned_to is None and sr.public_id not in client.get("/community/staff/?show=mine").content.decode()


def test_a_tip_routed_to_a_beat_goes_to_its_officer_and_a_beat_without_one_to_the_queue(
    tip, beat_officers, client, cast
):
    sign_in(client, cast["supervisor"])
    url = f"/community/staff/tips/{tip.public_id}/"
    assert client.post(url, {"action": "route", "to": "beat", "beat": "A1"}).status_code == 302
    tip.refresh_from_db()
    assert tip.assigned_to == beat_officers
    (message,) = mail.outbox
    assert TIP_TEXT not in message.body and "Birch" not in message.body and url in message.body
    assert client.post(url, {"action": "route", "to": "beat", "beat": "A2"}).status_code == 302
    tip.refresh_from_db()
    assert tip.assigned_to is None and len(mail.outbox) == 1


def test_the_queue_marks_tips_whose_tipster_wrote_last(tip, client, cast):
    sign_in(client, cast["officer"])
    TipMessage.objects.create(tip=tip, from_tipster=False, author=cast["officer"], body="Which night?")
    assert "the tipster wrote last" not in client.get("/community/staff/").content.decode()
    TipMessage.objects.create(tip=tip, from_tipster=True, body="Fridays")
    assert "the tipster wrote last" in client.get("/community/staff/").content.decode()
