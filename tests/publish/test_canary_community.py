"""The canary test over the whole site: every URL of the root URLconf an anonymous visitor can
reach (the public portal, Open311, the community front door, the engagement pages, sign-in),
in English and in Spanish, filled with the seeded objects' ids, keys and tokens.

The town of ``test_canary.py`` is seeded (events, requests, tips, problems, surveys, watch
groups, meetings, subscriptions: a canary in every private field). No response may show a
canary, a house number, a sensitive event's date or a point nearer a true location than the
generalisation allows, except what a page legitimately publishes (``town.allowed``: a public
request's own words in Open311, after the scrubber; a request's own page behind its tracking
id) and what the visitor put in the URL. ``town.expected`` lists what must be seen (the
scrubbed forms, an approved survey comment), so the crawl cannot pass by reaching nothing.

Routes come from walking the root URLconf (``tests/security/urlmap.py``); a route an
anonymous visitor may reach that this file neither crawls nor lists as POST-only fails
``test_every_route_an_anonymous_visitor_can_reach_is_crawled``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from datetime import timedelta
from urllib.parse import unquote, urlencode
from xml.etree import ElementTree

import numpy as np
import pytest
from django.utils import timezone
from tests.publish.conftest import CRS
from tests.publish.test_canary import _seed, _variants
from tests.security.urlmap import FORBIDDEN, LOGIN, View, expectations, walk

from copps.geo.blocks import has_house_number
from copps.geo.crs import Projector
from copps.publish.conf import rules

pytestmark = pytest.mark.slow

# Every GET route an anonymous visitor can reach, by its urlmap key (qualified name and route).
CRAWLED = {
    "home /",  # the residents' front door (issue 18)
    "healthz /healthz",  # for load balancers: its JSON must name no record either
    "login /accounts/login/",
    "mfa_verify /accounts/login/code/",
    "mfa_enrol /accounts/login/enrol/",
    "? /admin/login/",
    "api:api-root /api/",
    "open311:discovery /open311/v2/discovery.<open311fmt:fmt>",
    "open311:services /open311/v2/services.<open311fmt:fmt>",
    "open311:service /open311/v2/services/<str:code>.<open311fmt:fmt>",
    "open311:requests /open311/v2/requests.<open311fmt:fmt>",
    "open311:request /open311/v2/requests/<str:public_id>.<open311fmt:fmt>",
    "open311:token /open311/v2/tokens/<str:token>.<open311fmt:fmt>",
    "open311:openapi /open311/v2/openapi.json",
    "open311:unknown /open311/v2/(?P<path>.*)$",
    "engagement:home /community/engage/",
    "engagement:survey /community/engage/surveys/<int:pk>/",
    "engagement:survey_results /community/engage/surveys/<int:pk>/results/",
    "engagement:meetings /community/engage/meetings/",
    "engagement:meetings_ics /community/engage/meetings.ics",
    "engagement:beat_officer /community/engage/beat-officer/",
    "engagement:subscribe /community/engage/subscribe/",
    "engagement:subscribe_near /community/engage/subscribe/near/",  # alerts near a place (issue 18)
    "engagement:follow /community/engage/follow/<str:public_id>/",  # "Follow this report" (issue 18)
    "engagement:confirm /community/engage/subscribe/confirm/<str:token>/",
    "engagement:unsubscribe /community/engage/subscribe/unsubscribe/<str:token>/",
    "engagement:unsubscribe_one_click /community/engage/subscribe/one-click/<str:token>/",  # RFC 8058
    "engagement:watch_groups /community/engage/watch/",
    "engagement:watch_join /community/engage/watch/<int:pk>/join/",
    "engagement:watch_confirm /community/engage/watch/confirm/<str:token>/",
    "community:report /community/report/",
    "community:report-details /community/report/details/",
    "community:nearby /community/report/nearby.json",
    "community:already-reported /community/report/already/<str:public_id>/",
    "community:track-lookup /community/track/",
    "community:track /community/track/<str:key>/",
    "community:track-photo /community/track/<str:key>/photo.jpg",
    "community:tip /community/tip/",
    "community:tip-read /community/tip/read/",
    "community:tip-answer /community/tip/answer/",
    "community:tip-asset /community/tip/assets/<str:name>",
    "publish:map /public/",
    "publish:about /public/about/",
    "publish:events_csv /public/data/events.csv",
    "publish:events_geojson /public/data/events.geojson",
    "publish:counts_csv /public/data/counts.csv",
    "publish:trends /public/trends/",
    "publish:compstat /public/compstat/",
    "publish:problems /public/problems/",
    "publish:problem /public/problems/<int:pk>/",
    "publish:problem_area /public/problems/<int:pk>/area.geojson",
    "publish:service /public/service/",
    "publish:public_api:openapi-json /public/api/openapi.json",
    "publish:public_api:events /public/api/events",
    "publish:public_api:grid /public/api/grid",
    "publish:public_api:counts /public/api/counts",
    "publish:public_api:areas /public/api/areas",
    "publish:public_api:trends /public/api/trends",
    "publish:public_api:problems /public/api/problems",
    "publish:public_api:service /public/api/service",
    "publish:public_api:rules /public/api/rules",
    "publish:public_api:api-root /public/api/",
    "publish:basemap /public/basemap/<int:zoom>.geojson",  # the maps' own streets (issue 18)
    "publish:places /public/places/",
    "publish:place_block /public/places/block",
}
# Reachable, but only a POST does anything: left out of the GET crawl, and their GET must not
# show a page (405, or a redirect / 204 with an empty body).
POST_ONLY = {
    "logout /accounts/logout/": "signs out (POST only since Django 5)",
    "admin:logout /admin/logout/": "the admin's sign-out",
    "set_language /i18n/setlang/": "sets the language cookie; a GET only redirects",
}
LANGUAGES = ("en", "es")
MISSING = "999999"
_CSRF = re.compile(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]*"')
_NEXT = re.compile(r'name="next" value="[^"]*"')
_NUMBER = re.compile(r"(?<![\d.])\d+(?!\d)")
_CANARY_WORD = re.compile(r"CANARY(?:-[A-Z0-9]+)*")


def _anonymous_may_reach(view: View) -> bool:
    expected = expectations(view.key)
    return expected is None or expected["anonymous"] not in (LOGIN, FORBIDDEN)


def test_every_route_an_anonymous_visitor_can_reach_is_crawled(client, db):
    """The crawl list is the URLconf's: a new public route must be added to CRAWLED (with the
    values that fill it) or to POST_ONLY, or this fails with its name. Every route left out
    answers an anonymous GET with a refusal, so none is left out by mistake."""
    views = walk()
    reachable = {v.key for v in views if _anonymous_may_reach(v)}
    assert not CRAWLED & set(POST_ONLY)
    assert sorted(reachable - CRAWLED - set(POST_ONLY)) == [], "anonymous routes the canary crawl does not visit"
    assert sorted((CRAWLED | set(POST_ONLY)) - reachable) == [], "crawl entries that are no anonymous route"
    failures = []
    for view in views:
        if view.key in CRAWLED:
            continue
        response = client.get(view.path(lambda v, kwarg, converter: MISSING if converter != "path" else "x/"))
        location = response.get("Location", "")
        if view.key in POST_ONLY:
            ok = response.status_code == 405 or (response.status_code in (204, 302) and not response.content)
        else:
            ok = response.status_code in (401, 403, 405) or (
                response.status_code == 302 and location.startswith(("/accounts/login/", "/admin/login/"))
            )
        if not ok:
            failures.append(f"{view.key}: {response.status_code} {location}")
    assert failures == [], "routes outside the crawl that an anonymous visitor can read:\n" + "\n".join(failures)


# -- the values that fill each route, and the query strings it is asked with -------------------


def _kwarg_values(town, problems) -> dict[tuple[str, str], list[str]]:
    """(qualname, kwarg) -> the values to request: every seeded object (public and private),
    secrets in the wrong place (a tracking id as an Open311 id, a tip id as a tracking id), and
    one that does not exist."""
    s = town.seeded
    requests = [r.public_id for r in s["requests"]]
    keys = list(s["track_keys"])
    tip_ids = [t.public_id for t in s["tips"]]
    surveys = [str(x.pk) for x in s["surveys"]]
    groups = [str(g.pk) for g in s["groups"]]
    codes = [x.service_code for x in s["services"]]
    return {
        ("open311:service", "code"): [*codes, "NOPE"],
        ("open311:request", "public_id"): [*requests, keys[0], tip_ids[0], "nosuchrequestid"],
        ("open311:token", "token"): [*s["tokens"], requests[0], "nosuchtoken"],
        ("open311:unknown", "path"): ["nothing-here", "requests.csv", f"requests/{requests[0]}.txt"],
        ("engagement:survey", "pk"): [*surveys, MISSING],
        ("engagement:survey_results", "pk"): [*surveys, MISSING],
        ("engagement:confirm", "token"): [*s["confirm_tokens"], *s["unsubscribe_tokens"], "1:forged"],
        ("engagement:unsubscribe", "token"): [*s["unsubscribe_tokens"], *s["confirm_tokens"], "1:forged"],
        ("engagement:unsubscribe_one_click", "token"): [*s["unsubscribe_tokens"], "1:forged"],
        ("engagement:watch_join", "pk"): [*groups, MISSING],
        ("engagement:watch_confirm", "token"): [*s["join_tokens"], *s["confirm_tokens"], "1:forged"],
        ("community:already-reported", "public_id"): [*requests, *keys, tip_ids[0], "nosuchrequestid"],
        ("engagement:follow", "public_id"): [*requests, *keys, tip_ids[0], "nosuchrequestid"],
        ("community:tip-asset", "name"): ["site.css", "community.css", "favicon.svg", "nope.css"],
        ("community:track", "key"): [*keys, *_wrong_keys(town)],
        ("community:track-photo", "key"): [*keys, *_wrong_keys(town)],
        ("publish:problem", "pk"): [str(p) for p in problems],
        ("publish:problem_area", "pk"): [str(p) for p in problems],
        ("publish:basemap", "zoom"): ["0", "13", "15", "14"],
    }


def _wrong_keys(town) -> list[str]:
    """Not tracking ids: another resident's public Open311 id, a tip id, a random one."""
    s = town.seeded
    return [s["requests"][0].public_id, s["requests"][1].public_id, s["tips"][0].public_id, "nosuchtrackingid"]


