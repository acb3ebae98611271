"""Enrolling an authenticator takes the password and a one-time enrolment code an administrator
issued: shown once to the administrator (when they create a staff account or reset its second
factor), stored only as a hash, valid for 72 hours, spent on use, audited on issue and use;
wrong codes count towards the lockout. Resetting the second factor and locking an account end
the user's sessions."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pyotp
import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.accounts.conftest import audit_actions, both_factors, enrolled, enrolment_code, password_step, signed_in
from tests.conftest import PASSWORD

from copps.accounts.models import AuditLog, EnrolmentCode, User, UserSession

WRONG_CODE = "AAAA-BBBB-CCCC-DDDD"


def enrol(client, username: str, code: str):
    """Password, then the enrolment page with ``code`` and the app's current code."""
    password_step(client, username)
    secret = client.get(reverse("mfa_enrol")).context["secret"]
    return client.post(reverse("mfa_enrol"), {"enrolment_code": code, "code": pyotp.TOTP(secret).now()})


def test_an_enrolment_code_is_stored_hashed_and_its_issue_audited(cast):
    code = enrolment_code(cast["officer"])
    stored = EnrolmentCode.objects.get(user=cast["officer"])
    assert code.replace("-", "") not in stored.code_hash and len(code.replace("-", "")) == 16
    assert timedelta(hours=71) < stored.expires_at - timezone.now() <= timedelta(hours=72)
    row = AuditLog.objects.get(action="mfa.enrolment_code")
    assert row.object_id == str(cast["officer"].pk) and code not in str(row.params)
    assert row.params["username"] == "officer" and row.params["code"] == stored.pk


def test_an_enrolment_code_works_once(client, cast):
    code = enrolment_code(cast["officer"])
    assert enrol(client, "officer", code).status_code == 200 and signed_in(client)
    assert AuditLog.objects.get(action="mfa.enrol", outcome="allowed").params == {
        "enrolment_code": EnrolmentCode.objects.get().pk}
    # the authenticator is lost; an administrator deletes it but issues no new code
    TOTPDevice.objects.all().delete()
    other = Client()
    again = enrol(other, "officer", code)
    assert b"enrolment code did not work" in again.content and not signed_in(other)
    assert not TOTPDevice.objects.exists()


def test_an_expired_enrolment_code_is_refused(client, cast):
    code = enrolment_code(cast["officer"])
    EnrolmentCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert b"enrolment code did not work" in enrol(client, "officer", code).content
    assert not signed_in(client) and not TOTPDevice.objects.exists()


def test_a_new_code_replaces_the_earlier_one_and_codes_are_per_user(client, cast):
    first = enrolment_code(cast["officer"])
    analysts = enrolment_code(cast["analyst"])
    second = enrolment_code(cast["officer"])
    assert b"enrolment code did not work" in enrol(client, "officer", first).content
    assert b"enrolment code did not work" in enrol(Client(), "officer", analysts).content
    assert enrol(client, "officer", second).status_code == 200 and signed_in(client)


def test_wrong_enrolment_codes_count_towards_the_lockout(client, cast):
    enrolment_code(cast["officer"])
    for _ in range(4):
        page = enrol(client, "officer", WRONG_CODE)
        assert page.status_code == 200 and not signed_in(client)
    cast["officer"].refresh_from_db()
    assert cast["officer"].locked_at is None
    page = enrol(client, "officer", WRONG_CODE)
    assert b"id_password" in page.content and not signed_in(client)
    cast["officer"].refresh_from_db()
    assert cast["officer"].locked_at is not None
    assert audit_actions(username="officer")[-2:] == ["login.failed", "account.locked"]
    # locked: even the right enrolment code no longer gets past the password step
    assert password_step(client, "officer").status_code == 200
    assert client.get(reverse("mfa_enrol"))["Location"] == reverse("login")
    assert EnrolmentCode.objects.get(user=cast["officer"]).used_at is None


