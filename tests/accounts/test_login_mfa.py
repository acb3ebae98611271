"""Signing in: residents with a password; staff with a password and a second factor (TOTP or a
one-time recovery code), enrolling an authenticator at their first sign-in with a one-time
enrolment code from an administrator. No path gives a staff session with one factor: not the
login form, not the admin's login, not "remember me", not a session signed in by other code."""

from __future__ import annotations

import hashlib
import threading
import time

import pyotp
import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.accounts.conftest import (
    audit_actions,
    code_for,
    enrolled,
    enrolment_code,
    password_step,
    sign_in_fully,
    signed_in,
)

from copps.accounts import mfa
from copps.accounts.models import AuditLog, RecoveryCode


def test_resident_signs_in_with_a_password_only(client, cast):
    response = password_step(client, "resident")
    assert response.status_code == 302 and signed_in(client)
    row = AuditLog.objects.get(action="login.success")
    assert row.username == "resident" and row.params == {"factors": ["password"]}
    assert row.remote_addr == "127.0.0.1" and row.at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("role", ["officer", "analyst", "supervisor", "admin", "auditor"])
def test_staff_password_alone_signs_nobody_in(client, cast, role):
    enrolled(cast[role])
    response = password_step(client, role)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_verify")
    assert not signed_in(client)
    # the half-signed-in session reaches no staff page, no API, no admin, no audit log
    for url in (reverse("incidents:list"), reverse("incidents:map"), "/admin/", reverse("audit_log")):
        page = client.get(url, follow=True)
        assert page.redirect_chain and page.redirect_chain[-1][0].startswith(reverse("login")), url
        assert page.status_code == 200 and b"id_password" in page.content
    assert client.get(reverse("api:events_geojson")).status_code == 401
    assert "login.success" not in audit_actions(username=role)


def test_staff_code_completes_sign_in_with_a_new_session_id(client, cast):
    enrolled(cast["analyst"])
    password_step(client, "analyst")
    pending_key = client.session.session_key
    response = client.post(reverse("mfa_verify"), {"code": code_for(cast["analyst"])})
    assert response.status_code == 302 and signed_in(client)
    assert client.session.session_key != pending_key
    assert client.get(reverse("incidents:list")).status_code == 200
    assert audit_actions(username="analyst")[-2:] == ["login.password_ok", "login.success"]
    assert AuditLog.objects.get(action="login.success").params == {"factors": ["password", "totp"]}


def test_wrong_code_is_refused_and_audited(client, cast):
    enrolled(cast["officer"])
    password_step(client, "officer")
    right = code_for(cast["officer"])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    page = client.post(reverse("mfa_verify"), {"code": wrong})
    assert page.status_code == 200 and b"did not work" in page.content and not signed_in(client)
    row = AuditLog.objects.filter(action="login.failed").get()
    assert row.params == {"factor": "second"} and row.outcome == "denied"


def test_a_code_is_accepted_only_once(client, cast, django_user_model):
    enrolled(cast["officer"])
    code = code_for(cast["officer"])
    sign_in_fully(client, cast["officer"])
    client.logout()
    password_step(client, "officer")
    replay = client.post(reverse("mfa_verify"), {"code": code})
    assert replay.status_code == 200 and not signed_in(client)


