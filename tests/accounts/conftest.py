"""Helpers for the access and audit tests: sign in through the real forms, with real TOTP codes."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import PASSWORD

from copps.accounts import mfa
from copps.accounts.models import AuditLog


def code_for(user, at: float | None = None) -> str:
    """The authenticator app's current code for ``user`` (pyotp plays the app: an RFC 6238 code made
    independently of django-otp, which checks it)."""
    return pyotp.TOTP(mfa.device_secret(TOTPDevice.objects.get(user=user))).at(time.time() if at is None else at)


def enrolled(user):
    """Give ``user`` an authenticator (as the enrolment page would) and return its recovery codes."""
    secret = mfa.new_secret()
    return mfa.enrol(user, secret, pyotp.TOTP(secret).at(time.time() - 30))


def enrolment_code(user) -> str:
    """An enrolment code for ``user``, as an administrator would issue it."""
    return mfa.issue_enrolment_code(user)


def both_factors(client, user):
    """``client`` signed in as ``user`` with both factors passed (force_login, then the mark)."""
    client.force_login(user)
    session = client.session
    mfa.mark_mfa_verified(session)
    session.save()
    return client


def password_step(client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def sign_in_fully(client, user, password: str = PASSWORD):
    """Password, then the second factor, through the real views."""
    response = password_step(client, user.username, password)
    if user.requires_mfa:
        assert response.status_code == 302 and response["Location"] == reverse("mfa_verify")
        response = client.post(reverse("mfa_verify"), {"code": code_for(user)})
    assert response.status_code == 302, response.content[:500]
    return response


def signed_in(client):
    """Is the client's session signed in (Django's auth key present)?"""
    return "_auth_user_id" in client.session


def audit_actions(**filters) -> list[str]:
    return list(AuditLog.objects.filter(**filters).order_by("id").values_list("action", flat=True))


@pytest.fixture
def mfa_client_for(client, cast):
    """``client_for`` as tests/conftest.py should have it once MFA exists: force_login, then mark
    the session as having passed the second factor."""

    def _client(role: str):
        return both_factors(client, cast[role])

    return _client
