"""Who may see what. One place for role checks used by views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseForbidden

__all__ = ["staff_required"]


def staff_required(view):
    """Department staff only: anonymous users go to the login page, others get a bare 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "is_department_staff", False):
            return HttpResponseForbidden("Forbidden")
        return view(request, *args, **kwargs)

    return wrapper
