"""Who may see what. One place for role checks used by views.

Every refusal of a signed-in user is audited (outcome ``denied``) with the page and the record
it was for. The refusal is a page of its own (``403.html``): what was tried (the method and the
address typed), why it is refused, which roles may, and a link back to the person's starting
page — never anything of the record. Anonymous users are sent to the sign-in page without a
row: the sign-in that follows (or fails) is audited instead."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from copps.accounts import audit, mfa
from copps.accounts.landing import landing_url
from copps.accounts.models import AuditLog, Role

__all__ = [
    "signed_in_fully", "staff_required", "auditor_required", "deny", "deny_path", "forbidden_page", "record_denial",
    "refused_path", "chain_reader_required", "STAFF_WHO", "AUDITOR_WHO", "CHAIN_WHO",
]

# Who may open what: the words a refusal shows under "Who can".
STAFF_WHO = "department staff: officers, crime analysts, supervisors and administrators"
AUDITOR_WHO = "auditors"
CHAIN_WHO = "auditors and administrators"


def signed_in_fully(request: HttpRequest) -> bool:
    """Signed in, and with both factors when the account needs them. The session middleware
    already ends one-factor sessions; checking again here keeps a view safe even if the
    middleware were left out of the settings."""
    user = request.user
    if not user.is_authenticated:
        return False
    return not user.requires_mfa or mfa.is_mfa_verified(request.session)


def record_denial(
    request: HttpRequest, action: str, object_type: str = "", object_id: object = "", params: dict | None = None
) -> None:
    """Record a refusal. If the row cannot be written the exception propagates (a generic 500):
    a refusal is never silent."""
    audit.record(
        action,
        request=request,
        object_type=object_type,
        object_id=object_id,
        outcome=AuditLog.Outcome.DENIED,
        params=params,
    )


def forbidden_page(request: HttpRequest, *, who: str = STAFF_WHO, why: str = "") -> HttpResponse:
    """The 403 page: what was tried, why not, who may, and the way back to the person's start.
    It names the address the person typed and their own role, nothing of the record."""
    user = request.user
    role = user.get_role_display() if getattr(user, "is_authenticated", False) else ""
    if not why:
        why = f"Your role ({role.lower()}) does not open it." if role else "You are not signed in."
    if getattr(user, "is_authenticated", False) and not user.is_active:
        why = "Your account is disabled."
    context = {
        "tried": "send a form to" if request.method not in ("GET", "HEAD") else "open",
        "path": request.path,
        "why": why,
        "who": who,
        "landing": landing_url(user),
    }
    return HttpResponse(render_to_string("403.html", context, request=request), status=403)


def deny(
    request: HttpRequest,
    action: str,
    object_type: str = "",
    object_id: object = "",
    params: dict | None = None,
    *,
    who: str = STAFF_WHO,
    why: str = "",
) -> HttpResponse:
    """Refuse, and record the refusal. ``who``: the roles (or people) who may; ``why``: the rule
    that refused, in words. The page says nothing about the record."""
    record_denial(request, action, object_type, object_id, params)
    return forbidden_page(request, who=who, why=why)


def refused_path(request: HttpRequest) -> dict:
    """What a refused request asked for, as audit fields: the path (the record's id is in it),
    the method, the view's name and its URL arguments."""
    match = request.resolver_match
    params: dict = {"method": request.method, "path": request.path}
    if match is not None:
        params |= {"view": match.view_name, "kwargs": {k: str(v) for k, v in match.kwargs.items()}}
    return {"object_type": "path", "object_id": request.path[:64], "params": params}


def deny_path(request: HttpRequest, action: str = "staff.access", *, who: str = STAFF_WHO) -> HttpResponse:
    """Refuse a page to a signed-in user without the role, recording which page it was."""
    return deny(request, action, **refused_path(request), who=who)


def staff_required(view):
    """Department staff only: anonymous users go to the login page, others get the 403 page (audited)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not signed_in_fully(request):
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "is_department_staff", False):
            return deny_path(request)
        return view(request, *args, **kwargs)

    return wrapper


def auditor_required(view):
    """The auditor role only. A refusal is audited too: someone tried to read the audit log."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not signed_in_fully(request):
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.role == Role.AUDITOR):
            return deny(request, "audit.read", object_type="auditlog", who=AUDITOR_WHO)
        return view(request, *args, **kwargs)

    return wrapper


def chain_reader_required(view):
    """Auditors and administrators: the two roles that answer for the audit log's integrity (the
    chain page shows hashes and row numbers, nothing of any row). A refusal is audited."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not signed_in_fully(request):
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.role in (Role.AUDITOR, Role.ADMIN)):
            return deny(request, "audit.verify", object_type="auditlog", who=CHAIN_WHO)
        return view(request, *args, **kwargs)

    return wrapper
