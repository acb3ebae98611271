"""docs/privacy.md documents every publication rule and every public URL."""

from __future__ import annotations

import re
from pathlib import Path

from tests.publish.test_canary import public_urls

from copps.publish.conf import rule_variables

DOC = (Path(__file__).resolve().parents[2] / "docs" / "privacy.md").read_text()


def test_every_rule_setting_is_documented_with_its_default():
    for var in rule_variables():
        assert f"`{var.name}`" in DOC, f"{var.name} missing from docs/privacy.md"
        assert f"`{var.name}` | {var.default}" in DOC.replace("| `district`", "| district"), f"default of {var.name}"


def test_every_public_url_is_documented():
    urls = {re.sub(r"/basemap/\d+\.geojson$", "/basemap/<zoom>.geojson", u) for u in public_urls(pks=(0,))}
    for url in sorted(u.replace("/0/", "/<id>/") for u in urls):
        if url == "/public/api/":  # ninja's root: nothing there
            continue
        assert f"`{url}`" in DOC, f"{url} missing from docs/privacy.md"
