"""The admin: services with their questions, requests filtered by state and service, and API
keys shown once at creation and stored only as a hash."""

from __future__ import annotations

import re

from django.contrib.messages import get_messages

from copps.community.models import ApiKey


def test_adding_an_api_key_shows_it_once_and_stores_only_its_hash(admin_client):
    admin = admin_client
    response = admin.post("/admin/community/apikey/add/", {"name": "Partner app", "contact": "x@example.org",
                                                           "active": "on"})
    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request) if "API key for" in str(m)]
    raw = re.search(r"API key for Partner app: (\S+) ", message).group(1)
    key = ApiKey.objects.get()
    assert key.key_hash == ApiKey.hash(raw) and raw not in (key.key_hash, key.prefix)
    assert ApiKey.find(raw) == key
    assert raw in admin.get("/admin/community/apikey/").content.decode()  # the message, once
    page = admin.get(f"/admin/community/apikey/{key.pk}/change/").content.decode()
    assert raw not in page and key.prefix in page
    # Editing the key's details does not change the key.
    admin.post(f"/admin/community/apikey/{key.pk}/change/", {"name": "Renamed", "contact": "", "active": "on"})
    assert ApiKey.find(raw).name == "Renamed"


def test_request_list_filters_by_state_and_service(admin_client, make_request):
    make_request(state="referred", agency_responsible="County")
    make_request(state="received", service="DUMP")
    admin = admin_client
    page = admin.get("/admin/community/servicerequest/", {"state": "referred"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    noise = make_request(service="NOIS")
    page = admin.get("/admin/community/servicerequest/", {"service__id__exact": noise.service_id})
    assert page.context["cl"].result_count == 1


def test_service_pages_show_the_questions_inline(admin_client, services):
    admin = admin_client
    page = admin.get(f"/admin/community/service/{services['GRAF'].pk}/change/")
    assert page.status_code == 200
    assert "SURFACE" in page.content.decode()
    assert admin.get("/admin/community/service/add/").status_code == 200
    request_page = admin.get("/admin/community/servicerequest/")
    assert request_page.status_code == 200


def test_officers_have_no_admin(client_for, services):
    assert client_for("officer").get("/admin/community/apikey/").status_code == 302


def test_admin_actions_move_requests_through_the_state_machine(admin_client, make_request):
    fresh, closed = make_request(), make_request(state="closed_fixed")
    response = admin_client.post("/admin/community/servicerequest/", {
        "action": "acknowledge", "_selected_action": [fresh.pk, closed.pk]}, follow=True)
    text = response.content.decode()
    assert "1 request(s) now acknowledged." in text
    assert f"Not changed: {closed.public_id}" in text
    fresh.refresh_from_db()
    closed.refresh_from_db()
    assert (fresh.state, closed.state) == ("acknowledged", "closed_fixed")
    assert fresh.changes.get().user.username == "admin"
