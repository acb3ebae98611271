"""docs/community.md covers every front-door page, rate-limit scope and setting."""

from __future__ import annotations

from pathlib import Path

from copps.community import urls
from copps.community.conf import RATE_LIMITS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "community.md").read_text(encoding="utf-8")


def test_every_page_is_documented():
    for pattern in urls.urlpatterns:
        prefix = "/community/" + str(pattern.pattern).split("<")[0]
        assert f"`{prefix}" in DOC, f"{pattern.pattern} missing from docs/community.md"


def test_every_rate_limit_scope_and_setting_is_documented():
    for scope, per_minute in RATE_LIMITS.items():
        assert f"| `{scope}` | {per_minute} |" in DOC, scope
    for name in (
        "COPPS_COMMUNITY_REOPEN_DAYS",
        "COPPS_COMMUNITY_PHOTO_MAX_MB",
        "COPPS_COMMUNITY_PHOTO_MAX_PIXELS",
        "COPPS_RATE_LIMITS",
    ):
        assert f"`{name}`" in DOC, name
