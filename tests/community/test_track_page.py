"""Track a concern by its private id: every state as the reporter sees it, reopening within the
window, "was it fixed?", and the same 404 for unknown and someone else's ids."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.community.frontdoor import report

from copps.community.models import RequestReply, ServiceRequest, StateChange
from copps.community.states import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(services, beats, client):
    report(client, services["GRAF"], name="Zebedee Quixmoor", email="zq@example.org", phone="555-0199")
    return ServiceRequest.objects.get()


def main(response) -> str:
    """The page's own content (the site header carries a per-request form token and path)."""
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def page(client, sr):
    return client.get(f"/community/track/{sr.track_key}/")


@pytest.mark.parametrize(
    ("steps", "shown"),
    [
        ([], "Received"),
        ([("acknowledged", {})], "Acknowledged"),
        ([("in_progress", {})], "In progress"),
        ([("referred", {"agency": "County Roads"})], "referred to County Roads"),
        ([("closed_fixed", {})], "Closed – fixed"),
        ([("closed_not_fixed", {"reason": "Private property: owner notified"})], "Private property: owner notified"),
        ([("closed_fixed", {}), ("reopened", {})], "Reopened"),
    ],
)
def test_each_state_is_shown_to_the_reporter(filed, client, steps, shown):
    for to, extra in steps:
        advance(filed, to, **extra)
    response = page(client, filed)
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_the_page_shows_progress_notes_and_replies_but_nothing_private(filed, client):
    advance(filed, "in_progress", notes="Crew booked for Tuesday")
    RequestReply.objects.create(request=filed, body="Thanks, we have it on the list.")
    body = page(client, filed).content.decode()
    assert "Crew booked for Tuesday" in body and "Thanks, we have it on the list." in body
    assert "75XX MAPLE CT" in body
    for private in ("Zebedee", "Quixmoor", "zq@example.org", "555-0199", "7512", "38.71", "-121.29"):
        assert private not in body, private


def test_staff_notes_reach_the_reporter_without_a_third_partys_address_or_phone(filed, client):
    """The notes are also published through Open311, scrubbed; the track page says no more."""
    advance(filed, "in_progress", notes="Owner at 4417 Birch Ln, 555-0142-771, will paint it")
    advance(filed, "closed_not_fixed", reason="Owner at 4417 Birch Ln refused (owner@example.org)")
    body = main(page(client, filed))
    assert "Owner at 44XX Birch Ln" in body and "will paint it" in body and "refused" in body
    for private in ("4417", "555-0142-771", "owner@example.org"):
        assert private not in body, private


def test_unknown_and_someone_elses_ids_get_the_same_404(filed, client, make_request):
    other = make_request()  # someone else's request: its public (Open311) id is no tracking id
    unknown = client.get("/community/track/aaaaaaaaaaaaaaaa/")
    public = client.get(f"/community/track/{filed.public_id}/")
    others = client.get(f"/community/track/{other.public_id}/")
    assert unknown.status_code == public.status_code == others.status_code == 404
    assert main(unknown) == main(public) == main(others)
    assert "No report has that tracking id" in main(unknown)
    photo = client.get(f"/community/track/{other.public_id}/photo.jpg")
    assert photo.status_code == 404 and main(photo) == main(unknown)


def test_the_lookup_form_leads_to_the_page(filed, client):
    assert client.get("/community/track/").status_code == 200
    response = client.get("/community/track/", {"id": filed.track_key.upper()})
    assert response.status_code == 302 and response["Location"] == f"/community/track/{filed.track_key}/"


def test_the_reporter_reopens_within_the_window(filed, client):
    advance(filed, "closed_fixed")
    assert "Reopen" in page(client, filed).content.decode()
    response = client.post(f"/community/track/{filed.track_key}/", {"action": "reopen"})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.state == "reopened"
    assert StateChange.objects.filter(request=filed, to_state="reopened", user=None).exists()


def test_the_reporter_cannot_reopen_after_the_window(filed, client, settings):
    settings.COPPS_COMMUNITY_REOPEN_DAYS = "3"
    advance(filed, "closed_fixed", at=timezone.now() - timedelta(days=4))
    assert 'id="reopen-form"' not in page(client, filed).content.decode()
    response = client.post(f"/community/track/{filed.track_key}/", {"action": "reopen"})
    assert response.status_code == 400
    filed.refresh_from_db()
    assert filed.state == "closed_fixed"


def test_an_open_request_cannot_be_reopened_or_rated(filed, client):
    for action in ("reopen", "fixed"):
        assert (
            client.post(f"/community/track/{filed.track_key}/", {"action": action, "fixed": "yes"}).status_code == 400
        )
    filed.refresh_from_db()
    assert filed.state == "received" and filed.fixed_answer == ""


def test_was_it_fixed_is_asked_once_after_closing(filed, client):
    advance(filed, "closed_fixed")
    assert "Was it fixed?" in page(client, filed).content.decode()
    bad = client.post(f"/community/track/{filed.track_key}/", {"action": "fixed", "fixed": "maybe"})
    assert bad.status_code == 400 and "Choose yes or no." in bad.content.decode()
    assert client.post(f"/community/track/{filed.track_key}/", {"action": "fixed", "fixed": "no"}).status_code == 302
    filed.refresh_from_db()
    assert filed.fixed_answer == "no" and filed.fixed_answer_at is not None
    body = page(client, filed).content.decode()
    assert "Was it fixed?" not in body and "not fixed" in body
    again = client.post(f"/community/track/{filed.track_key}/", {"action": "fixed", "fixed": "yes"})
    assert again.status_code == 400
    filed.refresh_from_db()
    assert filed.fixed_answer == "no"


def test_the_track_forms_are_csrf_protected(filed):
    from django.test import Client

    advance(filed, "closed_fixed")
    response = Client(enforce_csrf_checks=True).post(f"/community/track/{filed.track_key}/", {"action": "reopen"})
    assert response.status_code == 403
    filed.refresh_from_db()
    assert filed.state == "closed_fixed"


def test_the_track_page_names_the_state_in_spanish(filed, client, cast):
    advance(filed, "in_progress", user=cast["officer"])
    page = client.get(f"/community/track/{filed.track_key}/", HTTP_ACCEPT_LANGUAGE="es")
    body = main(page)
    assert "En curso" in body and "In progress" not in body
    # Open311 keeps the spec's English words whatever the client's language.
    doc = client.get(f"/open311/v2/requests/{filed.public_id}.json", HTTP_ACCEPT_LANGUAGE="es").json()
    assert doc[0]["status_notes"].startswith("In progress")
