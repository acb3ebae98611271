"""The anonymous browser token: one survey answer per browser, without knowing who answers.

A browser gets a random 128-bit token in a cookie the first time it answers; copps stores only
an HMAC of it (keyed by the secret key), so the database cannot be joined back to a cookie
without the key, and the token says nothing about the person. Clearing cookies allows a second
answer: the rate limit, not the token, is what stops bulk answering.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

__all__ = ["COOKIE", "browser_token", "browser_key", "remember"]

COOKIE = "copps_survey"
MAX_AGE = 365 * 86400


def browser_token(request: HttpRequest) -> tuple[str, bool]:
    """(token, is_new): the cookie's token, or a fresh one to set on the response."""
    token = request.COOKIES.get(COOKIE, "")
    if len(token) == 32 and all(c in "0123456789abcdef" for c in token):
        return token, False
    return secrets.token_hex(16), True


def browser_key(token: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"survey:{token}".encode(), hashlib.sha256).hexdigest()


def remember(response: HttpResponse, token: str) -> None:
    response.set_cookie(
        COOKIE, token, max_age=MAX_AGE, httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
    )
