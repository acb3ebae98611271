"""Every refusal of a signed-in user is audited as denied, with the page and the record it was
for: the staff pages' ``staff_required``, the survey pages' role check and the staff API. The
refusal itself shows nothing of the record; anonymous users are sent to sign in without a row."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.conftest import sign_in

from copps.accounts.models import AuditLog
from copps.community.models import Tip, TipMessage

TIP_TEXT = "Canary tip: the blue car behind the laundromat"


@pytest.fixture
def tip(db):
    tip = Tip(topic="drugs", where="behind the laundromat")
    tip.set_passphrase("aaaaa-bbbbb-ccccc-ddddd-eeeee")
    tip.save()
    TipMessage.objects.create(tip=tip, from_tipster=True, body=TIP_TEXT)
    return tip


def denied_rows(**filters):
    return list(AuditLog.objects.filter(outcome=AuditLog.Outcome.DENIED, **filters))


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_a_refused_staff_page_is_audited_as_denied_with_the_path(client, cast, role):
    sign_in(client, cast[role])
    url = reverse("incidents:detail", args=[4242])
    response = client.get(url, {"q": "x"})
    assert response.status_code == 403 and b"You can't open this page" in response.content
    [row] = denied_rows()
    assert (row.user, row.action, row.object_type, row.object_id) == (cast[role], "staff.access", "path", url)
    assert row.params == {"method": "GET", "path": url, "view": "incidents:detail", "kwargs": {"pk": "4242"}}
    assert row.remote_addr == "127.0.0.1"


def test_a_refused_tip_page_names_the_tip_and_shows_nothing_of_it(client, cast, tip):
    sign_in(client, cast["resident"])
    response = client.get(reverse("community:staff-tip", args=[tip.public_id]))
    assert response.status_code == 403 and b"You can't open this page" in response.content
    [row] = denied_rows()
    assert row.params["kwargs"] == {"public_id": tip.public_id} and tip.public_id in row.object_id
    assert not AuditLog.objects.filter(action="tip.read").exists()


def test_a_refused_survey_page_is_audited(client, cast):
    sign_in(client, cast["officer"])  # staff, but not a survey role
    response = client.get(reverse("engagement:staff_survey_new"))
    assert response.status_code == 403 and b"You can't open this page" in response.content
    [row] = denied_rows()
    assert (row.username, row.action, row.params["view"]) == ("officer", "staff.access", "engagement:staff_survey_new")


def test_a_refused_staff_api_call_is_audited_as_denied(client, cast):
    sign_in(client, cast["resident"])
    response = client.get(reverse("api:events_geojson"), {"kind": "crime"})
    assert response.status_code == 403 and response.json() == {"detail": "Staff sign-in required"}
    [row] = denied_rows()
    assert (row.username, row.action, row.object_type) == ("resident", "api.access", "path")
    assert row.params["view"] == "api:events_geojson"


def test_anonymous_refusals_write_no_row(client, tip):
    assert client.get(reverse("community:staff-tip", args=[tip.public_id])).status_code == 302
    assert client.get(reverse("api:events_geojson")).status_code == 401
    assert denied_rows() == []


def test_a_refusal_that_cannot_be_audited_is_an_error_and_still_shows_nothing(cast, tip, audit_down):
    client = sign_in(Client(raise_request_exception=False), cast["resident"])
    response = client.get(reverse("community:staff-tip", args=[tip.public_id]))
    assert response.status_code == 500
    assert TIP_TEXT.encode() not in response.content and b"audit store" not in response.content
