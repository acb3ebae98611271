"""The authorisation matrix: every view of the URLconf and every operation of every OpenAPI schema,
requested by every role (anonymous, resident, auditor, an officer of another beat, the officer
assigned, analyst, supervisor, administrator, a disabled account) against someone else's records.

Expectations are data (``tests/security/urlmap.py``). A refusal is never a 2xx, and its body
shows nothing of the record (no title, address, coordinates or names); no public answer shows
a victim's address or point or a reporter's name or contacts; no answer is a 5xx.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from tests.conftest import sign_in
from tests.security.conftest import PRIVATE, SECRETS
from tests.security.urlmap import ANY, DENIED, FORBIDDEN, LOGIN, OK, ROLES, View, expectations, schema_operations, walk

MISSING = "999999"  # a kwarg no fixture object stands for: the view may answer 404 to everyone


def test_every_view_has_an_expectation():
    unmatched = [v.key for v in walk() if expectations(v.key) is None]
    assert unmatched == [], "views without a rule in tests/security/urlmap.py RULES: " + ", ".join(unmatched)


def test_every_openapi_operation_is_a_view_with_an_expectation():
    ops = schema_operations()
    assert {title for title, _, _ in ops} >= {"copps API", "copps public API"}
    problems = []
    for title, method, path in ops:
        concrete = re.sub(r"\{\w+\}", "1", path)
        try:
            match = resolve(concrete)
        except Resolver404:
            problems.append(f"{title} {method} {path}: not in the URLconf")
            continue
        if expectations(f"{match.view_name} /{match.route}") is None:
            problems.append(f"{title} {method} {path} ({match.view_name}): no rule")
    assert problems == []


def _kwarg_value(world):
    """The value for a URL kwarg: the pk (or public id) of a fixture record someone else owns."""
    by_name = {
        "fmt": "json",
        "code": world["service"].service_code,
        "entry_id": world["triangle"].pk,
        "hypothesis_id": world["hypothesis"].pk,
        "task_id": world["task"].pk,
        "change_id": world["change"].pk,
        "assessment_id": world["assessment"].pk,
        "problem_id": world["problem"].pk,
        "event_id": world["event"].pk,
        "request_id": world["request"].pk,
        "app_label": "accounts",
        "id": world["users"]["officer"].pk,
        "url": "nothing-here/",
        "path": "nothing-here",
        "content_type_id": "1",
    }
    # (view pattern, kwarg, value): the record of that kind someone else owns
    by_view = [
        (r"^problems:(candidate|promote|dismiss) ", "pk", world["candidate"].pk),
        (r"^problems:partner_edit ", "pk", world["partner"].pk),
        (r"^problems:prevention_window ", "pk", world["prevention_window"].pk),
        (r"^problems:prevention_task_done ", "pk", world["prevention_task"].pk),
        (r"^reports:cocoon-pdf ", "pk", world["prevention_window"].pk),
        (r"^problems:", "pk", world["problem"].pk),
        (r"^incidents:", "pk", world["event"].pk),
        (r"^reports:", "pk", world["problem"].pk),
        (r"^publish:problem", "pk", world["problem"].pk),
        (r"^engagement:staff_group ", "pk", world["group"].pk),
        (r"^community:staff-tip ", "public_id", world["tip"].public_id),
        (r"^(community|open311):", "public_id", world["request"].public_id),
        (r"^open311:", "token", world["token"].token),
    ]

    def value(view: View, kwarg: str, converter: str) -> str:
        if view.qualname.startswith("admin:") and kwarg == "object_id":
            m = re.search(r"admin/(\w+)/(\w+)/", view.route)
            obj = apps.get_model(m[1], m[2]).objects.order_by("pk").first() if m else None
            return str(obj.pk) if obj else MISSING
        for pattern, name, found in by_view:
            if name == kwarg and re.search(pattern, view.key):
                return str(found)
        if kwarg in by_name:
            return str(by_name[kwarg])
        view.fallback = True
        return MISSING if converter in ("int", "str", "path") else "x"

    return value


def _is_login_redirect(response) -> bool:
    if response.status_code not in (301, 302, 303, 307):
        return False
    location = response.get("Location", "")
    return location.startswith((reverse(settings.LOGIN_URL), "/admin/login/"))


def judge(expected: str, response, fallback: bool) -> str:
    """Why ``response`` breaks ``expected``, or ''."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    body = response.content if not getattr(response, "streaming", False) else b"".join(response.streaming_content)
    if expected in (OK, ANY):
        leaked = [s for s in PRIVATE if s.encode() in body]
        if leaked and not getattr(response, "_copps_staff_view", False):
            return f"shows private {leaked}"
        if expected == ANY:
            return ""
        refused = status in (401, 403) or _is_login_redirect(response)
        if refused or (status == 404 and not fallback):
            return f"refused an allowed role ({status} {response.get('Location', '')})"
        return ""
    if 200 <= status < 300:
        return f"unexpected {status}: the role should be refused"
    leaked = [s for s in SECRETS if s.encode() in body]
    if leaked:
        return f"refusal {status} shows {leaked}"
    allowed = {LOGIN: {401, 405}, FORBIDDEN: {403, 405}, DENIED: {401, 403, 404, 405}}[expected]
    if status in allowed or (expected in (LOGIN, DENIED) and _is_login_redirect(response)):
        return ""
    if expected == FORBIDDEN and status == 404 and fallback:
        return ""
    return f"expected {expected}, got {status} {response.get('Location', '')}"


def _requests(views):
    """(view, method) pairs: every URL pattern by GET and POST, and every OpenAPI operation by its
    own method."""
    pairs = [(v, m) for v in views for m in ("GET", "POST")]
    for _, method, path in schema_operations():
        match = resolve(re.sub(r"\{\w+\}", "1", path))
        for v in views:
            if v.qualname == match.view_name and method not in ("GET", "POST"):
                pairs.append((v, method))
    return pairs


@pytest.mark.parametrize("role", ROLES)
def test_matrix(role, world):
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        sign_in(client, world["users"][role])
    value = _kwarg_value(world)
    staff_role = role in ("officer_other", "officer", "analyst", "supervisor", "admin")
    failures, checked = [], 0
    views = walk()
    for view, method in _requests(views):
        expected = (expectations(view.key) or {}).get(role)
        if expected is None:
            continue  # test_every_view_has_an_expectation names it
        if method != "GET" and expected in (OK, ANY):
            continue  # an allowed write is the view's own test's business; the matrix checks refusals
        view.fallback = False
        path = view.path(value)
        response = getattr(client, method.lower())(path)
        # a staff member's allowed page may show the records' private details
        response._copps_staff_view = staff_role
        checked += 1
        problem = judge(expected, response, view.fallback)
        if problem:
            failures.append(f"{role} {method} {path} [{view.qualname}]: {problem}")
        if role != "anonymous" and "_auth_user_id" not in client.session and role != "disabled":
            sign_in(client, world["users"][role])  # a view ended the session (logout): sign in again
    assert checked > 100
    assert failures == [], "\n".join(failures)
