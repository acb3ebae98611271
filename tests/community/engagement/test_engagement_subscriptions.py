"""E-mail subscriptions: double opt-in, unsubscribe from every mail, and `copps notify` idempotency."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from copps.community.engagement.models import Meeting, NotifyRun, SentItem, Subscription
from copps.problems.models import Problem

URL = "/community/engage/subscribe/"
LINK = re.compile(r"http://testserver-site(/community/engage/subscribe/(?:confirm|unsubscribe)/[^/\s]+/)")


@pytest.fixture(autouse=True)
def site(settings):
    settings.COPPS_SITE_URL = "http://testserver-site"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def links(message):
    found = LINK.findall(message.body)
    return {("confirm" if "/confirm/" in p else "unsubscribe"): p for p in found}


def subscribe(client, area, email="reader@example.org", **extra):
    data = {"email": email, "area": area.pk, "problems": "on", "meetings": "on", **extra}
    return client.post(URL, data)


def confirmed(client, area, email="reader@example.org"):
    subscribe(client, area, email)
    confirm = links(mail.outbox[-1])["confirm"]
    client.post(confirm)
    return Subscription.objects.get(email=email, area=area)


def test_subscribing_sends_a_confirmation_and_nothing_else_until_confirmed(client, areas, meetings):
    page = subscribe(client, areas["west"])
    assert page.status_code == 200 and b"Check your e-mail" in page.content
    sub = Subscription.objects.get()
    assert sub.confirmed_at is None and not sub.active
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"] and "West Beat" in message.subject
    found = links(message)
    assert set(found) == {"confirm", "unsubscribe"}
    assert "List-Unsubscribe" in message.extra_headers
    call_command("notify")
    assert len(mail.outbox) == 1  # unconfirmed: no digest

    # following the link (GET, as a mail scanner would) does not confirm; the button does
    assert client.get(found["confirm"]).status_code == 200
    sub.refresh_from_db()
    assert sub.confirmed_at is None
    assert client.post(found["confirm"]).status_code == 200
    sub.refresh_from_db()
    assert sub.active


def test_bad_or_tampered_tokens_are_refused(client, areas):
    subscribe(client, areas["west"])
    confirm = links(mail.outbox[0])["confirm"]
    assert client.post(confirm[:-3] + "xx/").status_code == 400
    assert client.post("/community/engage/subscribe/unsubscribe/1:abc/").status_code == 400
    assert Subscription.objects.get().confirmed_at is None


def test_expired_confirmation_link_is_refused(client, areas):
    from unittest import mock

    from copps.community.engagement import mailing

    subscribe(client, areas["west"])
    confirm = links(mail.outbox[0])["confirm"]
    later = timezone.now().timestamp() + (mailing.CONFIRM_DAYS + 1) * 86400
    with mock.patch("time.time", return_value=later):
        assert client.post(confirm).status_code == 400
    assert Subscription.objects.get().confirmed_at is None


def test_form_errors_and_no_disclosure_of_existing_subscriptions(client, areas):
    bad = client.post(URL, {"email": "not-an-address", "area": areas["west"].pk})
    assert bad.status_code == 400 and b'class="error"' in bad.content and not Subscription.objects.exists()
    neither = client.post(URL, {"email": "a@example.org", "area": areas["west"].pk})
    assert neither.status_code == 400 and b"problems, meetings or both" in neither.content
    first = subscribe(client, areas["west"])
    confirmed_once = client.post(links(mail.outbox[0])["confirm"])
    assert confirmed_once.status_code == 200
    again = subscribe(client, areas["west"])
    assert again.content.replace(b"\n", b"").count(b"Check your e-mail") == first.content.replace(b"\n", b"").count(
        b"Check your e-mail"
    )
    assert len(mail.outbox) == 1  # an active subscription is not mailed again
    assert Subscription.objects.count() == 1


def test_notify_sends_whats_new_once_with_an_unsubscribe_link(client, areas, meetings):
    sub = confirmed(client, areas["district"])  # a district covers its beats
    problem = Problem.objects.create(title="Car break-ins at 7512 Maple Ct", public=True)
    problem.areas.set([areas["west"]])
    hidden = Problem.objects.create(title="Internal only: informant handling", public=False)
    hidden.areas.set([areas["west"]])
    mail.outbox.clear()

    call_command("notify")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    # the public form, from publish/: no house number
    assert "Car break-ins at 75XX Maple Ct" in body and "7512" not in body and "Internal only" not in body
    assert f"/public/problems/{problem.pk}/" in body
    assert "Beat meeting, West; with coffee" in body and "Reunión del barrio" in body
    assert "Captains only planning" not in body  # not a public meeting
    assert links(mail.outbox[0])["unsubscribe"]
    assert SentItem.objects.filter(subscription=sub).count() == 3

    call_command("notify")  # nothing new: nothing sent
    assert len(mail.outbox) == 1
    assert NotifyRun.objects.order_by("-pk").first().mails == 0

    start = timezone.now() + timedelta(days=30)
    Meeting.objects.create(
        title="New meeting", area=areas["east"], place="Hall", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    call_command("notify")
    assert len(mail.outbox) == 2
    assert "New meeting" in mail.outbox[1].body and "Car break-ins" not in mail.outbox[1].body


def test_unsubscribe_from_a_mail_stops_the_digests(client, areas, meetings):
    confirmed(client, areas["west"])
    mail.outbox.clear()
    call_command("notify")
    unsubscribe = links(mail.outbox[0])["unsubscribe"]
    assert b"Stop the updates?" in client.get(unsubscribe).content
    assert client.post(unsubscribe).status_code == 200
    assert not Subscription.objects.get().active
    start = timezone.now() + timedelta(days=30)
    Meeting.objects.create(
        title="After unsubscribing",
        area=areas["west"],
        place="Hall",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    call_command("notify")
    assert len(mail.outbox) == 1


def test_a_failed_send_marks_nothing_as_sent(client, areas, meetings):
    from unittest import mock

    confirmed(client, areas["west"])
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("smtp down")):
        with pytest.raises(OSError):
            call_command("notify")
    assert not SentItem.objects.exists()
    call_command("notify")
    assert SentItem.objects.count() == 1  # the West meeting, sent now


def test_mail_is_in_the_language_of_the_page_used_to_subscribe(client, areas, meetings):
    client.post(
        URL, {"email": "lector@example.org", "area": areas["west"].pk, "meetings": "on"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    message = mail.outbox[-1]
    assert "Confirme su suscripción" in message.subject and "Para confirmar" in message.body


@pytest.mark.django_db(transaction=True)
def test_notify_runs_as_a_background_job_and_a_second_run_sends_nothing_twice(client, areas, meetings):
    from django_tasks_db.models import DBTaskResult

    confirmed(client, areas["district"])
    problem = Problem.objects.create(title="Graffiti along Oak Ave", public=True)
    problem.areas.set([areas["east"]])
    mail.outbox.clear()
    for _ in range(2):
        call_command("jobs", "enqueue", "notify")
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 1 and "Graffiti along Oak Ave" in mail.outbox[0].body
    jobs = DBTaskResult.objects.order_by("enqueued_at")
    assert [j.status for j in jobs] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert "1 mail(s) sent" in jobs[0].return_value and "0 mail(s) sent" in jobs[1].return_value


def test_a_mail_clients_one_click_unsubscribe_ends_the_subscription(areas):
    """RFC 8058: the mail names the address and the POST body; a client POSTs it without cookies
    or a CSRF token and the subscription ends. Any other POST, or a forged address, changes nothing;
    a plain GET leads to the page with the button."""
    from django.test import Client

    browserless = Client(enforce_csrf_checks=True)  # a mail client: no session, no CSRF token
    sub = confirmed(Client(), areas["west"])
    message = mail.outbox[-1]
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    address = header.strip("<>").replace("http://testserver", "").split("://", 1)[-1]
    address = address[address.index("/community/"):]
    assert address.startswith("/community/engage/subscribe/one-click/")
    assert browserless.post(address, {"List-Unsubscribe": "Yes"}).status_code == 400
    assert browserless.post(address[:-3] + "xx/", {"List-Unsubscribe": "One-Click"}).status_code == 400
    sub.refresh_from_db()
    assert sub.unsubscribed_at is None
    opened = browserless.get(address)  # a client that only opens it: the page, whose button posts to the link
    assert opened.status_code == 200
    assert f'action="{address.replace("/one-click/", "/unsubscribe/")}"' in opened.content.decode()
    sub.refresh_from_db()
    assert sub.unsubscribed_at is None
    done = browserless.post(address, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and done.content == b"Unsubscribed."
    sub.refresh_from_db()
    assert sub.unsubscribed_at is not None and not sub.active
