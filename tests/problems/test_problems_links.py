"""Linking community evidence to a problem: a service request by its number or public id, from the
problem page or a staff triage page; officers only on problems assigned to them; every link audited;
residents and anonymous visitors get nothing. Anonymous tips the same way (`problems:link-tip`), the
problem page showing only a tip's number and topic."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.conftest import sign_in
from tests.problems.conftest import audit_actions

from copps.accounts.models import AuditLog
from copps.community.models import Service, ServiceRequest, Tip, TipMessage
from copps.problems.models import RequestLink, TipLink


@pytest.fixture
def problem(make_problem):
    return make_problem()


@pytest.fixture
def sr(db):
    service = Service.objects.create(service_code="streetlight", name="Streetlight out")
    now = timezone.now()
    return ServiceRequest.objects.create(
        service=service,
        description="Two lamps out over the lot",
        lat=38.705,
        lon=-121.295,
        address="7012 Sunridge Blvd",
        block_address="70XX SUNRIDGE BLVD",
        requested_at=now,
        updated_at=now,
        reporter_first_name="Maria",
        reporter_email="maria@example.org",
    )


def link(c, problem, data):
    return c.post(reverse("problems:link-request", args=[problem.pk]), data)


def test_assigned_officer_links_a_request_by_number_and_it_is_audited(client_for, problem, sr):
    c = client_for("officer")
    response = link(c, problem, {"request_id": str(sr.pk), "note": "residents see it too"})
    assert response.status_code == 302 and response.url.endswith(f"/problems/{problem.pk}/#scanning")
    rl = RequestLink.objects.get()
    assert (rl.problem, rl.request, rl.added_by.username, rl.note) == (problem, sr, "officer", "residents see it too")
    assert audit_actions(action="problem.request.link", object_id=str(problem.pk)) == ["problem.request.link"]
    assert problem.activities.filter(text__contains=f"Community request {sr.pk} linked").exists()
    page = c.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert f"Request {sr.pk}: Streetlight out, 70XX SUNRIDGE BLVD" in page
    # the page shows staff the block, never the reporter nor the exact address
    assert "Maria" not in page and "maria@example.org" not in page and "7012 Sunridge" not in page


def test_linking_by_public_id_and_twice_adds_one_link(client_for, problem, sr):
    c = client_for("analyst")
    assert link(c, problem, {"request_id": sr.public_id}).status_code == 302
    assert link(c, problem, {"request_id": str(sr.pk)}).status_code == 302
    assert RequestLink.objects.count() == 1
    assert audit_actions(action="problem.request.link") == ["problem.request.link"]


def test_unknown_request_is_explained_and_nothing_written(client_for, problem, sr):
    c = client_for("officer")
    response = link(c, problem, {"request_id": "999999"})
    assert response.status_code == 302
    assert not RequestLink.objects.exists() and not audit_actions(action="problem.request.link")
    page = c.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert "no community request 999999" in page
    assert link(c, problem, {"request_id": ""}).status_code == 302 and not RequestLink.objects.exists()


def test_a_triage_page_posts_with_next_and_comes_back(client_for, problem, sr):
    c = client_for("supervisor")
    response = link(c, problem, {"request_id": str(sr.pk), "next": "/community/triage/?page=2"})
    assert response.status_code == 302 and response.url == "/community/triage/?page=2"
    evil = link(c, problem, {"request_id": str(sr.pk), "next": "https://evil.example/"})
    assert evil.url.startswith(f"/problems/{problem.pk}/")


def test_officer_not_assigned_cannot_link(client, problem, sr, other_officer):
    sign_in(client, other_officer)
    response = link(client, problem, {"request_id": str(sr.pk)})
    assert response.status_code == 403 and b"You can't open this page" in response.content
    assert not RequestLink.objects.exists()
    assert AuditLog.objects.filter(username="officer2", outcome="denied", object_id=str(problem.pk)).count() == 1


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_residents_get_403_and_nothing_leaks(client_for, problem, sr, role):
    response = link(client_for(role), problem, {"request_id": str(sr.pk)})
    assert response.status_code == 403
    assert b"Sunridge" not in response.content and b"Streetlight" not in response.content
    assert not RequestLink.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, problem, sr):
    response = link(client, problem, {"request_id": str(sr.pk)})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not RequestLink.objects.exists()


def test_get_is_not_allowed(client_for, problem):
    assert client_for("officer").get(reverse("problems:link-request", args=[problem.pk])).status_code == 405


@pytest.fixture
def tip(db):
    t = Tip(topic="drugs", where="back stairs of the motel")
    t.set_passphrase("k7q2m-9xd4h-aaaaa-bbbbb-ccccc")
    t.save()
    TipMessage.objects.create(tip=t, from_tipster=True, body="They deal from the back stairs after midnight")
    return t


def test_assigned_officer_links_a_tip_and_the_page_shows_only_number_and_topic(client_for, problem, tip):
    c = client_for("officer")
    response = c.post(reverse("problems:link-tip", args=[problem.pk]), {"tip_id": tip.public_id})
    assert response.status_code == 302
    link = TipLink.objects.get()
    assert (link.problem, link.tip, link.added_by.username) == (problem, tip, "officer")
    assert audit_actions(action="problem.tip.link", object_id=str(problem.pk)) == ["problem.tip.link"]
    page = c.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert f"Tip {tip.pk} (drug dealing or use" in page
    assert "back stairs" not in page and "midnight" not in page  # the text stays in the community app
    assert AuditLog.objects.filter(action="tip.list", object_id=str(tip.pk), username="officer").exists()
    # linking again by number adds nothing
    c.post(reverse("problems:link-tip", args=[problem.pk]), {"tip_id": str(tip.pk)})
    assert TipLink.objects.count() == 1 and len(audit_actions(action="problem.tip.link")) == 1


def test_unknown_tip_is_explained_and_nothing_written(client_for, problem, tip):
    c = client_for("officer")
    response = c.post(reverse("problems:link-tip", args=[problem.pk]), {"tip_id": "nope"}, follow=True)
    assert b"no tip nope" in response.content
    assert not TipLink.objects.exists() and not audit_actions(action="problem.tip.link")


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_residents_cannot_link_tips(client_for, problem, tip, role):
    response = client_for(role).post(reverse("problems:link-tip", args=[problem.pk]), {"tip_id": str(tip.pk)})
    assert response.status_code == 403 and b"motel" not in response.content
    assert not TipLink.objects.exists()


def test_link_tip_is_refused_to_an_officer_not_assigned(client, problem, tip, other_officer):
    sign_in(client, other_officer)
    response = client.post(reverse("problems:link-tip", args=[problem.pk]), {"tip_id": str(tip.pk)})
    assert response.status_code == 403 and not TipLink.objects.exists()