def _queries(town, qualname: str) -> list[dict]:
    """The query strings a route is asked with (the empty one always)."""
    s = town.seeded
    if qualname == "publish:basemap":
        return [{}]
    if qualname == "publish:places":
        # a seeded request's own address, another house on its block, a street, an area
        typed = [r.address for r in s["requests"] if r.address][:3]
        return [{}, *({"q": q} for q in (*typed, "61150 PINE ST", "PINE ST", "North", "A1"))]
    if qualname == "publish:place_block":
        return [{}, *({"lat": r.lat, "lon": r.lon} for r in s["requests"] if r.lat is not None)]
    if qualname.startswith("publish:"):
        return _variants()
    today = timezone.localdate()
    requests = s["requests"]
    if qualname == "open311:requests":
        every = ",".join(r.public_id for r in requests)
        return [
            {},
            {"extensions": "true"},
            {"status": "open"},
            {"status": "closed", "extensions": "true"},
            *({"service_code": x.service_code} for x in s["services"]),
            {"start_date": (today - timedelta(days=80)).isoformat(), "end_date": today.isoformat()},
            {"service_request_id": every},
            {"service_request_id": every, "extensions": "true"},
            {"page_size": "5", "page": "2"},
        ]
    if qualname == "open311:request":
        return [{}, {"extensions": "true"}]
    if qualname in ("community:nearby", "community:report-details", "community:report"):
        out = [{}]
        for service in s["services"]:
            out.append({"service": service.pk})
            # another house on the blocks of the seeded requests: the hundred block finds them
            out += [{"service": service.pk, "address": a} for a in ("61150 PINE ST", "71150 OAK AVE")]
            if qualname != "community:report":  # step one lists nothing
                out += [{"service": service.pk, "lat": r.lat, "lon": r.lon} for r in requests if r.service == service]
        return out
    if qualname == "community:track":
        return [{}, {"new": "1"}]
    if qualname == "community:track-lookup":
        return [{}, {"id": next(iter(s["track_keys"]))}, {"id": "nosuchtrackingid"}]
    if qualname in ("engagement:meetings", "engagement:meetings_ics"):
        return [{}, *({"area": a.pk} for a in (*town.beats.values(), *town.districts.values()))]
    if qualname == "engagement:subscribe":
        return [{}, {"area": town.beats["A"].pk}]
    return [{}]


