"""Triage at city scale (issue 20): the queue pages on the server, searches, filters and sorts
from the query string with an honest count; its map; bulk route, acknowledge and close (each row
audited like a single action, rows whose state refuses the step reported back); reply templates
in the reporter's language; only the allowed next states; a confirmation after every action; the
request page's map. Everything through HTTP."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client
from tests.community.frontdoor import report
from tests.conftest import sign_in

from copps.accounts.models import AuditLog
from copps.community.models import ReplyTemplate, RequestReply, Routing, ServiceRequest
from copps.community.states import TRANSITIONS, State, advance

pytestmark = pytest.mark.django_db
QUEUE, BULK, MAP = "/community/staff/", "/community/staff/bulk/", "/community/staff/queue.geojson"


def listed(response) -> list[str]:
    """Public ids of the requests the queue's table shows, in order."""
    body = response.content.decode()
    table = body[body.index('id="request-queue"') : body.index("</table>", body.index('id="request-queue"'))]
    return [chunk.split('"', 1)[0] for chunk in table.split('name="ids" value="')[1:]]


def messages_of(response) -> list[str]:
    """The confirmations shown on the page a form's redirect leads to (``follow=True``)."""
    assert response.redirect_chain, "the form did not redirect"
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def city(services, beats, make_request):
    """Requests spread over beats, categories, ages, states and routings."""
    west, east = beats["west"], beats["east"]
    made = {
        "old_west": make_request(days_ago=40, beat=west, district=beats["district"], description="Old tag by the mill"),
        "week_east": make_request(days_ago=3, service="DUMP", beat=east, district=beats["district"],
                                  description="Sofa on the verge"),
        "fresh_west": make_request(days_ago=0.2, beat=west, district=beats["district"], description="Fresh paint"),
        "month_east": make_request(days_ago=10, service="NOIS", beat=east, description="Loud music",
                                   routed_to=Routing.POP),
    }
    advance(made["month_east"], "in_progress")
    closed = make_request(days_ago=5, beat=west, description="Done already")
    advance(closed, "closed_fixed")
    made["closed_west"] = closed
    return made


def test_the_queue_filters_sorts_and_counts_from_the_query_string(city, client, cast):
    ids = {k: v.public_id for k, v in city.items()}
    sign_in(client, cast["officer"])
    everything = client.get(QUEUE)
    assert listed(everything) == [ids["old_west"], ids["month_east"], ids["week_east"], ids["fresh_west"]]
    assert "4 requests match" in everything.content.decode()
    assert listed(client.get(QUEUE, {"sort": "newest"}))[0] == ids["fresh_west"]
    by_state = listed(client.get(QUEUE, {"sort": "state"}))
    assert by_state[-1] == ids["month_east"]  # in progress comes after received
    cases = {
        (("beat", "A1"),): [ids["old_west"], ids["fresh_west"]],
        (("district", "A"),): [ids["old_west"], ids["week_east"], ids["fresh_west"]],
        (("service", "DUMP"),): [ids["week_east"]],
        (("state", "in_progress"),): [ids["month_east"]],
        (("age", "day"),): [ids["fresh_west"]],
        (("age", "week"),): [ids["week_east"]],
        (("age", "month"),): [ids["month_east"]],
        (("age", "older"),): [ids["old_west"]],
        (("routed", "pop"),): [ids["month_east"]],
        (("routed", "none"),): [ids["old_west"], ids["week_east"], ids["fresh_west"]],
        (("q", "sofa"),): [ids["week_east"]],
        (("q", "noise"),): [ids["month_east"]],  # the category's name
        (("q", ids["fresh_west"].upper()),): [ids["fresh_west"]],
        (("show", "all"), ("beat", "A1")): [ids["old_west"], ids["closed_west"], ids["fresh_west"]],
        (("show", "all"), ("beat", "A1"), ("state", "closed_fixed")): [ids["closed_west"]],
    }
    for params, expected in cases.items():
        response = client.get(QUEUE, dict(params))
        assert response.status_code == 200
        assert listed(response) == expected, params
        n = len(expected)
        assert f"{n} request{'s' if n != 1 else ''} match" in response.content.decode(), params


