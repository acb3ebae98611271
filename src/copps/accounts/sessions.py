"""Session lifetime: a signed-in session ends after 30 minutes without a request or 12 hours
after sign-in, whichever comes first; signing out or disabling an account ends every session
of that user (sessions live in the database, and ``UserSession`` says whose they are)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from copps.accounts.models import User, UserSession

__all__ = [
    "IDLE_TIMEOUT", "ABSOLUTE_TIMEOUT", "start", "expired", "touch", "end_all_sessions",
]

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_EVERY = 60  # seconds: note activity at most once a minute, not a write per request

AUTH_AT = "copps_auth_at"
SEEN_AT = "copps_seen_at"


def start(session: SessionBase, user: User) -> None:
    """Stamp a freshly signed-in session and remember that it is ``user``'s."""
    now = int(time.time())
    session[AUTH_AT] = now
    session[SEEN_AT] = now
    if session.session_key is None:
        session.save()
    # Forget the user's sessions that have expired or were deleted since (the table stays small).
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()
    UserSession.objects.get_or_create(session_key=session.session_key, defaults={"user": user})


def expired(session: SessionBase, now: float | None = None) -> str:
    """``"idle"`` or ``"absolute"`` when the signed-in session is over, else ``""``. A session
    without the stamps (signed in some other way) counts as over: fail closed."""
    now = time.time() if now is None else now
    auth_at, seen_at = session.get(AUTH_AT), session.get(SEEN_AT)
    if auth_at is None or seen_at is None:
        return "absolute"
    if now - auth_at >= ABSOLUTE_TIMEOUT.total_seconds():
        return "absolute"
    if now - seen_at >= IDLE_TIMEOUT.total_seconds():
        return "idle"
    return ""


def touch(session: SessionBase, now: float | None = None) -> None:
    now = int(time.time() if now is None else now)
    if now - session.get(SEEN_AT, 0) >= TOUCH_EVERY:
        session[SEEN_AT] = now


def end_all_sessions(user: User) -> int:
    """Delete every database session of ``user``; returns how many there were."""
    with transaction.atomic():
        keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(user=user).delete()
    return len(keys)