def _paths(town, problems) -> list[tuple[View, str, dict]]:
    """(view, path, the kwargs chosen) for every crawled route and every combination of values."""
    values = _kwarg_values(town, problems)
    out = []
    for view in walk():
        if view.key not in CRAWLED:
            continue
        names = list(view.kwargs)
        choices = [["json", "xml"] if n == "fmt" else values[(view.qualname, n)] for n in names]
        for combo in itertools.product(*choices):
            chosen = dict(zip(names, combo, strict=True))
            out.append((view, view.path(lambda v, kwarg, converter, chosen=chosen: str(chosen[kwarg])), chosen))
    return out


# -- what a response may not show --------------------------------------------------------------


class Checker:
    """The canary, house-number, date and block checks of one crawl, and what it saw."""

    def __init__(self, town):
        self.town = town
        self.canaries = {c.upper() for c in town.canaries}
        # canaries that are not CANARY-words (tip ids, tracking keys, phone numbers) by substring
        self.loose = {c for c in self.canaries if not c.startswith("CANARY")}
        self.houses = set(town.house_numbers)
        self.points: list[tuple[float, float, str]] = []
        self.seen = dict.fromkeys(town.expected, False)
        self.failures: list[str] = []
        self.count = 0

    def allowed(self, path: str) -> set[str]:
        out = set()
        for prefix, strings in self.town.allowed.items():
            if path.startswith(prefix):
                out |= {c.upper() for c in strings}
        return out

    def check(self, url: str, response, *, label: str = "") -> str:
        """Check one response; returns its body as text."""
        self.count += 1
        path = url.split("?")[0]
        where = f"{url} {label}".strip()
        if getattr(response, "streaming", False):
            raw = b"".join(response.streaming_content)
        else:
            raw = response.content
        ctype = response.get("Content-Type", "")
        text = raw.decode("latin-1") if ctype.startswith("image/") else raw.decode()
        if "calendar" in ctype:
            text = text.replace("\r\n ", "")  # unfold iCalendar lines (RFC 5545 §3.1)
        headers = " ".join(response.get(h, "") for h in ("Location", "Content-Disposition"))
        whole = f"{text}\n{headers}"
        asked = unquote(url).upper()
        upper = whole.upper()
        # a canary the visitor typed into the URL is not leaked by the page that echoes it
        forbidden = self.canaries - self.allowed(path)
        hits = set()
        for word in _CANARY_WORD.findall(upper):
            parts = word.split("-")
            hits |= {"-".join(parts[:n]) for n in range(1, len(parts) + 1)} & forbidden
        hits |= {c for c in self.loose & forbidden if c in upper}
        hits = {c for c in hits if c not in asked}
        if hits:
            self.failures.append(f"{_few(hits)} leaked through {where[:200]}")
        # random form tokens could hold five digits in a row by chance: they are no text
        numbers = (set(_NUMBER.findall(_CSRF.sub("", whole))) & self.houses) - set(_NUMBER.findall(asked))
        if numbers:
            self.failures.append(f"house numbers {_few(numbers)} in {where[:200]}")
        days = {d for d in self.town.sensitive_dates if d in whole}
        if days:
            self.failures.append(f"the date of a sensitive event ({sorted(days)}) in {where}")
        for expected, prefix in self.town.expected.items():
            if not self.seen[expected] and path.startswith(prefix) and expected in text:
                self.seen[expected] = True
        self._places(url, ctype, text, where)
        return text

    def _places(self, url, ctype, text, where):
        blocks = []
        if "json" in ctype:
            doc = json.loads(text)
            self.points += [(lon, lat, url) for lon, lat in _json_points(doc)]
            blocks = list(_json_blocks(doc, open311=url.startswith("/open311/")))
        elif "xml" in ctype:
            root = ElementTree.fromstring(text)
            for item in root.iter():
                lat, lon = item.findtext("lat"), item.findtext("long")
                if lat and lon:
                    self.points.append((float(lon), float(lat), url))
                if item.tag == "address" and item.text:
                    blocks.append(item.text)
        elif "csv" in ctype:
            rows = list(csv.DictReader(io.StringIO(text)))
            self.points += [(float(r["lon"]), float(r["lat"]), url) for r in rows if r.get("lon")]
            blocks = [r["block"] for r in rows if r.get("block")]
        for block in blocks:
            if has_house_number(block) or re.search(r"\b\d{3,}\b", block):
                self.failures.append(f"block {block!r} in {where}")

    def check_points(self):
        """No published point nearer a true location (event or request) than the rule allows."""
        allowed = rules().min_offset_m
        lon, lat = np.array([(p[0], p[1]) for p in self.points]).T
        x, y = Projector(CRS).forward(lon, lat)
        true_xy = np.array(self.town.true_xy)
        d = np.hypot(x[:, None] - true_xy[None, :, 0], y[:, None] - true_xy[None, :, 1]).min(axis=1)
        worst = int(np.argmin(d))
        assert d[worst] >= allowed, f"{self.points[worst][2]} publishes a point {d[worst]:.2f} m from a true location"


