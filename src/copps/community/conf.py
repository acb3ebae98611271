"""The community front door's settings, read from Django settings at call time with safe defaults."""

from __future__ import annotations

from copps.config import setting_int

__all__ = ["reopen_days", "photo_max_bytes", "photo_max_pixels", "RATE_LIMITS"]

# Built-in rate limits (requests per minute); COPPS_RATE_LIMITS overrides any of them.
RATE_LIMITS = {
    "report": 10,  # per client address: a resident files a few concerns, not dozens
    "track": 60,  # per client address: guessing ids is hopeless at 80 bits, and slow at this rate
    "tip": 30,  # new tips, for all tipsters together: the tip route knows nothing about who calls
    "tip_read": 60,  # tip reads and answers whose id and passphrase matched, for all tipsters together
    "tip_guess": 30,  # tip reads and answers whose id and passphrase did not match, for all callers together
    "open311_post": 60,  # per client address
    "open311_get": 600,  # per client address: ten reads a second is plenty for a client app or a poller
    "lookup": 60,  # per client address: the report page's "is it one of these?" look-ups
}


def reopen_days() -> int:
    return setting_int("COPPS_COMMUNITY_REOPEN_DAYS", low=0)


def photo_max_bytes() -> int:
    return setting_int("COPPS_COMMUNITY_PHOTO_MAX_MB", low=1) * 1024 * 1024


def photo_max_pixels() -> int:
    return setting_int("COPPS_COMMUNITY_PHOTO_MAX_PIXELS", low=1)
