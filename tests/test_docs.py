"""Registries are documented: every built-in profile, profile key and setting appears in docs/."""

from __future__ import annotations

from pathlib import Path

from copps.config import VARIABLES
from copps.incidents.importing.profile import FIELDS, builtin_profiles, load_profile

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_builtin_profile_is_documented_and_loads():
    text = (DOCS / "import-profiles.md").read_text()
    readme = (DOCS.parent / "README.md").read_text()
    for name in builtin_profiles():
        assert f"`{name}`" in text, f"profile {name} missing from docs/import-profiles.md"
        assert f"`{name}`" in readme, f"profile {name} missing from README.md"
        load_profile(name)


def test_every_profile_field_is_documented():
    text = (DOCS / "import-profiles.md").read_text()
    for field in FIELDS:
        assert f"`{field}`" in text, f"[columns] {field} missing from docs/import-profiles.md"


def test_every_setting_is_documented():
    text = (DOCS / "configuration.md").read_text()
    for name in VARIABLES:
        assert f"`{name}`" in text, f"{name} missing from docs/configuration.md"
