"""Nothing secret reaches the application's logs or its error pages: not a password typed at
sign-in, not an Open311 API key, not a tip's text, not a victim's address — whatever the answer
(a refused sign-in, a rejected submission, a 404, a 500)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse
from tests.security.conftest import TIP_TEXT, VICTIM_ADDRESS

from copps.accounts import chain
from copps.community.tipguard import form_token

PASSWORD = "Sekrit passphrase 77 never to be logged"
# a password typed into the user-name box: the form shows it back to whoever typed it, but no log keeps it
TYPED_AS_NAME = "Another passphrase typed in the wrong box"


def test_no_secret_in_logs_or_error_pages(world, caplog, monkeypatch, client_for):
    caplog.set_level(logging.DEBUG)
    client = Client(raise_request_exception=False)
    bodies = []

    # a wrong password, for a staff account and for a name with no account
    for name in ("officer", TYPED_AS_NAME):
        bodies.append(client.post(reverse("login"), {"username": name, "password": PASSWORD}).content)
    # Open311 submissions refused for a bad field, and with a wrong key
    bad = {"api_key": world["api_key"], "service_code": "GRAF", "description": TIP_TEXT, "lat": "999", "long": "0"}
    bodies.append(client.post("/open311/v2/requests.json", bad).content)
    bodies.append(client.post("/open311/v2/requests.json", {**bad, "api_key": PASSWORD}).content)
    # an anonymous tip, sent twice: once refused (no form token), once accepted
    tip = {"topic": "other", "where": "", "message": TIP_TEXT}
    # (the refusal shows the tipster their own text again, to resend: that page is theirs alone)
    assert client.post("/community/tip/", tip, headers={"Origin": "http://testserver"}).status_code == 400
    sent = client.post("/community/tip/", {**tip, "form_token": form_token()}, headers={"Origin": "http://testserver"})
    assert sent.status_code == 200
    # a 404, and a 500 from a staff page whose audit row cannot be written (fail closed)
    bodies.append(client.get(f"/events/{world['event'].pk}99/").content)
    staff = client_for("analyst")
    staff.raise_request_exception = False
    monkeypatch.setattr(chain, "append", lambda rows: (_ for _ in ()).throw(RuntimeError(VICTIM_ADDRESS)))
    error = staff.get(reverse("incidents:detail", args=[world["event"].pk]))
    assert error.status_code == 500
    bodies.append(error.content)

    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    for secret in (PASSWORD, TYPED_AS_NAME, world["api_key"], TIP_TEXT):
        assert secret not in logged, secret
    for secret in (PASSWORD, world["api_key"], TIP_TEXT):
        assert all(secret.encode() not in body for body in bodies), secret
    assert VICTIM_ADDRESS.encode() not in error.content and b"Traceback" not in error.content


@pytest.mark.django_db
def test_error_pages_are_generic(client):
    page = Client(raise_request_exception=False).get("/no/such/page/")
    assert page.status_code == 404 and b"Traceback" not in page.content and b"urlpatterns" not in page.content
