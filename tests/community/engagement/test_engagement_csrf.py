"""Every public engagement form is CSRF-protected: a POST without the page's token (what another
site's page could send with the resident's cookies) is refused with 403 and changes nothing; the
same POST with the token the page gave is taken as usual."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from engagement_helpers import answer_data

from copps.community.engagement import joining, mailing
from copps.community.engagement.browser import COOKIE
from copps.community.engagement.models import Subscription, SurveyResponse, WatchJoinRequest

SUBSCRIBE = "/community/engage/subscribe/"
BEAT_OFFICER = "/community/engage/beat-officer/"


@pytest.fixture(autouse=True)
def site(settings):
    settings.COPPS_SITE_URL = "http://testserver-site"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def browser() -> Client:
    """A client that, like a browser, is held to Django's CSRF check (the test client is not)."""
    return Client(enforce_csrf_checks=True)


def csrf_refused(response) -> bool:
    """Refused by the CSRF check itself (Django's 403 page), not by anything else."""
    return response.status_code == 403 and b"CSRF verification failed" in response.content


def token_from(client: Client, url: str) -> str:
    """The CSRF token of the form on ``url``, as the resident's browser would send it back."""
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


def test_the_survey_refuses_answers_without_the_token_and_records_them_with_it(survey, areas):
    url = f"/community/engage/surveys/{survey.pk}/"
    client = browser()
    refused = client.post(url, answer_data(survey, areas["west"]))
    assert csrf_refused(refused) and COOKIE not in refused.cookies
    assert not SurveyResponse.objects.exists()

    data = {**answer_data(survey, areas["west"]), "csrfmiddlewaretoken": token_from(client, url)}
    taken = client.post(url, data)
    assert taken.status_code == 200 and b"Your answers have been recorded" in taken.content
    assert SurveyResponse.objects.get().area == areas["west"]


def test_subscribing_without_the_token_stores_and_mails_nothing(areas):
    client = browser()
    data = {"email": "reader@example.org", "area": areas["west"].pk, "problems": "on", "meetings": "on"}
    refused = client.post(SUBSCRIBE, data)
    assert csrf_refused(refused) and not Subscription.objects.exists() and not mail.outbox

    taken = client.post(SUBSCRIBE, {**data, "csrfmiddlewaretoken": token_from(client, SUBSCRIBE)})
    assert taken.status_code == 200 and b"Check your e-mail" in taken.content
    assert Subscription.objects.get().email == "reader@example.org" and len(mail.outbox) == 1


def test_the_subscription_links_confirm_and_unsubscribe_only_with_the_token(areas):
    sub = Subscription.objects.create(email="reader@example.org", area=areas["west"])
    client = browser()
    confirm = f"/community/engage/subscribe/confirm/{mailing.confirm_token(sub)}/"
    assert csrf_refused(client.post(confirm))
    sub.refresh_from_db()
    assert sub.confirmed_at is None
    assert client.post(confirm, {"csrfmiddlewaretoken": token_from(client, confirm)}).status_code == 200
    sub.refresh_from_db()
    assert sub.confirmed_at is not None

    unsubscribe = f"/community/engage/subscribe/unsubscribe/{mailing.unsubscribe_token(sub)}/"
    assert csrf_refused(client.post(unsubscribe))
    sub.refresh_from_db()
    assert sub.unsubscribed_at is None
    assert client.post(unsubscribe, {"csrfmiddlewaretoken": token_from(client, unsubscribe)}).status_code == 200
    sub.refresh_from_db()
    assert sub.unsubscribed_at is not None


def test_the_beat_officer_lookup_answers_only_with_the_token(gazetteer, officers):
    # Nothing is stored here, but the lookup must not answer another site's page either.
    client = browser()
    refused = client.post(BEAT_OFFICER, {"address": "7534 Maple Court"})
    assert csrf_refused(refused) and b"Officer Q. Z." not in refused.content

    data = {"address": "7534 Maple Court", "csrfmiddlewaretoken": token_from(client, BEAT_OFFICER)}
    taken = client.post(BEAT_OFFICER, data)
    assert taken.status_code == 200 and b"Officer Q. Z." in taken.content


def test_asking_to_join_a_watch_group_needs_the_token_and_so_does_confirming(group):
    url = f"/community/engage/watch/{group.pk}/join/"
    client = browser()
    data = {"name": "Ana Ortiz", "email": "ana.ortiz@example.org", "consent": "on"}
    refused = client.post(url, data)
    assert csrf_refused(refused) and not WatchJoinRequest.objects.exists() and not mail.outbox

    taken = client.post(url, {**data, "csrfmiddlewaretoken": token_from(client, url)})
    assert taken.status_code == 200 and len(mail.outbox) == 1
    join = WatchJoinRequest.objects.get()
    assert join.status == WatchJoinRequest.Status.PENDING

    confirm = f"/community/engage/watch/confirm/{joining.confirm_token(join)}/"
    assert csrf_refused(client.post(confirm))
    join.refresh_from_db()
    assert join.status == WatchJoinRequest.Status.PENDING
    assert client.post(confirm, {"csrfmiddlewaretoken": token_from(client, confirm)}).status_code == 200
    join.refresh_from_db()
    assert join.status == WatchJoinRequest.Status.CONFIRMED