@pytest.mark.django_db(transaction=True)
def test_one_code_sent_twice_at_once_signs_in_once(cast, monkeypatch):
    """The same code from two half-signed-in sessions at the same instant: django-otp reads the
    device's last accepted step and saves the new one later, so without the account's attempt
    slot (and the device row held) both would pass. Each check is held a while to open the race."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("threads cannot share the in-memory SQLite test database; PostgreSQL runs this test")
    enrolled(cast["officer"])
    real = TOTPDevice.verify_token

    def slow(self, token):
        time.sleep(0.3)
        return real(self, token)

    monkeypatch.setattr(TOTPDevice, "verify_token", slow)
    clients = [Client(), Client()]
    for c in clients:
        password_step(c, "officer")
    code = code_for(cast["officer"])
    start, statuses, errors = threading.Barrier(2), [], []

    def attempt(c) -> None:
        try:
            start.wait()
            statuses.append(c.post(reverse("mfa_verify"), {"code": code}).status_code)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(statuses) == [200, 302]
    assert [signed_in(c) for c in clients].count(True) == 1
    assert AuditLog.objects.filter(action="login.success", username="officer").count() == 1


def test_recovery_code_works_once(client, cast):
    codes = enrolled(cast["supervisor"])
    password_step(client, "supervisor")
    response = client.post(reverse("mfa_verify"), {"code": codes[0].lower()})
    assert response.status_code == 200 and b"9 left" in response.content and signed_in(client)
    client.logout()
    password_step(client, "supervisor")
    again = client.post(reverse("mfa_verify"), {"code": codes[0]})
    assert again.status_code == 200 and not signed_in(client)


def test_recovery_codes_are_stored_hashed(cast):
    codes = enrolled(cast["analyst"])
    stored = set(RecoveryCode.objects.filter(user=cast["analyst"]).values_list("code_hash", flat=True))
    assert len(codes) == len(set(codes)) == 10 and len(stored) == 10
    salts = {h.split("$")[0] for h in stored}
    assert len(salts) == 10  # each code has its own salt
    for code in codes:
        assert not any(code.replace("-", "") in h for h in stored)
    assert any(h.split("$")[1] == hashlib.sha256((h.split("$")[0] + codes[0].replace("-", "")).encode()).hexdigest()
               for h in stored)


def test_first_sign_in_enrols_an_authenticator_before_anything_else(client, cast):
    """A password alone no longer enrols an authenticator: whoever stole it, faced with an account
    that has none yet, would enrol their own. The administrator's enrolment code is needed too."""
    issued = enrolment_code(cast["analyst"])
    response = password_step(client, "analyst", next="/events/")
    assert response["Location"] == reverse("mfa_enrol")
    assert client.get(reverse("mfa_verify"))["Location"] == reverse("mfa_enrol")
    assert client.get(reverse("incidents:list")).status_code == 302 and not signed_in(client)
    page = client.get(reverse("mfa_enrol"))
    secret = page.context["secret"]
    assert secret.encode() in page.content and b"id_enrolment_code" in page.content
    # django-otp's key URI: the issuer and the account joined by a url-encoded colon (as the format allows)
    assert b"otpauth://totp/copps%3Aanalyst?secret=" + secret.encode() in page.content
    assert page["Cache-Control"] == "no-store" or "no-store" in page["Cache-Control"]
    # the password and a right app code, without the enrolment code (or with a wrong one): refused
    for guess in ("", "AAAA-AAAA-AAAA-AAAA"):
        refused = client.post(reverse("mfa_enrol"), {"enrolment_code": guess, "code": pyotp.TOTP(secret).now()})
        assert refused.status_code == 200 and b"enrolment code did not work" in refused.content
        assert not signed_in(client) and not TOTPDevice.objects.exists()
    assert client.get(reverse("incidents:list")).status_code == 302
    # the secret is not stored until a code proves the app holds it
    wrong = client.post(reverse("mfa_enrol"), {"enrolment_code": issued, "code": "000000"})
    assert b"did not match" in wrong.content and not TOTPDevice.objects.exists()
    done = client.post(reverse("mfa_enrol"), {"enrolment_code": issued.lower(), "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and signed_in(client)
    assert len(done.context["codes"]) == 10 and done.context["next"] == "/events/"
    assert mfa.device_secret(TOTPDevice.objects.get(user=cast["analyst"])) == secret
    assert client.get(reverse("incidents:list")).status_code == 200
    assert ["login.password_ok", "mfa.enrol", "login.failed", "mfa.enrol", "login.failed", "mfa.enrol",
            "mfa.enrol", "login.success"] == [
        a for a in audit_actions(username="analyst") if a.startswith(("login", "mfa.enrol"))
    ]
    assert AuditLog.objects.filter(action="login.failed").first().params == {"factor": "enrolment code"}
    assert AuditLog.objects.get(action="login.success").params == {
        "factors": ["password", "enrolment code", "totp"]}


def test_enrolment_cannot_replace_an_existing_authenticator(client, cast):
    enrolled(cast["analyst"])
    password_step(client, "analyst")
    assert client.get(reverse("mfa_enrol"))["Location"] == reverse("mfa_verify")


def test_pending_second_step_expires(client, cast):
    enrolled(cast["officer"])
    password_step(client, "officer")
    session = client.session
    session["copps_pending"]["at"] = int(time.time()) - 11 * 60
    session.save()
    response = client.post(reverse("mfa_verify"), {"code": code_for(cast["officer"])})
    assert response["Location"] == reverse("login") and not signed_in(client)


def test_second_step_without_a_password_step_goes_to_sign_in(client, cast):
    enrolled(cast["officer"])
    assert client.post(reverse("mfa_verify"), {"code": code_for(cast["officer"])})["Location"] == reverse("login")
    assert client.get(reverse("mfa_enrol"))["Location"] == reverse("login")


def test_a_session_signed_in_without_the_second_factor_is_ended(client, cast):
    """Code that calls login() for staff without the second step (here force_login) gets no
    staff session: the middleware ends it, and says so in the audit log."""
    client.force_login(cast["analyst"])
    response = client.get(reverse("incidents:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not signed_in(client)
    assert AuditLog.objects.get(action="session.end").params == {"reason": "second factor missing"}


def test_force_login_plus_the_mfa_mark_is_a_staff_session(mfa_client_for):
    """What tests/conftest.py's client_for must do now (see docs/security.md)."""
    assert mfa_client_for("analyst").get(reverse("incidents:list")).status_code == 200


def test_resident_session_needs_no_mark(client, cast):
    client.force_login(cast["resident"])
    assert client.get(reverse("incidents:list")).status_code == 403 and signed_in(client)


def test_admin_login_goes_through_the_two_factor_sign_in(client, cast):
    response = client.get("/admin/")
    assert response.status_code == 302
    login_page = client.get(response["Location"])
    assert login_page.status_code == 302 and login_page["Location"] == reverse("login") + "?next=%2Fadmin%2F"
    # the admin's own form is never served, and posting to it does not sign in
    posted = client.post("/admin/login/", {"username": "admin", "password": "correct horse battery staple"})
    assert posted.status_code == 302 and not signed_in(client)


def test_admin_reaches_the_admin_only_after_both_factors(client, cast):
    enrolled(cast["admin"])
    password_step(client, "admin", next="/admin/")
    assert client.get("/admin/").status_code == 302
    done = client.post(reverse("mfa_verify"), {"code": code_for(cast["admin"])})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_no_remember_me_the_session_cookie_dies_with_the_browser(client, cast):
    response = password_step(client, "resident", remember_me="on")
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert b"remember" not in client.get(reverse("login")).content.lower()


def test_next_may_not_leave_the_site(client, cast):
    response = password_step(client, "resident", next="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_logout_is_post_only_and_audited(client, cast):
    sign_in_fully(client, cast["resident"])
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302 and not signed_in(client)
    assert AuditLog.objects.filter(action="logout", username="resident").exists()


def test_no_password_reset_path_exists(client, db):  # every request reads the site's time zone
    """Passwords are reset by an administrator; no self-service reset could sign anyone in."""
    for name in ("password_reset", "admin_password_reset", "password_reset_confirm"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    assert client.get("/accounts/password_reset/").status_code == 404
