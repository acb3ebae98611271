"""The engagement settings, validated when read (docs/engagement.md, docs/configuration.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from copps.config import setting_choice, setting_int

__all__ = ["survey_min_n", "survey_codes_required", "site_url"]


def survey_min_n() -> int:
    """``COPPS_SURVEY_MIN_N``: fewest answers for which an area's survey result is shown (≥ 1)."""
    return setting_int("COPPS_SURVEY_MIN_N", low=1)


def survey_codes_required() -> bool:
    """``COPPS_SURVEY_CODES``: ``required`` counts a survey answer only with an invitation code
    (``invitations.py``); ``off`` lets any browser answer once."""
    return setting_choice("COPPS_SURVEY_CODES", ("off", "required")) == "required"


def site_url() -> str:
    """``COPPS_SITE_URL`` without a trailing slash: the base of links in mail."""
    url = str(getattr(settings, "COPPS_SITE_URL", "")).strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"COPPS_SITE_URL={url!r}: expected an http:// or https:// address")
    return url
