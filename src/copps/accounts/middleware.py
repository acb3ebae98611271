"""Two middlewares: session security (timeouts, the second-factor rule, the audit context) and
security headers (CSP, no-store on signed-in pages)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

from copps.accounts import audit, mfa, sessions

__all__ = ["SessionSecurityMiddleware", "SecurityHeadersMiddleware", "content_security_policy"]

# Sign-in, enrolment (secrets, recovery codes) and admin pages are never cached, signed in or not.
NO_STORE_PREFIXES = ("/accounts/", "/admin/")


class SessionSecurityMiddleware:
    """After ``AuthenticationMiddleware``: ends a signed-in session that has been idle for 30
    minutes, is 12 hours old, belongs to a locked account, or belongs to a user who needs two
    factors but whose session has not passed the second one (however it was signed in). The
    request continues as anonymous, so protected pages send it to sign in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit._current_request.set(request)
        try:
            self._check(request)
            return self.get_response(request)
        finally:
            audit._current_request.reset(token)

    @staticmethod
    def _check(request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        reason = sessions.expired(request.session)
        if not reason and user.requires_mfa and not mfa.is_mfa_verified(request.session):
            reason = "second factor missing"
        if not reason and user.locked_at:
            reason = "account locked"  # locking ends the sessions too; this covers any left over
        if reason:
            audit.record("session.end", request=request, user=user, object_type="user",
                         object_id=user.pk, params={"reason": reason})
            request.session.flush()
            request.user = AnonymousUser()
            return
        sessions.touch(request.session)


def content_security_policy(tile_url: str) -> str:
    img = ["'self'", "data:"]
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        host = parts.netloc.replace("a.", "*.", 1) if "{s}" in tile_url else parts.netloc
        img.append(f"{parts.scheme}://{host}")
    return "; ".join([
        "default-src 'self'",
        f"img-src {' '.join(img)}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class SecurityHeadersMiddleware:
    """Adds a Content-Security-Policy without inline script and ``Cache-Control: no-store`` on
    every page served to a signed-in user (police data must not sit in browser or proxy
    caches). Django's SecurityMiddleware adds nosniff, Referrer-Policy and HSTS."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = content_security_policy(settings.COPPS_TILE_URL)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith(NO_STORE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response
