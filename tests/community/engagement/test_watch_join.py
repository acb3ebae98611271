"""Asking to join a watch group: the public list, the request with double opt-in, and the staff
decision (accept makes a member, decline clears the details), each decision audited."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from copps.accounts import ratelimit
from copps.accounts.models import AuditLog
from copps.community.engagement import joining
from copps.community.engagement.models import WatchGroup, WatchJoinRequest, WatchMember

LIST = "/community/engage/watch/"
LINK = re.compile(r"http://testserver-site(/community/engage/watch/confirm/[^/\s]+/)")
SECRETS = [b"yolanda.brightwater@example.org", b"555-0177", b"Yolanda"]
Status = WatchJoinRequest.Status


@pytest.fixture(autouse=True)
def site(settings):
    settings.COPPS_SITE_URL = "http://testserver-site"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def join_url(group) -> str:
    return f"/community/engage/watch/{group.pk}/join/"


def decide_url(group, join) -> str:
    return f"/community/engage/staff/groups/{group.pk}/requests/{join.pk}/"


def ask(client, group, headers=None, **over):
    data = {
        "name": "Ana Ortiz",
        "email": "Ana.Ortiz@example.org",
        "phone": "555 0142",
        "block": "7512 Maple Ct",
        "consent": "on",
        **over,
    }
    return client.post(join_url(group), {k: v for k, v in data.items() if v is not None}, headers=headers)


def page_text(response) -> bytes:
    """The page without what the language switcher makes differ per render: its CSRF token and
    the path it returns to."""
    return re.sub(rb'name="(csrfmiddlewaretoken|next)" value="[^"]*"', b"", response.content)


def confirm_link(message) -> str:
    (path,) = LINK.findall(message.body)
    return path


def confirmed_request(group, **over) -> WatchJoinRequest:
    """A request asked and confirmed through the public pages, by a client of its own."""
    public = Client()
    ask(public, group, **over)
    assert public.post(confirm_link(mail.outbox[-1])).status_code == 200
    return WatchJoinRequest.objects.get(
        group=group, status=Status.CONFIRMED, email=over.get("email", "ana.ortiz@example.org").lower()
    )


# ----- the public list


def test_list_shows_active_groups_by_area_with_counts_but_no_members(client, areas, group):
    WatchMember.objects.create(group=group, name="Xavier Quillfeather", email="xq@example.org")
    WatchGroup.objects.create(name="Oak Avenue Traders", kind=WatchGroup.Kind.BUSINESS, area=areas["east"])
    WatchGroup.objects.create(name="Disbanded Watch", area=areas["hood"], active=False)
    page = client.get(LIST)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Maple Hill Watch" in body and "Oak Avenue Traders" in body and "Disbanded Watch" not in body
    assert "Neighbourhood watch · Maple Hill · 2 members" in body
    assert "Business watch · East Beat · 0 members" in body
    # grouped under area headings, in order
    assert body.index("<h2>East Beat</h2>") < body.index("Oak Avenue Traders") < body.index("<h2>Maple Hill</h2>")
    assert not any(s in page.content for s in [*SECRETS, b"Quillfeather", b"xq@example.org"])
    # each group has its own form, with the CSRF token and labels tied to unique ids
    assert body.count('action="/community/engage/watch/') == 2
    assert body.count('name="csrfmiddlewaretoken"') == 3  # the two forms and the language switcher
    assert f'action="{join_url(group)}"' in body and f'for="join{group.pk}_consent"' in body


def test_list_costs_the_same_queries_for_one_group_as_for_many(client, areas, group):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for i in range(6):
        g = WatchGroup.objects.create(name=f"G{i}", area=areas["west"])
        WatchMember.objects.create(group=g, name=f"Member {i}")
    assert queries() == one


def test_home_page_and_public_nav_link_to_the_list(client, db):
    body = client.get("/community/engage/").content.decode()
    assert body.count(f'href="{LIST}"') == 2  # the nav and the watch-groups section
    assert "Find a group near you and ask to join" in body


def test_an_inactive_group_cannot_be_joined(client, group):
    group.active = False
    group.save()
    assert client.get(join_url(group)).status_code == 404
    assert ask(client, group).status_code == 404
    assert not WatchJoinRequest.objects.exists() and not mail.outbox


# ----- asking


def test_a_bad_email_is_refused_naming_the_field(client, group):
    page = ask(client, group, email="not-an-address")
    body = page.content.decode()
    assert page.status_code == 400
    assert f'<a href="#join{group.pk}_email">Your e-mail address</a>: Enter a valid email address.' in body
    assert 'value="Ana Ortiz"' in body  # what was typed comes back
    assert not WatchJoinRequest.objects.exists() and not mail.outbox


def test_an_email_is_required(client, group):
    page = ask(client, group, email=None)
    assert page.status_code == 400
    assert f'<a href="#join{group.pk}_email">Your e-mail address</a>: This field is required.' in page.content.decode()
    assert not WatchJoinRequest.objects.exists()


def test_without_consent_the_request_is_refused(client, group):
    page = ask(client, group, consent=None)
    assert page.status_code == 400
    assert "Tick this box to send the request" in page.content.decode()
    assert not WatchJoinRequest.objects.exists() and not mail.outbox


def test_a_block_that_cannot_be_made_a_hundred_block_is_refused(client, group):
    page = ask(client, group, block="in front of 7512 maple")
    assert page.status_code == 400
    assert "Enter a house number and street (e.g. 7512 Maple Ct), or leave this blank." in page.content.decode()
    assert not WatchJoinRequest.objects.exists()


def test_a_bad_phone_is_refused_and_phone_and_block_are_optional(client, group):
    assert ask(client, group, phone="call me").status_code == 400
    assert not WatchJoinRequest.objects.exists()
    assert ask(client, group, phone="", block="").status_code == 200
    join = WatchJoinRequest.objects.get()
    assert join.phone == "" and join.block == ""


def test_asking_stores_a_pending_request_with_the_hundred_block_and_mails_a_link_that_confirms(client, group):
    page = ask(client, group)
    assert page.status_code == 200 and "Check your e-mail" in page.content.decode()
    join = WatchJoinRequest.objects.get()
    assert join.status == Status.PENDING and join.confirmed_at is None
    assert (join.name, join.email, join.phone, join.block) == (
        "Ana Ortiz",
        "ana.ortiz@example.org",
        "555 0142",
        "75XX MAPLE CT",
    )
    assert not WatchJoinRequest.objects.filter(block__contains="7512").exists()  # the house number is not kept

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana.ortiz@example.org"] and "Maple Hill Watch" in message.subject
    link = confirm_link(message)
    # opening the link (as a mail scanner would) does not confirm; the button does
    opened = client.get(link)
    assert opened.status_code == 200 and "Yes, send my request to Maple Hill Watch" in opened.content.decode()
    join.refresh_from_db()
    assert join.status == Status.PENDING
    done = client.post(link)
    assert done.status_code == 200 and "Request confirmed" in done.content.decode()
    join.refresh_from_db()
    assert join.status == Status.CONFIRMED and join.confirmed_at is not None
    assert not WatchMember.objects.filter(email="ana.ortiz@example.org").exists()  # staff decide that


def test_asking_again_while_pending_refreshes_the_request_and_sends_a_new_link(client, group):
    ask(client, group)
    ask(client, group, name="Ana M. Ortiz", block="7690 Maple Ct")
    join = WatchJoinRequest.objects.get()
    assert (join.name, join.block) == ("Ana M. Ortiz", "76XX MAPLE CT")
    assert len(mail.outbox) == 2


def test_the_answer_is_the_same_for_a_member_a_waiting_request_and_a_new_address(client, group, areas):
    member = ask(client, group, email="Yolanda.Brightwater@example.org")
    assert not mail.outbox and not WatchJoinRequest.objects.exists()  # a member: nothing stored or sent
    newcomer = ask(client, group, email="new.person@example.org")
    assert len(mail.outbox) == 1
    client.post(confirm_link(mail.outbox[0]))
    waiting = ask(client, group, email="new.person@example.org")
    assert len(mail.outbox) == 1  # confirmed already: not mailed again, not changed
    assert member.status_code == newcomer.status_code == waiting.status_code == 200

    def page(response, email) -> bytes:
        return page_text(response).replace(email.encode(), b"EMAIL")

    assert page(member, "Yolanda.Brightwater@example.org") == page(newcomer, "new.person@example.org")
    assert page(waiting, "new.person@example.org") == page(newcomer, "new.person@example.org")


def test_pending_requests_that_lapsed_are_deleted_when_someone_next_asks(client, group):
    ask(client, group, email="old@example.org")
    WatchJoinRequest.objects.update(requested_at=timezone.now() - timedelta(days=joining.CONFIRM_DAYS, minutes=1))
    ask(client, group, email="fresh@example.org")
    assert list(WatchJoinRequest.objects.values_list("email", flat=True)) == ["fresh@example.org"]


def test_expired_tampered_and_unknown_links_answer_the_same_not_found_page(client, group):
    ask(client, group)
    link = confirm_link(mail.outbox[0])
    later = timezone.now().timestamp() + (joining.CONFIRM_DAYS + 1) * 86400
    with mock.patch("time.time", return_value=later):
        expired = client.post(link)
    tampered = client.post(link[:-3] + "xx/")
    unknown = client.post("/community/engage/watch/confirm/999:abc:def/")
    pages = [expired, tampered, unknown, client.get(link[:-3] + "xx/")]
    assert [p.status_code for p in pages] == [404] * 4
    assert len({page_text(p) for p in pages}) == 1 and b"This link does not work" in unknown.content
    assert WatchJoinRequest.objects.get().status == Status.PENDING

    # a request that lapsed in the database is refused even with a link still in date
    WatchJoinRequest.objects.update(requested_at=timezone.now() - timedelta(days=joining.CONFIRM_DAYS + 1))
    lapsed = client.post(link)
    assert lapsed.status_code == 404 and page_text(lapsed) == page_text(unknown)
    assert WatchJoinRequest.objects.get().status == Status.PENDING


def test_the_form_needs_its_csrf_token(group):
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post(join_url(group), {"name": "A", "email": "a@example.org", "consent": "on"})
    assert refused.status_code == 403 and not WatchJoinRequest.objects.exists() and not mail.outbox


def test_asking_is_rate_limited_per_client_with_retry_after(client, group, monkeypatch):
    monkeypatch.setattr(ratelimit, "_clock", lambda: 1_000_000 * 60 + 10.0)  # well inside one window
    statuses = [ask(client, group, email=f"p{i}@example.org").status_code for i in range(5)]
    over = ask(client, group, email="p6@example.org")
    assert statuses == [200] * 5
    assert over.status_code == 429 and over["Retry-After"] == "50"
    assert WatchJoinRequest.objects.count() == 5 and len(mail.outbox) == 5
    other = Client(REMOTE_ADDR="192.0.2.9")  # another client has its own allowance
    assert ask(other, group, email="p7@example.org").status_code == 200


def test_page_and_mail_in_spanish(client, group):
    listing = client.get(LIST, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Grupos de vigilancia vecinal y comercial" in listing and "Pedir unirse" in listing
    assert "Vigilancia vecinal · Maple Hill · 1 miembro" in listing
    refused = ask(client, group, consent=None, headers={"accept-language": "es"})
    assert refused.status_code == 400 and "Marque esta casilla" in refused.content.decode()
    ask(client, group, headers={"accept-language": "es"})
    message = mail.outbox[-1]
    assert message.subject == "Confirme su solicitud para unirse a Maple Hill Watch"
    assert "Para confirmar la solicitud" in message.body


# ----- staff


def test_only_confirmed_requests_appear_on_the_staff_page_and_the_read_is_audited(client_for, group):
    ask(Client(), group, name="Pendleton Unconfirmed", email="pending@example.org")
    join = confirmed_request(group, name="Constance Confirmed", email="confirmed@example.org")
    page = client_for("officer").get(f"/community/engage/staff/groups/{group.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Constance Confirmed" in body and "confirmed@example.org" in body and "75XX MAPLE CT" in body
    assert "Pendleton" not in body and "pending@example.org" not in body
    assert decide_url(group, join) in body
    row = AuditLog.objects.get(action="engagement.watchgroup.read")
    assert row.username == "officer" and row.object_id == str(group.pk)
    assert row.params == {"join_requests": [join.pk]}


def test_accept_makes_a_member_with_the_hundred_block_and_is_audited(client_for, group):
    join = confirmed_request(group)
    answer = client_for("supervisor").post(decide_url(group, join), {"decision": "accept", "captain": "on"})
    assert answer.status_code == 302 and answer["Location"] == f"/community/engage/staff/groups/{group.pk}/"
    member = WatchMember.objects.get(email="ana.ortiz@example.org")
    assert (member.group, member.name, member.phone, member.block, member.captain) == (
        group,
        "Ana Ortiz",
        "555 0142",
        "75XX MAPLE CT",
        True,
    )
    assert member.joined_on == timezone.localdate()
    join.refresh_from_db()
    assert join.status == Status.ACCEPTED and join.member == member and join.decided_by.username == "supervisor"
    assert join.name == join.email == join.phone == join.block == ""  # the member holds them now
    row = AuditLog.objects.get(action="engagement.watchjoin.accept")
    assert row.username == "supervisor" and row.object_type == "watchgroup" and row.object_id == str(group.pk)
    assert row.params == {"join_request": join.pk, "member": member.pk, "captain": True}
    # a second click changes nothing and writes no second row
    client_for("supervisor").post(decide_url(group, join), {"decision": "accept"})
    assert WatchMember.objects.filter(email="ana.ortiz@example.org").count() == 1
    assert AuditLog.objects.filter(action="engagement.watchjoin.accept").count() == 1


def test_decline_clears_the_details_and_is_audited(client_for, group):
    join = confirmed_request(group)
    members = WatchMember.objects.count()
    c = client_for("officer")
    assert c.post(decide_url(group, join), {"decision": "decline"}).status_code == 302
    join.refresh_from_db()
    assert join.status == Status.DECLINED and join.email == "" and join.name == "" and join.block == ""
    assert WatchMember.objects.count() == members
    row = AuditLog.objects.get(action="engagement.watchjoin.decline")
    assert row.username == "officer" and row.object_id == str(group.pk) and row.params == {"join_request": join.pk}
    assert "ana.ortiz@example.org" not in c.get(f"/community/engage/staff/groups/{group.pk}/").content.decode()


def test_an_unconfirmed_request_cannot_be_accepted(client_for, group):
    ask(Client(), group)
    join = WatchJoinRequest.objects.get()
    assert client_for("supervisor").post(decide_url(group, join), {"decision": "accept"}).status_code == 302
    join.refresh_from_db()
    assert join.status == Status.PENDING
    assert not WatchMember.objects.filter(email="ana.ortiz@example.org").exists()
    assert not AuditLog.objects.filter(action__startswith="engagement.watchjoin").exists()


def test_a_decision_must_be_accept_or_decline_and_belong_to_the_group(client_for, group, areas):
    join = confirmed_request(group)
    other = WatchGroup.objects.create(name="Elsewhere", area=areas["east"])
    c = client_for("supervisor")
    assert c.post(decide_url(group, join), {"decision": "promote"}).status_code == 400
    assert c.post(decide_url(other, join), {"decision": "accept"}).status_code == 404
    assert c.get(decide_url(group, join)).status_code == 405
    join.refresh_from_db()
    assert join.status == Status.CONFIRMED


def test_anonymous_users_and_residents_cannot_decide(client, client_for, group):
    join = confirmed_request(group)
    anonymous = Client().post(decide_url(group, join), {"decision": "accept"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    resident = client_for("resident").post(decide_url(group, join), {"decision": "decline"})
    assert resident.status_code == 403 and b"You can't open this page" in resident.content
    join.refresh_from_db()
    assert join.status == Status.CONFIRMED and join.email == "ana.ortiz@example.org"
    assert not WatchMember.objects.filter(email="ana.ortiz@example.org").exists()
