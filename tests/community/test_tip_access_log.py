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


def access_line(path: str, fmt: str | None = None, query: str = "from=ref-canary", referer: str = "") -> str:
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
            ("REFERER", referer or "http://x.example/ref-canary"),
        ]
    )
    environ = {
        "REMOTE_ADDR": CLIENT_ADDR,
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"{path}?{query}",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": USER_AGENT,
        "HTTP_REFERER": referer or "http://x.example/ref-canary",
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


REFERRER_FORMAT = GREEDY + ' "%(f)s" %({referer}i)s %({http_referer}e)s'


@pytest.mark.parametrize("fmt", [None, REFERRER_FORMAT])
@pytest.mark.parametrize(
    "came_from", ["http://copps.example/community/tip/", "http://copps.example/community/track/Zq8xV2secretkey/"]
)
def test_no_route_logs_where_the_browser_came_from(fmt, came_from):
    """A page's stylesheet or the next page, fetched from a tip page or a track page, must not
    name that page in the access log (issue 13, items 3 and 7)."""
    line = access_line("/static/copps/site.css", fmt, query="", referer=came_from)
    assert "/static/copps/site.css" in line and CLIENT_ADDR in line
    assert "copps.example" not in line and "ref-canary" not in line and "Zq8xV2secretkey" not in line


def test_a_key_typed_into_the_track_look_up_is_not_logged():
    line = access_line("/community/track/", REFERRER_FORMAT, query="lang=en&id=Zq8xV2secretkey")
    assert "Zq8xV2secretkey" not in line and "id=[key]" in line


def test_the_tip_pages_own_files_are_logged_like_the_tip_pages():
    line = access_line("/community/tip/assets/site.css", GREEDY)
    assert "GET" not in line or "/community/tip/assets/site.css" in line
    for canary in CANARIES:
        assert canary not in line, canary
    assert ":00:00 " in line


def test_copps_serve_runs_gunicorn_with_the_scrubbing_logger(monkeypatch, db):  # db: serve checks migrations
    seen = {}

    def fake_execv(path, argv):
        seen["argv"] = argv

    monkeypatch.setattr("os.execv", fake_execv)
    call_command("serve", bind="127.0.0.1:0", stdout=io.StringIO())
    argv = seen["argv"]
    assert argv[argv.index("--logger-class") + 1] == "copps.community.accesslog.TipScrubbingLogger"


@pytest.mark.parametrize("path", ["/public/places/block", "/es/public/places/block", "/public/places/"])
def test_a_map_s_place_search_and_point_look_up_are_not_logged(path):
    line = access_line(path, GREEDY, query="lat=38.70503&lon=-121.272&q=7512+Maple+Ct")
    for secret in ("38.70503", "121.272", "7512"):
        assert secret not in line, (path, secret)
    assert path in line and "[place]" in line
