"""The app server's access log writes the tip routes without the caller: the logger class that
`copps serve` gives gunicorn, checked with gunicorn's default format and with one asking for
every identifying atom."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from gunicorn.config import Config

from copps.community.accesslog import TipScrubbingLogger

CLIENT_ADDR = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (Frontdoor-UA-canary)"
FORWARDED = "198.51.100.23"
CANARIES = [CLIENT_ADDR, "Frontdoor-UA-canary", FORWARDED, "cookie-canary-value", "ref-canary"]
GREEDY = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(q)s %({user-agent}i)s '
    "%({x-forwarded-for}i)s %({cookie}i)s %({remote_addr}e)s %({set-cookie}o)s %(U)s"
)


def access_line(path: str, fmt: str | None = None) -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    if fmt:
        cfg.set("access_log_format", fmt)
    logger = TipScrubbingLogger(cfg)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger.access_log.handlers = [handler]
    resp = SimpleNamespace(status="200 OK", sent=512, headers=[("Set-Cookie", "sessionid=cookie-canary-value")])
    req = SimpleNamespace(
        headers=[
            ("USER-AGENT", USER_AGENT),
            ("X-FORWARDED-FOR", FORWARDED),
            ("COOKIE", "sessionid=cookie-canary-value"),
        ]
    )
    environ = {
        "REMOTE_ADDR": CLIENT_ADDR,
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"{path}?from=ref-canary",
        "PATH_INFO": path,
        "QUERY_STRING": "from=ref-canary",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": USER_AGENT,
        "HTTP_REFERER": "http://x.example/ref-canary",
    }
    logger.access(resp, req, environ, timedelta(milliseconds=42))
    return out.getvalue()


@pytest.mark.parametrize("fmt", [None, GREEDY])
def test_tip_routes_are_logged_without_address_agent_cookie_or_referrer(fmt):
    line = access_line("/community/tip/read/", fmt)
    assert "POST /community/tip/read/ HTTP/1.1" in line and " 200 " in line
    for canary in CANARIES:
        assert canary not in line, canary
    assert ":00:00 " in line  # the time to the hour only


@pytest.mark.parametrize("fmt", [None, GREEDY])
def test_other_routes_keep_the_usual_access_log(fmt):
    line = access_line("/community/report/", fmt)
    assert CLIENT_ADDR in line and "Frontdoor-UA-canary" in line  # the scrub is for the tip routes only


@pytest.mark.parametrize(
    "path",
    [
        "/community/track/Zq8xV2secretkey/",
        "/community/track/Zq8xV2secretkey/photo.jpg",
        "/open311/v2/tokens/Zq8xV2secretkey.json",
    ],
)
def test_tracking_keys_and_open311_tokens_never_reach_the_access_log(path):
    line = access_line(path, GREEDY)
    assert "Zq8xV2secretkey" not in line
    assert "[key]" in line and CLIENT_ADDR in line  # redacted, not scrubbed: the route is not a tip route


def test_copps_serve_runs_gunicorn_with_the_scrubbing_logger(monkeypatch):
    seen = {}

    def fake_execv(path, argv):
        seen["argv"] = argv

    monkeypatch.setattr("os.execv", fake_execv)
    call_command("serve", bind="127.0.0.1:0", stdout=io.StringIO())
    argv = seen["argv"]
    assert argv[argv.index("--logger-class") + 1] == "copps.community.accesslog.TipScrubbingLogger"
