"""Rate limits (copps.accounts.ratelimit): 429 with Retry-After and a plain body on the report,
track, tip and Open311 POST routes; configurable per scope; never a 5xx."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from tests.community.conftest import parse, post, valid_post
from tests.community.frontdoor import report

from copps.accounts import ratelimit
from copps.accounts.ratelimit import configured_limits, hit, rate_limited
from copps.community.models import ServiceRequest, Tip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def still_clock(monkeypatch):
    """Hold the limiter's clock mid-window, so a minute turning during a test cannot reset a count."""
    monkeypatch.setattr(ratelimit, "_clock", lambda: 1_000_040.0)


def assert_429(response):
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    assert int(response["Retry-After"]) == 40  # the held clock is 20 s into its window
    assert b"Too many requests" in response.content


def test_the_fixed_window_counts_and_then_turns_over():
    assert [hit("unit", "a", 3, now=120.0) for _ in range(3)] == [0, 0, 0]
    assert hit("unit", "a", 3, now=150.5) == 30  # wait until the window turns at 180 s
    assert hit("unit", "b", 3, now=150.5) == 0  # another client has its own bucket
    assert hit("unit", "a", 3, now=180.0) == 0  # a new window


def test_limits_are_configured_per_scope_and_bad_values_are_refused(settings):
    settings.COPPS_RATE_LIMITS = "report=2, tip=0"
    assert configured_limits() == {"report": 2, "tip": 0}
    assert ratelimit.limit_for("report", 10) == 2 and ratelimit.limit_for("track", 60) == 60
    for bad in ("report", "report=fast", "=3", "report=-1"):
        with pytest.raises(ImproperlyConfigured):
            configured_limits(bad)


def test_report_posts_are_limited_per_client(services, beats, client, settings):
    settings.COPPS_RATE_LIMITS = "report=2"
    assert [report(client, services["NOIS"]).status_code for _ in range(2)] == [302, 302]
    assert_429(report(client, services["NOIS"]))
    assert ServiceRequest.objects.count() == 2
    # Another address is not held back by the first one's bucket.
    from django.test import Client

    assert report(Client(REMOTE_ADDR="192.0.2.9"), services["NOIS"]).status_code == 302


def test_the_track_page_is_limited(services, make_request, client, settings):
    settings.COPPS_RATE_LIMITS = "track=3"
    codes = [client.get("/community/track/aaaaaaaaaaaaaaaa/").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_tip_posts_share_one_global_bucket_that_junk_cannot_use_up(settings):
    """The tip route knows no caller, so tipsters share one allowance; posts that are refused
    anyway (no form token, another site, empty fields) are not counted against it, and the one
    over the limit gets the form back with its text and a Retry-After."""
    import re

    from django.test import Client

    settings.COPPS_RATE_LIMITS = "tip=2"
    for i in range(20):  # a flood of junk straight at the route, from many addresses
        junk = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
        assert junk.post("/community/tip/", {"topic": "other", "message": "x"},
                         HTTP_ORIGIN="http://testserver").status_code == 400
        assert junk.post("/community/tip/", {"topic": "other", "message": ""}, HTTP_ORIGIN="http://evil.example",
                         ).status_code == 400
    codes, pages = [], []
    for i in range(3):
        c = Client(REMOTE_ADDR=f"192.0.2.{i + 1}")  # different callers, one bucket
        token = re.search(r'name="form_token" value="([^"]+)"', c.get("/community/tip/").content.decode()).group(1)
        page = c.post("/community/tip/", {"topic": "drugs", "message": f"Sold from the side door, night {i}",
                                          "form_token": token}, HTTP_ORIGIN="http://testserver")
        codes.append(page.status_code)
        pages.append(page)
    assert codes == [200, 200, 429] and Tip.objects.count() == 2
    over = pages[2]
    assert int(over["Retry-After"]) >= 1 and "Sold from the side door, night 2" in over.content.decode()
    assert "Nothing was sent" in over.content.decode() and "set-cookie" not in {k.lower() for k in over.headers}


def assert_open311_429(response, fmt):
    assert response.status_code == 429 and int(response["Retry-After"]) == 40
    assert response["Content-Type"].startswith(f"{'application' if fmt == 'json' else 'text'}/{fmt}")
    [error] = parse(response)
    assert int(error["code"]) == 429 and "wait 40 seconds" in error["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_posts_and_gets_are_limited_apart_in_the_specs_error_format(
    services, beats, api_key, client, settings, fmt
):
    settings.COPPS_RATE_LIMITS = "open311_post=1,open311_get=3"
    assert post(client, fmt, valid_post(api_key)).status_code == 201
    assert_open311_429(post(client, fmt, valid_post(api_key)), fmt)
    assert ServiceRequest.objects.count() == 1
    # Reads have their own allowance, which the posts did not use, and every resource counts.
    reads = [f"/open311/v2/requests.{fmt}", f"/open311/v2/services.{fmt}", f"/open311/v2/no-such-thing.{fmt}"]
    assert [client.get(url).status_code for url in reads] == [200, 200, 404]
    assert_open311_429(client.get(f"/open311/v2/discovery.{fmt}"), fmt)
    assert_open311_429(client.get(f"/open311/v2/nothing-here.{fmt}"), fmt)
    # Another client is not held back.
    other = client.get(f"/open311/v2/services.{fmt}", REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 200


def test_zero_turns_a_scope_off(services, beats, client, settings):
    settings.COPPS_RATE_LIMITS = "report=0"
    assert all(report(client, services["NOIS"]).status_code == 302 for _ in range(12))


def test_a_failing_cache_lets_requests_through(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(ratelimit, "hit", broken)
    view = rate_limited("unit", 1)(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/")
    assert [view(request).status_code for _ in range(3)] == [200, 200, 200]


def test_the_cache_holds_no_client_address():
    from django.core.cache import cache

    view = rate_limited("unit", 5)(lambda request: HttpResponse("ok"))
    view(RequestFactory(REMOTE_ADDR="203.0.113.5").get("/"))
    keys = list(cache._cache.keys())  # the local-memory cache of the test settings
    assert keys and not any("203.0.113.5" in k for k in keys)


def test_nearby_lookups_share_the_lookup_limit(services, client, settings):
    settings.COPPS_RATE_LIMITS = "lookup=2"
    params = {"service": services["GRAF"].pk, "address": "1 Elm St"}
    assert client.get("/community/report/nearby.json", params).status_code == 200
    assert client.get("/community/report/details/", params).status_code == 200
    assert_429(client.get("/community/report/nearby.json", params))
    assert_429(client.get("/community/report/details/", params))
