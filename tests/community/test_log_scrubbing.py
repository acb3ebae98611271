"""No log keeps a tracking key, and none keeps anything of a tip-route visit (issue 13, items 3
and 7). The records are read where they end up: the stream of the handler settings put on the
root logger (what `copps serve` writes to stderr), and pytest's own capture beside it. Django's
"Not Found"/"Bad Request"/"Internal Server Error" lines name the path, and a track page's path
holds its key."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

from copps.community.logscrub import ScrubFilter

pytestmark = pytest.mark.django_db

KEY = "q7kz2mxw4h5n3pla"  # a tracking id, as copps makes them


def handler_stream(monkeypatch) -> io.StringIO:
    """The stream of the handlers settings put on the root logger, swapped for a buffer."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, ScrubFilter) for f in h.filters)]
    assert handlers, "settings.LOGGING puts the scrubbing filter on the root logger's handler"
    stream = io.StringIO()
    for handler in handlers:
        monkeypatch.setattr(handler, "stream", stream)
    return stream


@pytest.fixture
def sink(monkeypatch, caplog):
    """Everything the application's own log handlers write during the test, and every record
    pytest saw, as text."""
    caplog.set_level(logging.DEBUG)
    stream = handler_stream(monkeypatch)

    def text() -> str:
        return stream.getvalue() + "\n" + caplog.text

    return text


@pytest.fixture
def tracked(make_request):
    return make_request(track_key=KEY, state="closed_fixed")


def test_a_404_and_a_400_on_a_track_url_log_no_key(tracked, sink):
    client = Client(raise_request_exception=False)
    assert client.get(f"/community/track/{KEY}/nope.css").status_code == 404  # no such route
    assert client.get(f"/community/track/{KEY[::-1]}/").status_code == 404  # an unknown key
    assert client.post(f"/community/track/{KEY}/", {"action": "made-up"}).status_code == 400
    assert client.get("/open311/v2/tokens/Zq8xV2secretkey.json").status_code == 404
    logged = sink()
    assert "Not Found: /community/track/[key]/" in logged and "Bad Request: /community/track/[key]/" in logged
    for secret in (KEY, KEY[::-1], "Zq8xV2secretkey"):
        assert secret not in logged, secret


def test_a_server_error_on_a_track_url_logs_no_key(tracked, sink, monkeypatch):
    def broken(key):
        raise RuntimeError(f"lost while reading /community/track/{key}/")

    monkeypatch.setattr("copps.community.views.track._find", broken)
    assert Client(raise_request_exception=False).get(f"/community/track/{KEY}/").status_code == 500
    logged = sink()
    assert "Internal Server Error: /community/track/[key]/" in logged and "RuntimeError" in logged
    assert KEY not in logged


def test_track_pages_are_never_stored(tracked, client):
    for path in (f"/community/track/{KEY}/", f"/community/track/{KEY[::-1]}/", "/community/track/"):
        response = client.get(path)
        assert "no-store" in response["Cache-Control"], path
    assert "no-store" in client.get("/community/track/", {"id": KEY})["Cache-Control"]


def test_nothing_about_a_tip_route_visit_is_logged(sink):
    client = Client(raise_request_exception=False, HTTP_USER_AGENT="TipsterUA-canary")
    assert client.get("/community/tip/no-such-page/").status_code == 404
    assert client.get("/community/tip/assets/no-such-file.css").status_code == 404
    assert client.post("/community/tip/", {"message": "x"}).status_code == 400  # no token, no origin
    logged = sink()
    assert "/community/tip" not in logged and "TipsterUA-canary" not in logged
    # the same 404 off the tip route is logged: the filter drops tip records, not all records
    client.get("/community/no-such-page/")
    assert "Not Found: /community/no-such-page/" in sink()


def test_a_server_error_on_a_tip_route_reaches_no_log_handler(monkeypatch):
    stream = handler_stream(monkeypatch)

    def broken():
        raise RuntimeError("the token signer is down")

    monkeypatch.setattr("copps.community.views.tips.form_token", broken)
    assert Client(raise_request_exception=False).get("/community/tip/").status_code == 500
    assert stream.getvalue() == ""


def test_the_tip_pages_load_their_files_from_the_tip_route(client):
    page = client.get("/community/tip/").content.decode()
    assert "/static/" not in page
    for name in ("site.css", "community.css", "favicon.svg"):
        assert f"/community/tip/assets/{name}" in page
        response = client.get(f"/community/tip/assets/{name}")
        assert response.status_code == 200 and len(response.content) > 100
        assert response["Referrer-Policy"] == "no-referrer" and not response.cookies
    assert client.get("/community/tip/assets/site.css")["Content-Type"] == "text/css; charset=utf-8"
    for page_path in ("/community/tip/read/",):
        assert "/static/" not in client.get(page_path).content.decode()


def test_a_404_on_the_tip_route_links_the_tip_files_so_no_favicon_is_asked_for(client):
    """The server's bare 404 text has no icon, and a browser shown it asks for /favicon.ico:
    a request logged with the tipster's address. The site's 404 page links its icon, from the
    tip route when the page is on it."""
    page = client.get("/community/tip/no-such-page/", HTTP_ACCEPT_LANGUAGE="es")
    body = page.content.decode()
    assert page.status_code == 404 and "Página no encontrada" in body
    assert 'rel="icon" href="/community/tip/assets/favicon.svg"' in body and "/static/" not in body
    elsewhere = client.get("/community/no-such-page/").content.decode()
    assert 'rel="icon" href="/static/copps/favicon.svg"' in elsewhere
