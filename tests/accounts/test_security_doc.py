"""docs/security.md maps each control to tests: every test it names exists, and every control
row names at least one test (or says plainly that it is not met)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "security.md").read_text()


def defined_tests(path: Path) -> set[str]:
    return set(re.findall(r"^def (test_\w+)", path.read_text(), re.M))


def test_every_test_named_in_security_md_exists():
    ours = set().union(*(defined_tests(p) for p in (ROOT / "tests" / "accounts").glob("test_*.py")))
    missing = []
    for path, name in re.findall(r"`(?:(tests/[\w/]+\.py)::)?(test_\w+)`", DOC):
        found = defined_tests(ROOT / path) if path else ours
        if name not in found:
            missing.append(f"{path}::{name}" if path else name)
    assert missing == []


def test_every_control_row_names_a_test():
    rows = [line for line in DOC.splitlines()
            if line.startswith("| ") and not line.startswith(("| area", "| requirement", "| task", "|---"))]
    control_rows = [r for r in rows if re.match(r"\| (\d+\.\d|[A-Z][\w &]+ · |[A-Z]{2}-\d)", r)]
    assert len(control_rows) > 30
    for row in control_rows:
        assert "`test_" in row or "tests/" in row or "not met" in row, row
