"""Settings come from the environment and refuse unsafe production; the console script works."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ENV = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "copps.cli", *args],
        capture_output=True,
        text=True,
        env={**ENV, **(env or {})},
        timeout=120,
    )


def test_production_mode_refuses_the_demo_secret_key():
    out = run("check", env={"COPPS_MODE": "production"})
    assert out.returncode != 0
    assert "Refusing to run in production mode with the demo secret key" in out.stderr


def test_production_mode_reads_the_secret_from_a_file(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("k" * 64)
    out = run(
        "check",
        env={
            "COPPS_MODE": "production",
            "COPPS_SECRET_KEY_FILE": str(secret),
            "COPPS_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        },
    )
    assert out.returncode == 0, out.stderr


def test_bad_setting_values_are_named():
    out = run("check", env={"COPPS_DEBUG": "maybe"})
    assert out.returncode != 0 and "COPPS_DEBUG='maybe': expected true or false" in out.stderr


def test_cli_help_lists_every_copps_command_with_its_help():
    from copps.cli import COMMANDS

    out = run("--help")
    assert out.returncode == 0
    for name in COMMANDS:
        assert f"\n  {name} " in out.stdout
    assert "Import a police export" in out.stdout


def test_cli_import_alias_help_names_the_profiles():
    out = run("import", "--help")
    assert out.returncode == 0 and "chicago" in out.stdout and "--skip-bad" in out.stdout


@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:1/nope"])
def test_dbcheck_fails_loudly_for_unreachable_postgres(url):
    out = subprocess.run([sys.executable, "-m", "copps.dbcheck", url], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "PostgreSQL was required for the tests but is not reachable" in out.stderr
