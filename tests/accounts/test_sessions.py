"""Sessions: a new id at sign-in, an end after 30 idle minutes or 12 hours, and signing out or
disabling an account ends every session of that user (on every device)."""

from __future__ import annotations

import time

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from tests.accounts.conftest import code_for, enrolled, password_step, sign_in_fully, signed_in

from copps.accounts import sessions
from copps.accounts.models import AuditLog, UserSession


def shift(client, **seconds_ago) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_new_session_id_at_sign_in(client, cast):
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    password_step(client, "resident")
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id" and signed_in(client)


def test_idle_for_30_minutes_signs_out(client, cast, mfa_client_for):
    c = mfa_client_for("analyst")
    shift(c, copps_seen_at=29 * 60)
    assert c.get(reverse("incidents:list")).status_code == 200
    shift(c, copps_seen_at=30 * 60 + 1)
    response = c.get(reverse("incidents:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not signed_in(c)
    assert AuditLog.objects.get(action="session.end").params == {"reason": "idle"}


def test_twelve_hours_after_sign_in_ends_even_a_busy_session(cast, mfa_client_for):
    c = mfa_client_for("officer")
    shift(c, copps_auth_at=12 * 3600 - 60, copps_seen_at=1)
    assert c.get(reverse("incidents:list")).status_code == 200
    shift(c, copps_auth_at=12 * 3600 + 1, copps_seen_at=1)
    assert c.get(reverse("incidents:list")).status_code == 302 and not signed_in(c)
    assert AuditLog.objects.get(action="session.end").params == {"reason": "absolute"}


def test_activity_is_noted_without_a_write_on_every_request(cast, mfa_client_for):
    c = mfa_client_for("officer")
    shift(c, copps_seen_at=10)
    c.get(reverse("incidents:map"))
    assert time.time() - c.session["copps_seen_at"] >= 10
    shift(c, copps_seen_at=120)
    c.get(reverse("incidents:map"))
    assert time.time() - c.session["copps_seen_at"] < 5


def test_a_session_without_the_stamps_is_over():
    assert sessions.expired({}) == "absolute"


def test_logout_ends_every_session_of_the_user(cast):
    enrolled(cast["analyst"])
    laptop, phone, other = Client(), Client(), Client()
    sign_in_fully(laptop, cast["analyst"])
    password_step(phone, "analyst")
    phone.post(reverse("mfa_verify"), {"code": code_for(cast["analyst"], time.time() + 30)})
    sign_in_fully(other, cast["resident"])
    assert phone.get(reverse("incidents:list")).status_code == 200
    laptop.post(reverse("logout"))
    assert phone.get(reverse("incidents:list")).status_code == 302
    assert not UserSession.objects.filter(user=cast["analyst"]).exists()
    assert AuditLog.objects.get(action="logout").params == {"sessions_ended": 2}
    assert signed_in(other)  # someone else's session is untouched


def test_disabling_an_account_ends_its_sessions_and_is_audited(cast, mfa_client_for):
    c = mfa_client_for("supervisor")
    assert c.get(reverse("incidents:list")).status_code == 200
    key = c.session.session_key
    user = cast["supervisor"]
    user.is_active = False
    user.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=user).exists()
    assert c.get(reverse("incidents:list")).status_code == 302
    row = AuditLog.objects.get(action="account.disable")
    assert row.object_id == str(user.pk) and row.params["sessions_ended"] == 1


def test_session_cookie_is_httponly_samesite_and_not_persistent(client, cast):
    cookie = password_step(client, "resident").cookies["sessionid"]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax" and cookie["max-age"] == ""


def test_records_of_ended_sessions_are_dropped_at_the_next_sign_in(client, cast):
    UserSession.objects.create(user=cast["resident"], session_key="gone-long-ago")
    password_step(client, "resident")
    keys = set(UserSession.objects.filter(user=cast["resident"]).values_list("session_key", flat=True))
    assert keys == {client.session.session_key}
