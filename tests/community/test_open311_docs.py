"""docs/open311.md covers every Open311 route, filter, state and error status."""

from __future__ import annotations

from pathlib import Path

from copps.community import open311_urls
from copps.community.states import State

DOC = (Path(__file__).resolve().parents[2] / "docs" / "open311.md").read_text(encoding="utf-8")


def test_every_route_is_documented():
    for pattern in open311_urls.urlpatterns:
        if pattern.name == "unknown":
            continue
        prefix = str(pattern.pattern).split("<")[0]
        assert f"`{prefix}" in DOC, f"route {pattern.pattern} missing from docs/open311.md"


def test_every_filter_state_and_error_status_is_documented():
    for name in ("service_request_id", "service_code", "start_date", "end_date", "status", "page", "page_size",
                 "extensions", "Idempotency-Key", "api_key", "jurisdiction_id"):
        assert f"`{name}`" in DOC, name
    for state in State.values:
        assert f"`{state}`" in DOC, state
    for status in (400, 403, 404, 405, 422):
        assert f"| {status} |" in DOC, status
