"""The publication rules' settings, read from Django settings at call time with safe defaults.

Each rule is declared once in ``RULES`` (setting, default, help) so docs/privacy.md can
list them and a test can check that none is undocumented.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from copps.config import setting_int

__all__ = ["Rule", "RULES", "PublishRules", "rules"]


@dataclass(frozen=True)
class Rule:
    setting: str
    default: object
    help: str


RULES: dict[str, Rule] = {
    r.setting: r
    for r in [
        Rule(
            "COPPS_PUBLISH_SNAP_MIN_ADDRESSES",
            8,
            "N: every published point stands for at least this many address points (police.uk: 8).",
        ),
        Rule(
            "COPPS_PUBLISH_MIN_OFFSET_M",
            10.0,
            "No published point lies closer than this (metres) to an address point or to the true "
            "location of an event it stands for.",
        ),
        Rule("COPPS_PUBLISH_K", 10, "k: published counts from 1 to k-1 are suppressed."),
        Rule(
            "COPPS_PUBLISH_DELAY_DAYS",
            7,
            "An event is published only when it occurred and was reported at least this many "
            "days before today; a month's counts only when the whole month is that old.",
        ),
        Rule(
            "COPPS_PUBLISH_SENSITIVE",
            "district",
            "`district`: sensitive events appear only in monthly district counts; `none`: not at all.",
        ),
    ]
}


@dataclass(frozen=True)
class PublishRules:
    snap_min_addresses: int
    min_offset_m: float
    k: int
    delay_days: int
    sensitive: str  # "district" or "none"


def _int(name: str, low: int) -> int:
    return setting_int(name, RULES[name].default, low)


def rules() -> PublishRules:
    """The rules in force (validated; a bad value fails loudly rather than publishing more)."""
    offset = getattr(settings, "COPPS_PUBLISH_MIN_OFFSET_M", RULES["COPPS_PUBLISH_MIN_OFFSET_M"].default)
    try:
        offset = float(offset)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"COPPS_PUBLISH_MIN_OFFSET_M={offset!r}: expected metres") from None
    if not offset >= 0:
        raise ImproperlyConfigured("COPPS_PUBLISH_MIN_OFFSET_M must be 0 or more")
    sensitive = str(getattr(settings, "COPPS_PUBLISH_SENSITIVE", RULES["COPPS_PUBLISH_SENSITIVE"].default))
    if sensitive not in {"district", "none"}:
        raise ImproperlyConfigured(f"COPPS_PUBLISH_SENSITIVE={sensitive!r}: expected district or none")
    return PublishRules(
        snap_min_addresses=_int("COPPS_PUBLISH_SNAP_MIN_ADDRESSES", 2),
        min_offset_m=offset,
        k=_int("COPPS_PUBLISH_K", 2),
        delay_days=_int("COPPS_PUBLISH_DELAY_DAYS", 0),
        sensitive=sensitive,
    )
