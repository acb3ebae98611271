"""Browser-test helpers (the `browser` and `page` fixtures live in tests/conftest.py so every
room's browser tests share one Playwright session).

Chromium comes from Debian (`make test` installs it); the tests never download a browser.
Screenshots go to tests/artifacts/ (git-ignored) so a person can look at each step.
"""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
