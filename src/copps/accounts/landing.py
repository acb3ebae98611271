"""Where each role starts: the page a person lands on after signing in, from the front door, and
the way back offered by a refusal (403).

The pages belong to later rooms (an officer's "My work" is the problems room's), so accounts
names them only as URL names, in the ``COPPS_LANDING_PAGES`` setting the project's settings
module fills; ``LOGIN_REDIRECT_URL`` is the landing of any role the setting does not name."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import resolve_url

__all__ = ["landing_url"]


def landing_url(user) -> str:
    """The address of ``user``'s starting page (the front door for anyone not signed in)."""
    if not getattr(user, "is_authenticated", False):
        return resolve_url("home")
    role = getattr(user, "role", "")
    return resolve_url(getattr(settings, "COPPS_LANDING_PAGES", {}).get(role, settings.LOGIN_REDIRECT_URL))
