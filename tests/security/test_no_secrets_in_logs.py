"""Nothing secret reaches the application's logs or its error pages: not a password typed at
sign-in, not an Open311 API key, not a tip's text, not a victim's address — whatever the answer
(a refused sign-in, a rejected submission, a 404, a 500)."""

from __future__ import annotations

import json
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


@pytest.fixture
def json_logs(settings):
    """The application's logging as settings build it with COPPS_LOG_FORMAT=json, writing to a
    buffer; the settings' own logging is put back afterwards. Returns the records as dicts."""
    import io
    import json
    import logging.config

    from copps.logs import logging_config

    logging.config.dictConfig(logging_config("json", "DEBUG"))
    stream = io.StringIO()
    (handler,) = logging.getLogger().handlers
    handler.stream = stream
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.config.dictConfig(settings.LOGGING)


def test_json_logs_carry_request_context_and_stay_scrubbed(world, json_logs, monkeypatch, client_for):
    client = Client(raise_request_exception=False)
    key = "q7kz2mxw4h5n3pla"
    from copps.community.models import ServiceRequest

    ServiceRequest.objects.filter(pk=world["request"].pk).update(track_key=key)
    # a 404 on a track page (its path holds the key), with the proxy's request id
    assert client.get(f"/community/track/{key}/nope.css", headers={"X-Request-ID": "proxy-42"}).status_code == 404
    # a wrong password; a visit to the tip routes (nothing of it may be logged)
    client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert client.get("/community/tip/no-such-page/").status_code == 404
    tip = {"topic": "other", "where": "", "message": TIP_TEXT, "form_token": form_token()}
    assert client.post("/community/tip/", tip, headers={"Origin": "http://testserver"}).status_code == 200
    # a 500 on a staff page whose audit row cannot be written
    staff = client_for("analyst")
    staff.raise_request_exception = False
    monkeypatch.setattr(chain, "append", lambda rows: (_ for _ in ()).throw(RuntimeError("audit store down")))
    error = staff.get(reverse("incidents:detail", args=[world["event"].pk]))
    assert error.status_code == 500 and error["X-Request-ID"]

    records = json_logs()  # every line is one JSON object
    assert records and all({"timestamp", "level", "logger", "message"} <= r.keys() for r in records)
    assert all(r["timestamp"].endswith("Z") for r in records)
    not_found = next(r for r in records if r["message"].startswith("Not Found: /community/track/"))
    assert not_found == {
        **not_found,
        "level": "WARNING",
        "logger": "django.request",
        "message": "Not Found: /community/track/[key]/nope.css",
        "request_id": "proxy-42",
        "path": "/community/track/[key]/nope.css",
        "status": 404,
    }
    crash = next(r for r in records if r["message"].startswith("Internal Server Error"))
    assert crash["level"] == "ERROR" and crash["request_id"] == error["X-Request-ID"]
    assert crash["path"] == reverse("incidents:detail", args=[world["event"].pk])
    assert "RuntimeError: audit store down" in crash["exception"]
    text = "\n".join(json.dumps(r) for r in records)
    for secret in (key, PASSWORD, TIP_TEXT, "/community/tip"):
        assert secret not in text, secret


def test_a_bad_log_format_is_refused():
    from copps.config import ConfigError
    from copps.logs import logging_config

    with pytest.raises(ConfigError, match="COPPS_LOG_FORMAT must be text or json, not 'xml'"):
        logging_config("xml", "INFO")
