"""`make check-security`'s dependency audit (tests/security/audit_pins.py): every dependency is
pinned and handed to pip-audit, and a vulnerability source that cannot be reached fails the
check with a plain message instead of passing."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

from tests.security import audit_pins


def test_every_dependency_is_pinned_and_checked():
    project = tomllib.loads(audit_pins.PYPROJECT.read_text())["project"]
    declared = {d.split("==")[0].split("[")[0].lower() for d in project["dependencies"]}
    for group in project["optional-dependencies"].values():
        declared |= {d.split("==")[0].split("[")[0].lower() for d in group}
    pinned = audit_pins.pins()
    assert {p.split("==")[0].split("[")[0].lower() for p in pinned} == declared
    assert all("==" in p for p in pinned) and {"django", "pip-audit", "schemathesis", "mutmut"} <= declared


def fake_audit(monkeypatch, returncode: int, stdout: str, stderr: str) -> list[list[str]]:
    calls = []

    def run(args, **kwargs):
        calls.append(args)
        calls.append(Path(args[args.index("--requirement") + 1]).read_text().split())
        return subprocess.CompletedProcess(args, returncode, stdout, stderr)

    monkeypatch.setattr(audit_pins.subprocess, "run", run)
    return calls


def test_an_unreachable_source_fails_instead_of_passing(monkeypatch, capsys):
    calls = fake_audit(
        monkeypatch,
        1,
        "",
        "ERROR:pip_audit._cli:Django: Dependency not found on PyPI and could not be audited: django (5.2.19)\n",
    )
    assert audit_pins.main() == 2
    assert "--strict" in calls[0] and "--no-deps" in calls[0]
    assert "could NOT check the pinned dependencies" in capsys.readouterr().err


def test_a_known_vulnerability_fails(monkeypatch, capsys):
    vuln = {"id": "PYSEC-0", "fix_versions": ["5.2.20"]}
    report = json.dumps({"dependencies": [{"name": "django", "version": "5.2.19", "vulns": [vuln]}]})
    fake_audit(monkeypatch, 1, report, "")
    assert audit_pins.main() == 1
    assert "VULNERABLE django 5.2.19: PYSEC-0 (fixed in 5.2.20)" in capsys.readouterr().err


def test_a_clean_audit_passes(monkeypatch, capsys):
    fake_audit(monkeypatch, 0, '{"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]}', "")
    assert audit_pins.main() == 0
    assert "0 known vulnerabilities" in capsys.readouterr().out


def test_the_dependencies_of_the_dependencies_are_audited_too(monkeypatch, capsys):
    """--no-deps keeps pip-audit from resolving anything, so what the pins pull in is listed
    from the environment itself, at the versions installed."""
    from importlib import metadata

    calls = fake_audit(monkeypatch, 0, '{"dependencies": []}', "")
    assert audit_pins.main() == 0
    listed = calls[1]
    for transitive in ("asgiref", "sqlparse"):  # Django's own dependencies, not pinned by copps
        assert f"{transitive}=={metadata.version(transitive)}" in listed
    names = [line.split("==")[0].lower() for line in listed]
    assert len(names) == len(set(names)) and "copps" not in names
    assert set(audit_pins.pins()) <= set(listed)
    assert f"{len(listed)} dependencies checked" in capsys.readouterr().out