def test_a_bad_filter_value_is_a_form_error_not_a_crash(city, client, cast):
    sign_in(client, cast["analyst"])
    response = client.get(QUEUE, {"beat": "ZZ9", "age": "forever", "page": "x", "service": "DUMP"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert listed(response) == [city["week_east"].public_id]  # the valid filter still applies


def test_the_queue_pages_on_the_server_with_an_honest_count(services, beats, make_request, client, cast):
    made = [make_request(days_ago=100 - i, beat=beats["west"]).public_id for i in range(60)]
    sign_in(client, cast["supervisor"])
    first = client.get(QUEUE, {"beat": "A1"})
    body = first.content.decode()
    assert listed(first) == made[:50]
    assert "60 requests match" in body and "showing 1–50" in body
    assert "?show=open&amp;beat=A1&amp;page=2" in body or "?beat=A1&amp;page=2" in body
    second = client.get(QUEUE, {"beat": "A1", "page": "2"})
    assert listed(second) == made[50:]
    assert "showing 51–60" in second.content.decode()
    row = AuditLog.objects.filter(action="triage.queue").latest("id")
    assert row.params["requests"] == made[50:] and row.params["beat"] == "A1"


def test_counts_use_thousands_separators(services, beats, client, cast):
    service = services["GRAF"]
    from django.utils import timezone

    now = timezone.now()
    ServiceRequest.objects.bulk_create(
        [ServiceRequest(service=service, requested_at=now, updated_at=now) for _ in range(1203)]
    )
    sign_in(client, cast["officer"])
    response = client.get(QUEUE)
    assert "1,203 requests match" in response.content.decode()
    assert len(listed(response)) == 50


def test_the_queue_map_shows_the_filtered_requests_and_is_audited(city, client, cast):
    sign_in(client, cast["officer"])
    response = client.get(MAP, {"beat": "A1"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert {f["properties"]["id"] for f in data["features"]} == {city["old_west"].public_id,
                                                                  city["fresh_west"].public_id}
    assert data["total"] == 2 and data["features"][0]["geometry"]["coordinates"] == [-121.29, 38.71]
    assert "2 of the 2 requests with a location are on the map." == data["summary"]
    row = AuditLog.objects.get(action="triage.map")
    assert row.user == cast["officer"] and set(row.params["requests"]) == {
        city["old_west"].public_id, city["fresh_west"].public_id}
    assert client.get(MAP, {"beat": "nowhere"}).status_code == 400


def test_the_queue_map_counts_requests_without_a_location(services, make_request, client, cast):
    make_request(lat=None, lon=None)
    sign_in(client, cast["officer"])
    data = client.get(MAP).json()
    assert data["features"] == [] and data["unplaced"] == 1 and "1 request has no location." in data["summary"]


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_the_map_and_bulk_actions_are_refused_to_non_staff(city, client, cast, role):
    sign_in(client, cast[role])
    body = client.get(MAP).content.decode()
    assert client.get(MAP).status_code == 403 and city["old_west"].public_id not in body
    response = client.post(BULK, {"ids": [city["old_west"].public_id], "bulk": "acknowledge"})
    assert response.status_code == 403
    city["old_west"].refresh_from_db()
    assert city["old_west"].state == State.RECEIVED


def test_anonymous_visitors_are_sent_to_sign_in(city, client):
    for response in (client.get(MAP), client.post(BULK, {"ids": [city["old_west"].public_id], "bulk": "acknowledge"})):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    city["old_west"].refresh_from_db()
    assert city["old_west"].state == State.RECEIVED


def test_bulk_is_post_only(client, cast):
    sign_in(client, cast["officer"])
    assert client.get(BULK).status_code == 405


@pytest.fixture
def pop_officer(django_user_model):
    return django_user_model.objects.create_user(
        username="pop1", password="x" * 12, role="officer", first_name="Ana", last_name="Pires", email="ap@pd.example"
    )


def test_bulk_route_to_an_officer_routes_each_and_audits_each(city, client, cast, pop_officer):
    picked = [city[k].public_id for k in ("old_west", "week_east", "fresh_west")]
    sign_in(client, cast["supervisor"])
    response = client.post(
        BULK,
        {"ids": picked, "bulk": "route", "to": "pop", "officer": pop_officer.pk, "back": "beat=A1&sort=newest"},
        follow=True,
    )
    assert response.redirect_chain == [("/community/staff/?beat=A1&sort=newest", 302)]
    assert messages_of(response) == ["3 requests routed."]
    for public_id in picked:
        sr = ServiceRequest.objects.get(public_id=public_id)
        assert (sr.routed_to, sr.assigned_to, sr.state) == ("pop", pop_officer, State.ACKNOWLEDGED)
        assert AuditLog.objects.filter(action="service_request.route", object_id=public_id,
                                       user=cast["supervisor"]).exists()
        assert AuditLog.objects.filter(action="service_request.state", object_id=public_id, params__to="acknowledged")
    assert len([m for m in mail.outbox if m.to == ["ap@pd.example"]]) == 3
    summary = AuditLog.objects.get(action="triage.bulk")
    assert summary.params == {"action": "route", "done": picked, "refused": {}}


def test_bulk_reports_the_rows_whose_state_refuses_the_step(city, client, cast):
    picked = [city["old_west"].public_id, city["closed_west"].public_id, city["month_east"].public_id]
    sign_in(client, cast["officer"])
    response = client.post(BULK, {"ids": picked, "bulk": "acknowledge"}, follow=True)
    said = messages_of(response)
    assert said[0] == "1 request acknowledged."
    closed, working = city["closed_west"].public_id, city["month_east"].public_id
    assert f"{closed} not acknowledged: a request that is closed – fixed cannot be acknowledged." in said
    assert f"{working} not acknowledged: a request that is in progress cannot be acknowledged." in said
    states = {sr.public_id: sr.state for sr in ServiceRequest.objects.filter(public_id__in=picked)}
    assert states == {picked[0]: "acknowledged", picked[1]: "closed_fixed", picked[2]: "in_progress"}
    assert AuditLog.objects.get(action="triage.bulk").params["refused"].keys() == {picked[1], picked[2]}
    route = client.post(BULK, {"ids": [city["closed_west"].public_id], "bulk": "route", "to": "beat"}, follow=True)
    assert messages_of(route) == [f"{closed} not routed: it is closed: reopen it on its page first."]


def test_bulk_without_what_the_action_needs_changes_nothing(city, client, cast):
    sign_in(client, cast["officer"])
    one = [city["old_west"].public_id]
    cases = [
        ({"bulk": "route"}, "Choose where the requests go."),
        ({"bulk": "route", "to": "department"}, "Name the department it goes to."),
        ({"bulk": "close", "close_as": "closed_fixed"}, "Write the reply or pick a template."),
        ({"bulk": "close", "close_as": "closed_not_fixed", "body": "x"}, "Give the reason they were not fixed."),
    ]
    for data, message in cases:
        response = client.post(BULK, {"ids": one, **data}, follow=True)
        assert any(message in m for m in messages_of(response)), data
    assert client.post(BULK, {"bulk": "acknowledge"}).status_code == 302
    too_many = client.post(BULK, {"ids": one + [f"x{i}" for i in range(200)], "bulk": "acknowledge"}, follow=True)
    assert any("At most 200 requests at once." in m for m in messages_of(too_many))
    city["old_west"].refresh_from_db()
    assert city["old_west"].state == State.RECEIVED and not AuditLog.objects.filter(action="triage.bulk").exists()


@pytest.fixture
def thanks(db):
    return ReplyTemplate.objects.create(
        name="Fixed, thanks", body_en="Thank you: the crew has fixed it.", body_es="Gracias: la cuadrilla lo arregló."
    )


def test_bulk_close_replies_with_a_template_in_each_reporters_language(services, beats, client, cast, thanks):
    report(client, services["GRAF"], email="en@example.org")
    client.cookies.clear()
    client.post("/es/community/report/details/", {
        "service": str(services["NOIS"].pk), "lat": "38.71", "lon": "-121.29", "address": "7512 Maple Ct",
        "description": "Música alta", "email": "es@example.org", "keep_private": "on"})
    english = ServiceRequest.objects.get(reporter_email="en@example.org")
    spanish = ServiceRequest.objects.get(description="Música alta")
    assert (english.language, spanish.language) == ("en", "es")
    mail.outbox.clear()
    sign_in(client, cast["officer"])
    response = client.post(BULK, {"ids": [english.public_id, spanish.public_id], "bulk": "close",
                                  "close_as": "closed_fixed", "template": thanks.pk}, follow=True)
    assert messages_of(response) == ["2 requests closed."]
    english.refresh_from_db()
    spanish.refresh_from_db()
    assert english.state == spanish.state == State.CLOSED_FIXED
    assert RequestReply.objects.get(request=english).body == thanks.body_en
    assert RequestReply.objects.get(request=spanish).body == thanks.body_es
    by_to = {m.to[0]: m for m in mail.outbox}
    assert thanks.body_es in by_to["es@example.org"].body and by_to["es@example.org"].subject.startswith("Su reporte")
    assert f"/es/community/track/{spanish.track_key}/" in by_to["es@example.org"].body
    assert thanks.body_en in by_to["en@example.org"].body
    assert AuditLog.objects.filter(action="service_request.reply", params__template=thanks.pk).count() == 2


def test_a_reply_template_picked_on_the_request_page(services, make_request, client, cast, thanks):
    sr = make_request(language="es", reporter_email="r@example.org", track_key="k1")
    sign_in(client, cast["officer"])
    page = client.get(f"/community/staff/requests/{sr.public_id}/").content.decode()
    assert f'<option value="{thanks.pk}">Fixed, thanks</option>' in page
    response = client.post(
        f"/community/staff/requests/{sr.public_id}/", {"action": "reply", "template": thanks.pk}, follow=True
    )
    assert messages_of(response) == ["Reply sent and e-mailed to the reporter."]
    assert RequestReply.objects.get().body == thanks.body_es
    written = client.post(f"/community/staff/requests/{sr.public_id}/",
                          {"action": "reply", "template": thanks.pk, "body": "Own words"})
    assert written.status_code == 302 and RequestReply.objects.latest("id").body == "Own words"


def test_an_inactive_template_is_not_offered(services, make_request, client, cast, thanks):
    thanks.active = False
    thanks.save()
    sr = make_request()
    sign_in(client, cast["officer"])
    assert "Fixed, thanks" not in client.get(f"/community/staff/requests/{sr.public_id}/").content.decode()
    response = client.post(f"/community/staff/requests/{sr.public_id}/", {"action": "reply", "template": thanks.pk})
    assert response.status_code == 400 and not RequestReply.objects.exists()


def test_admins_edit_reply_templates_in_the_admin(admin_client, thanks):
    response = admin_client.post(
        f"/admin/community/replytemplate/{thanks.pk}/change/",
        {"name": "Fixed, thanks", "body_en": "Fixed. Thank you.", "body_es": "Arreglado. Gracias.", "active": "on"},
    )
    assert response.status_code == 302
    thanks.refresh_from_db()
    assert (thanks.body_en, thanks.body_es) == ("Fixed. Thank you.", "Arreglado. Gracias.")
    assert admin_client.get("/admin/community/replytemplate/").status_code == 200


@pytest.mark.parametrize("start", list(State))
def test_the_state_menu_offers_only_the_allowed_next_states(services, make_request, client, cast, start):
    from tests.community.test_triage import _path_to

    sr = make_request()
    for step, extra in _path_to(start):
        advance(sr, step, **extra)
    sign_in(client, cast["officer"])
    body = client.get(f"/community/staff/requests/{sr.public_id}/").content.decode()
    menu = body[body.index('name="to" id="id_to"', body.index('id="state-form"')) :]
    menu = menu[: menu.index("</select>")]
    offered = {s for s in State if f'value="{s.value}"' in menu}
    assert offered == set(TRANSITIONS[start])


def test_every_single_action_is_confirmed(city, client, cast, beats):
    sr = city["old_west"]
    sign_in(client, cast["officer"])
    url = f"/community/staff/requests/{sr.public_id}/"
    said = messages_of(client.post(url, {"action": "state", "to": "in_progress"}, follow=True))
    assert said == ["State changed to In progress."]
    said = messages_of(client.post(url, {"action": "route", "to": "pop"}, follow=True))
    assert said == ["Routed to The problem-oriented policing unit."]
    said = messages_of(client.post(url, {"action": "reply", "body": "On it."}, follow=True))
    assert said == ["Reply saved on the reporter's track page."]
    assert "Reply saved" not in client.get(url).content.decode()  # shown once, on the page after the action


def test_the_request_page_maps_its_point_for_staff(city, services, make_request, client, cast):
    sign_in(client, cast["officer"])
    body = client.get(f"/community/staff/requests/{city['old_west'].public_id}/").content.decode()
    assert 'id="request-map"' in body and 'data-lat="38.710000"' in body and 'data-lon="-121.290000"' in body
    unplaced = make_request(lat=None, lon=None)
    assert 'id="request-map"' not in client.get(f"/community/staff/requests/{unplaced.public_id}/").content.decode()


def test_the_queue_map_fails_closed(city, cast, audit_down):
    response = sign_in(Client(raise_request_exception=False), cast["officer"]).get(MAP)
    assert response.status_code == 500 and city["old_west"].public_id not in response.content.decode()


def test_the_new_triage_words_read_in_spanish(city, client, cast, settings):
    sign_in(client, cast["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    body = client.get(QUEUE).content.decode()
    for words in ("Quitar los filtros", "4 reportes coinciden", "Con los reportes marcados", "Cualquier sector"):
        assert words in body
    response = client.post(BULK, {"ids": [city["old_west"].public_id], "bulk": "acknowledge"}, follow=True)
    assert messages_of(response) == ["1 reporte con acuse de recibo."]


def test_every_tip_action_is_confirmed(beats, client, cast):
    from copps.community.models import Tip

    tip = Tip(topic="drugs", where="Birch Ave")
    tip.set_passphrase("aaaaa-bbbbb-ccccc-ddddd-eeeee")
    tip.save()
    sign_in(client, cast["officer"])
    url = f"/community/staff/tips/{tip.public_id}/"
    assert messages_of(client.post(url, {"action": "reply", "body": "Thank you."}, follow=True)) == [
        "Reply sent to the tipster."
    ]
    assert messages_of(client.post(url, {"action": "route", "to": "pop"}, follow=True)) == [
        "Routed to The problem-oriented policing unit."
    ]
    said = messages_of(client.post(url, {"action": "state", "state": "closed"}, follow=True))
    assert said == [f"State changed to {Tip.State.CLOSED.label}."]
