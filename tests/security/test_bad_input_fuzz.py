"""Whole-site fuzz: no input is a server error (issue 13, item 8).

Every form a page of the site shows (found by requesting every view of the URLconf as nobody and
as an analyst and reading its HTML), every query parameter of every OpenAPI operation, the
Open311 parameters and every URL argument get input no page can use: NUL characters, numbers
beyond a float (``1e309``), infinities and NaN, integers of 40 digits, dates at and past the
calendar's ends, a ``/`` where an id goes, 3,000 characters, and form bodies in character sets
Python cannot decode text with. The answer may be anything but a 5xx. First a sweep sends each
nasty value to each field once (the other fields keep the values the page gave them); then
hypothesis mixes generated values and character sets over the same fields. It runs on SQLite
and on PostgreSQL (where a NUL in a text parameter was a server error)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from tests.conftest import sign_in
from tests.security.test_authorisation_matrix import _kwarg_value
from tests.security.urlmap import ANY, OK, expectations, ninja_apis, walk

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

NASTY = [
    "\x00",
    "7\x00",
    "inf",
    "-Infinity",
    "nan",
    "1e309",
    "-1e309",
    "9" * 40,
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "9999-12-31T23:59:59+14:00",
    "a/b",
    "x" * 3000,
]
CHARSETS = ["bogus-charset", "rot13", "base64", "hex", "zlib", "idna", "punycode", "utf-16", "utf-7", "cp500"]
SCOPES = ("report", "track", "tip", "open311_post", "open311_get", "lookup", "survey", "beat", "subscribe",
          "watch_join")
UNLIMITED = ",".join(f"{name}=1000000" for name in SCOPES)  # a 429 would hide what the view does
ORIGIN = "http://testserver"
SKIPPED_ACTIONS = ("/admin/", "/i18n/", "/accounts/logout/")


@dataclass
class Target:
    role: str
    method: str
    path: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The forms of a page: method, action and each field with the value the page gives it."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._select: str | None = None
        self._first = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(((a.get("method") or "get").upper(), a.get("action") or "", {}))
        if not self.forms:
            return
        fields = self.forms[-1][2]
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a and name in fields:
                return
            if a.get("type") != "file":
                fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self._first = True
        elif tag == "option" and self._select:
            if self._first or "selected" in a:  # what the browser sends: the selected option, else the first
                fields[self._select] = a.get("value") or ""
            self._first = False
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][2][self._textarea] += data


def _clients(cast) -> dict[str, Client]:
    return {
        "anonymous": Client(raise_request_exception=False),
        "analyst": sign_in(Client(raise_request_exception=False), cast["analyst"]),
    }


def discover(world, clients) -> list[Target]:
    """Every form the site's pages show, every view's URL arguments, every API parameter."""
    value = _kwarg_value(world)
    targets: list[Target] = []
    seen_forms = set()
    for view in walk():
        if view.qualname.startswith("admin:") or view.regex:
            continue
        path = view.path(value)
        public = (expectations(view.key) or {}).get("anonymous") in (OK, ANY)
        if view.kwargs:  # each URL argument, to be replaced by a nasty value, by someone let in
            targets.append(Target("anonymous" if public else "analyst", "GET", view.route,
                                  {"@" + k: "" for k in view.kwargs}))
        for role, client in clients.items():
            response = client.get(path)
            if response.streaming:  # read a download (the GeoPackage export) to its end: the test
                b"".join(response.streaming_content)  # client then closes it, as a WSGI server does
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(response.content.decode("utf-8", "replace"))
            for method, action, fields in parser.forms:
                action = urlsplit(action).path or path
                # one form once, whoever it was shown to (a public form is shown to both)
                key = (method, re.sub(r"/[^/]*\d[^/]*/", "/#/", action), tuple(sorted(fields)))
                # (not the sign-out form: the analyst must stay signed in to reach the staff forms)
                if fields and key not in seen_forms and not action.startswith(SKIPPED_ACTIONS):
                    seen_forms.add(key)
                    targets.append(Target(role, method, action, fields))
    for api in ninja_apis():
        for path, item in api.get_openapi_schema()["paths"].items():
            for method, op in item.items():
                names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
                if method == "get" and names:
                    concrete = re.sub(r"\{\w+\}", "1", path)  # the schema's paths are absolute
                    targets += [Target(role, "GET", concrete, dict.fromkeys(names, "")) for role in clients]
    base = "/open311/v2"
    requests_query = dict.fromkeys(["service_code", "start_date", "end_date", "status", "service_request_id"], "")
    targets.append(Target("anonymous", "GET", f"{base}/requests.json", requests_query | {"extensions": "true"}))
    post = {"api_key": world["api_key"], "service_code": world["service"].service_code, "lat": "38.705",
            "long": "-121.295", "address_string": "1 Elm St", "description": "A tag", "email": "a@example.org",
            "first_name": "A", "last_name": "B", "phone": "555", "device_id": "d", "account_id": "a",
            "address_id": "", "media_url": ""}
    targets.append(Target("anonymous", "POST", f"{base}/requests.json", post))
    return targets


def send(client: Client, target: Target, name: str | None, value: str, charset: str | None = None):
    """``target`` with field ``name`` (or URL argument ``@name``) set to ``value``."""
    if name and name.startswith("@"):  # a URL argument: the others are "1"
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: quote(value, safe="/") if m[1] == name[1:] else "1", target.path)
        return client.get("/" + path)
    fields = dict(target.fields)
    if name:
        fields[name] = value
    if target.method == "GET":
        return client.get(target.path + "?" + urlencode(fields))
    body = urlencode(fields).encode("utf-8")
    if charset:
        client.cookies["csrftoken"] = "c" * 32
        body += b"&csrfmiddlewaretoken=" + b"c" * 32
    content_type = "application/x-www-form-urlencoded" + (f"; charset={charset}" if charset else "")
    return client.generic("POST", target.path, body, content_type=content_type, headers={"Origin": ORIGIN})


@pytest.fixture
def surface(world, cast, settings):
    settings.COPPS_RATE_LIMITS = UNLIMITED
    clients = _clients(cast)
    return clients, discover(world, clients)


def test_the_fuzz_reaches_every_kind_of_input(surface):
    clients, targets = surface
    forms = [t for t in targets if t.method == "POST" or not any(k.startswith("@") for k in t.fields)]
    paths = {t.path for t in targets}
    # the public report, tip, track and nearby forms, a staff filter, the API and the URL arguments
    for expected in ("/community/report/details/", "/community/tip/", "/community/track/", "/events/",
                     "/open311/v2/requests.json"):
        assert expected in paths, expected
    assert len(forms) >= 30 and sum(1 for t in targets if any(k.startswith("@") for k in t.fields)) >= 20
    assert {t.role for t in targets} == {"anonymous", "analyst"}


def test_no_nasty_value_in_any_field_is_a_server_error(surface):
    clients, targets = surface
    errors = []
    for target in targets:
        client = clients[target.role]
        for name in target.fields:
            for value in NASTY:
                response = send(client, target, name, value)
                if response.status_code >= 500:
                    where = f"{target.role} {target.method} {target.path}"
                    errors.append(f"{response.status_code} {where} {name}={value[:20]!r}")
    assert errors == [], "\n".join(errors)
    assert clients["analyst"].get("/events/").status_code == 200  # still signed in: the staff forms were reached


def test_no_form_in_an_unreadable_charset_is_a_server_error(surface):
    clients, targets = surface
    posts = [t for t in targets if t.method == "POST"]
    errors = []
    for target in posts:
        for charset in CHARSETS:
            response = send(clients[target.role], target, None, "", charset=charset)
            if response.status_code >= 500:
                errors.append(f"{response.status_code} {target.role} POST {target.path} charset={charset}")
            elif charset in ("bogus-charset", "rot13", "idna"):
                assert response.status_code == 400, (target.path, charset, response.status_code)
    assert errors == []


nul_text = st.tuples(st.text(max_size=12), st.text(max_size=12)).map(lambda p: p[0] + "\x00" + p[1])
numbers = st.one_of(
    st.sampled_from(["inf", "-inf", "nan", "Infinity", "1e309", "-1e309", "1e-400"]),
    st.integers(min_value=10**15, max_value=10**60).map(str),
    st.integers(max_value=-(10**15), min_value=-(10**60)).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
far_dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(1799, 12, 31)).map(date.isoformat),
    st.dates(min_value=date(3000, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.datetimes(min_value=datetime(9000, 1, 1)).map(lambda d: d.isoformat() + "+14:00"),
    st.integers(min_value=10000, max_value=999999).map(lambda y: f"{y}-01-01"),
)
BAD_VALUES = st.one_of(nul_text, numbers, far_dates, st.sampled_from(NASTY))


def test_generated_bad_input_is_never_a_server_error(surface):
    clients, targets = surface
    fields = [(t, name) for t in targets for name in t.fields]

    @hsettings(max_examples=120, deadline=None, database=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(pick=st.sampled_from(fields), value=BAD_VALUES, charset=st.one_of(st.none(), st.sampled_from(CHARSETS)))
    def probe(pick, value, charset):
        target, name = pick
        response = send(clients[target.role], target, name, value, charset if target.method == "POST" else None)
        assert response.status_code < 500, (target.role, target.method, target.path, name, value, charset)

    probe()
