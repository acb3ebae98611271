"""The publication rules in force, read from Django settings at call time.

The rules' settings are declared once, with the rest of copps's settings, in
``copps.config.VARIABLES`` (name, default, help): ``RULE_SETTINGS`` names which of them are the
publication rules, so docs/privacy.md and the public "about" page can list them and a test can
check that none is undocumented.
"""

from __future__ import annotations

from dataclasses import dataclass

from copps.config import VARIABLES, Variable, setting_choice, setting_float, setting_int

__all__ = ["RULE_SETTINGS", "PublishRules", "rule_variables", "rules"]

RULE_SETTINGS = (
    "COPPS_PUBLISH_SNAP_MIN_ADDRESSES",
    "COPPS_PUBLISH_MIN_OFFSET_M",
    "COPPS_PUBLISH_K",
    "COPPS_PUBLISH_DELAY_DAYS",
    "COPPS_PUBLISH_SENSITIVE",
)


@dataclass(frozen=True)
class PublishRules:
    snap_min_addresses: int
    min_offset_m: float
    k: int
    delay_days: int
    sensitive: str  # "district" or "none"


def rule_variables() -> list[Variable]:
    """The publication rules' declarations (name, default, help), in ``RULE_SETTINGS`` order."""
    return [VARIABLES[name] for name in RULE_SETTINGS]


def rules() -> PublishRules:
    """The rules in force (validated; a bad value fails loudly rather than publishing more)."""
    return PublishRules(
        snap_min_addresses=setting_int("COPPS_PUBLISH_SNAP_MIN_ADDRESSES", low=2),
        min_offset_m=setting_float("COPPS_PUBLISH_MIN_OFFSET_M", low=0),
        k=setting_int("COPPS_PUBLISH_K", low=2),
        delay_days=setting_int("COPPS_PUBLISH_DELAY_DAYS", low=0),
        sensitive=setting_choice("COPPS_PUBLISH_SENSITIVE", ("district", "none")),
    )