def _few(found) -> str:
    found = sorted(found)
    return ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")


def _json_points(obj):
    """GeoJSON Points, and any object with lat and lon/long numbers (Open311's requests)."""
    if isinstance(obj, dict):
        if obj.get("type") == "Point":
            yield tuple(obj["coordinates"])
        lon = obj.get("lon", obj.get("long"))
        if isinstance(obj.get("lat"), int | float) and isinstance(lon, int | float):
            yield lon, obj["lat"]
        for value in obj.values():
            yield from _json_points(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _json_points(value)


def _json_blocks(obj, *, open311: bool):
    """Published blocks: ``block`` values, and Open311's ``address``."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, str) and (key == "block" or (open311 and key == "address")):
                yield value
            yield from _json_blocks(value, open311=open311)
    elif isinstance(obj, list):
        for value in obj:
            yield from _json_blocks(value, open311=open311)


def _normalised(text: str) -> str:
    return _CSRF.sub("", _NEXT.sub("", text))


OK_STATUS = {200, 204, 301, 302, 400, 404}
# routes that answer no visitor with a page of their own: redirects, and 404s by design
NEVER_200 = {"?", "mfa_verify", "mfa_enrol", "api:api-root", "publish:public_api:api-root", "open311:unknown"}
UNKNOWN = {"nosuchrequestid", "nosuchtoken"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_canary_leaves_through_any_anonymous_url(client, town, unthrottled, language):
    crawl(client, town, language)


def crawl(client, town, language: str) -> None:
    """Seed the town, crawl every anonymous route in ``language``, and assert that nothing leaked."""
    problems = _seed(town)
    checker = Checker(town)
    wrong_keys = set(_wrong_keys(town))
    s = town.seeded
    withheld = {r.public_id for r in s["requests"] if not r.public} | {s["tokens"][1]}
    unknown = {}  # (route, format) -> the normalised answer for an id that never existed
    later = []  # withheld requests' answers, each compared with that answer
    served = set()  # routes that answered 200 at least once
    html_pages = 0
    for view, path, chosen in _paths(town, problems):
        for params in _queries(town, view.qualname):
            url = f"{path}?{urlencode(params, doseq=True)}" if params else path
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            status = response.status_code
            if status not in OK_STATUS:
                checker.failures.append(f"{url}: status {status}")
                continue
            text = checker.check(url, response, label=language)
            if status == 200:
                served.add(view.qualname)
            if language == "es" and status == 200 and response.get("Content-Type", "").startswith("text/html"):
                html_pages += 1
                if '<html lang="es">' not in text:
                    checker.failures.append(f"{url}: not rendered in Spanish")
            if chosen.get("key") in wrong_keys:
                # someone else's id is no tracking id: the one not-found page, nothing more
                if status != 404:
                    checker.failures.append(f"{url}: {status} for a key that is no tracking id")
                reference = unknown.setdefault(("track", str(params)), _normalised(text))
                if _normalised(text) != reference:
                    checker.failures.append(f"{url}: the not-found page differs for another resident's id")
            ident = chosen.get("public_id") or chosen.get("token")
            if view.qualname in (
                "open311:request", "open311:token", "community:already-reported", "engagement:follow"
            ) and not params:
                route = (view.qualname, chosen.get("fmt"))
                if ident in UNKNOWN:
                    unknown[route] = _normalised(text).replace(ident, "ID")
                elif ident in withheld:
                    later.append((route, url, _normalised(text).replace(ident, "ID")))
    for route, url, text in later:
        # a withheld request answers exactly as one that never existed
        if text != unknown[route]:
            checker.failures.append(f"{url}: a withheld request does not answer as an unknown id does")
    never = sorted({v.qualname for v, _, _ in _paths(town, problems)} - served - NEVER_200)
    assert never == [], f"routes the crawl never got a page from (so it checked nothing there): {never}"
    _post_forms(client, town, checker, language)
    assert checker.failures == [], "\n".join(checker.failures[:40])
    assert checker.count > 1000, checker.count
    unseen = [text for text, seen in checker.seen.items() if not seen]
    assert unseen == [], f"the crawl never saw these published strings: {unseen}"
    assert any(url.startswith("/open311/") for _, _, url in checker.points), "Open311 published no point"
    assert any(url.startswith("/public/") for _, _, url in checker.points), "the portal published no point"
    checker.check_points()
    if language == "es":
        assert html_pages > 50, html_pages


def _post_forms(client, town, checker, language):
    """The public forms that answer a POST with a page: what they show of other people."""
    from copps.community.tipguard import form_token

    s = town.seeded
    tip = s["tips"][0]
    group = s["groups"][0]
    origin = {"HTTP_ORIGIN": "http://testserver", "HTTP_ACCEPT_LANGUAGE": language}
    posts = [
        # the beat officer of a block: the assignment's public fields only, not the officer's account
        ("/community/engage/beat-officer/", {"address": "47350 Elm St"}, 200, "Officer J. Ramos"),
        # a tip id with a wrong passphrase: nothing of the tip
        (
            "/community/tip/read/",
            {"tip_id": tip.public_id, "passphrase": "wrong-pass", "form_token": form_token()},
            404,
            "",
        ),
        (
            "/community/tip/answer/",
            {"tip_id": tip.public_id, "passphrase": "wrong-pass", "message": "hello", "form_token": form_token()},
            404,
            "",
        ),
        # asking to join with a member's address, or subscribing with a subscriber's: the same
        # answer as for anyone, nothing about the member or the subscription
        (
            f"/community/engage/watch/{group.pk}/join/",
            {"name": "A. Visitor", "email": "canary-member-0@example.org", "consent": "on"},
            200,
            "",
        ),
        (
            "/community/engage/subscribe/",
            {"email": "canary-sub-active@example.org", "area": town.beats["A"].pk, "problems": "on"},
            200,
            "",
        ),
        # alerts near a place, by a typed address, and following an open public request, with a
        # subscriber's address: the same "check your e-mail" as for anyone
        (
            "/community/engage/subscribe/near/",
            {"email": "canary-sub-place@example.org", "address": "47350 Elm St", "radius_m": "800",
             "incidents": "on", "frequency": "weekly"},
            200,
            "",
        ),
        (
            f"/community/engage/follow/{s['open_public'].public_id}/",
            {"email": "canary-sub-follow@example.org"},
            200,
            "",
        ),
        # a withheld request cannot be followed: the not-found page
        (f"/community/engage/follow/{s['open_withheld'].public_id}/", {"email": "a@example.org"}, 404, ""),
        # another resident's public id as a tracking id, posted to: the not-found page
        (f"/community/track/{s['requests'][1].public_id}/", {"action": "reopen"}, 404, ""),
    ]
    for path, data, status, shown in posts:
        response = client.post(path, data, **origin)
        if response.status_code != status:
            checker.failures.append(f"POST {path}: {response.status_code}, expected {status}")
        # what the visitor typed is theirs: it may come back (the e-mail on "check your e-mail")
        typed = "?" + urlencode(data)
        text = checker.check(path + typed, response, label=f"POST {language}")
        if shown and shown not in text:
            checker.failures.append(f"POST {path}: {shown!r} not shown")


# -- the subscribers' mail ---------------------------------------------------------------------

_COORDINATE = re.compile(r"\d\.\d{4,}")


def test_no_canary_leaves_through_any_subscriber_mail(client, town, settings):
    """``copps notify`` over the seeded town: the area, place and follow subscriptions' mails
    carry no canary, no house number, no sensitive event's date and nothing like a coordinate.
    What they may show of a public request is what Open311 publishes (its scrubbed note)."""
    from django.core import mail
    from django.core.management import call_command
    from django.http import HttpResponse

    from copps.community.engagement.models import Subscription
    from copps.community.states import State, advance

    settings.COPPS_SITE_URL = "http://testserver-site"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _seed(town)
    s = town.seeded
    # the place subscriber confirmed long ago, so the town's public incidents and requests are new
    Subscription.objects.filter(email="canary-sub-place@example.org").update(
        confirmed_at=timezone.now() - timedelta(days=90)
    )
    advance(s["open_public"], State.IN_PROGRESS, notes="Crew at 70811 Oak Ave today")
    town.house_numbers.append("70811")
    call_command("notify")
    town.allowed["/mail/"] = set(town.allowed.get("/open311/v2/", set()))
    checker = Checker(town)
    bodies = {}
    for n, message in enumerate(mail.outbox):
        text = f"{message.subject}\n{message.body}"
        bodies[message.to[0]] = text
        checker.check(f"/mail/{n}", HttpResponse(text, content_type="text/plain; charset=utf-8"))
        if _COORDINATE.search(text):
            checker.failures.append(f"a coordinate in the mail to {message.to[0]}: {_COORDINATE.search(text)[0]}")
    assert checker.failures == [], "\n".join(checker.failures[:40])
    # the crawl reached something: the place digest lists incidents and requests, the follower
    # is told the new state with the note as Open311 publishes it
    place = bodies["canary-sub-place@example.org"]
    assert "XX ELM ST" in place and "Graffiti" in place, place
    follow = bodies["canary-sub-follow@example.org"]
    assert "In progress" in follow and "708XX Oak Ave" in follow, follow
