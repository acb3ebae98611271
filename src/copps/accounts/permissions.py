"""Who may see what. One place for role checks used by views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseForbidden

from copps.accounts import audit, mfa
from copps.accounts.models import Role

__all__ = ["staff_required", "auditor_required"]


def _signed_in_fully(request: HttpRequest) -> bool:
    """Signed in, and with both factors when the account needs them. The session middleware
    already ends one-factor sessions; checking again here keeps a view safe even if the
    middleware were left out of the settings."""
    user = request.user
    if not user.is_authenticated:
        return False
    return not user.requires_mfa or mfa.is_mfa_verified(request.session)


def staff_required(view):
    """Department staff only: anonymous users go to the login page, others get a bare 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not _signed_in_fully(request):
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "is_department_staff", False):
            return HttpResponseForbidden("Forbidden")
        return view(request, *args, **kwargs)

    return wrapper


def auditor_required(view):
    """The auditor role only. A refusal is audited too: someone tried to read the audit log."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not _signed_in_fully(request):
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.role == Role.AUDITOR):
            audit.record("audit.read", request=request, object_type="auditlog", outcome="denied")
            return HttpResponseForbidden("Forbidden")
        return view(request, *args, **kwargs)

    return wrapper