def test_admin_creating_a_staff_account_is_shown_its_enrolment_code_once(client, cast, mfa_client_for):
    admin = mfa_client_for("admin")
    page = admin.post(reverse("admin:accounts_user_add"), {
        "username": "newofficer", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD,
        "role": "officer",
    })
    assert page.status_code == 200, page.content[:2000]
    assert "no-store" in page["Cache-Control"]
    code = page.context["issued"][0][1]
    assert code.encode() in page.content
    user = User.objects.get(username="newofficer")
    assert user.role == "officer" and EnrolmentCode.objects.filter(user=user).count() == 1
    assert AuditLog.objects.get(action="mfa.enrolment_code").username == "admin"
    # the change page does not show it again
    assert code.encode() not in admin.get(reverse("admin:accounts_user_change", args=[user.pk])).content
    assert enrol(Client(), "newofficer", code).status_code == 200


def test_admin_creating_a_resident_issues_no_code(cast, mfa_client_for):
    admin = mfa_client_for("admin")
    page = admin.post(reverse("admin:accounts_user_add"), {
        "username": "neighbour", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD,
        "role": "resident",
    })
    assert page.status_code == 302 and not EnrolmentCode.objects.exists()


def test_admin_reset_issues_a_code_and_ends_the_users_sessions(cast, mfa_client_for):
    enrolled(cast["analyst"])
    victim = both_factors(Client(), cast["analyst"])
    assert victim.get(reverse("incidents:list")).status_code == 200
    admin = both_factors(Client(), cast["admin"])
    page = admin.post(reverse("admin:accounts_user_changelist"),
                      {"action": "reset_second_factor", "_selected_action": [cast["analyst"].pk]})
    assert page.status_code == 200
    (user, code), = page.context["issued"]
    assert user == cast["analyst"] and code.encode() in page.content
    assert not TOTPDevice.objects.filter(user=cast["analyst"]).exists()
    # every session of the user has ended; the administrator's has not
    assert not UserSession.objects.filter(user=cast["analyst"]).exists()
    assert victim.get(reverse("incidents:list")).status_code == 302
    assert admin.get(reverse("admin:accounts_user_changelist")).status_code == 200
    row = AuditLog.objects.get(action="mfa.reset")
    assert row.username == "admin" and row.params == {"username": "analyst", "sessions_ended": 1}
    assert enrol(Client(), "analyst", code).status_code == 200


def test_locking_an_account_ends_its_sessions(client, cast):
    enrolled(cast["officer"])
    signed_in_elsewhere = both_factors(Client(), cast["officer"])
    key = signed_in_elsewhere.session.session_key
    for _ in range(5):
        password_step(client, "officer", "not the password")
    cast["officer"].refresh_from_db()
    assert cast["officer"].locked_at is not None
    assert not Session.objects.filter(session_key=key).exists()
    assert signed_in_elsewhere.get(reverse("incidents:list")).status_code == 302
    assert AuditLog.objects.get(action="account.locked").params["sessions_ended"] == 1


def test_a_session_of_a_locked_account_is_ended_whatever_left_it(cast, mfa_client_for):
    c = mfa_client_for("officer")
    User.objects.filter(pk=cast["officer"].pk).update(locked_at=timezone.now())
    assert c.get(reverse("incidents:list")).status_code == 302
    assert AuditLog.objects.get(action="session.end").params == {"reason": "account locked"}


def test_enrolment_code_command_issues_a_code_for_staff_only(client, cast):
    out, err = StringIO(), StringIO()
    call_command("enrolment_code", "admin", stdout=out, stderr=err)
    code = out.getvalue().strip()
    assert "72 hours" in err.getvalue()
    assert AuditLog.objects.get(action="mfa.enrolment_code").params["via"] == "command"
    assert enrol(client, "admin", code).status_code == 200 and signed_in(client)
    with pytest.raises(CommandError, match="password only"):
        call_command("enrolment_code", "resident")
    with pytest.raises(CommandError, match="no account"):
        call_command("enrolment_code", "nobody")
