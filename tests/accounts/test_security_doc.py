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
    rows = [
        line
        for line in DOC.splitlines()
        if line.startswith("| ") and not line.startswith(("| area", "| requirement", "| task", "|---"))
    ]
    control_rows = [r for r in rows if re.match(r"\| (\d+\.\d|[A-Z][\w &]+ · |[A-Z]{2}-\d)", r)]
    assert len(control_rows) > 30
    for row in control_rows:
        assert "`test_" in row or "tests/" in row or "not met" in row, row


# The checks of issue 7 that live in tests/security: each file exists, defines the tests the doc
# names, and the doc describes it.
SECURITY_TESTS = {
    "test_authorisation_matrix.py": {
        "test_matrix",
        "test_every_view_has_an_expectation",
        "test_every_openapi_operation_is_a_view_with_an_expectation",
    },
    "test_schemathesis.py": {
        "test_every_api_operation_survives_fuzzing",
        "test_stateful_where_the_schema_links_operations",
    },
    "test_durability_kill.py": {"test_acknowledged_submissions_survive_sigkill_exactly_once"},
    "test_load.py": {"test_bounded_load_run"},
    "test_no_secrets_in_logs.py": {"test_no_secret_in_logs_or_error_pages", "test_error_pages_are_generic"},
    "test_dependency_audit.py": {
        "test_every_dependency_is_pinned_and_checked",
        "test_an_unreachable_source_fails_instead_of_passing",
    },
}


def test_the_security_checks_exist_and_are_documented():
    for name, tests in SECURITY_TESTS.items():
        path = ROOT / "tests" / "security" / name
        assert path.exists(), path
        assert tests <= defined_tests(path), name
        for test in tests:
            assert f"`tests/security/{name}::{test}`" in DOC, f"{name}::{test} is not in docs/security.md"
    assert "make check-security" in DOC and "bench/load_public.py" in DOC
