"""Settings come from the environment and refuse unsafe production; the console script works."""

from __future__ import annotations

import os
import secrets
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
    assert "Refusing to run in production mode with this secret key: it is the demo secret key" in out.stderr


def test_production_mode_reads_the_secret_from_a_file(tmp_path):
    secret = tmp_path / "key"
    secret.write_text(secrets.token_urlsafe(50))
    out = run(
        "check",
        env={
            "COPPS_MODE": "production",
            "COPPS_SECRET_KEY_FILE": str(secret),
            "COPPS_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        },
    )
    assert out.returncode == 0, out.stderr


DEMO = "copps-demo-secret-key-not-for-production-use-0000000000000000"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("a" * 50, "not random enough"),
        (DEMO + " ", "near-copy of it"),
        (DEMO.upper(), "near-copy of it"),
        ("abcdefghij" * 5, "repeats itself"),
    ],
    ids=["50-a", "demo-plus-space", "demo-in-capitals", "pattern"],
)
def test_production_mode_refuses_a_weak_secret_key_with_the_reason(tmp_path, key, reason):
    env = {"COPPS_MODE": "production", "COPPS_SECRET_KEY": key, "COPPS_DATABASE_URL": f"sqlite:///{tmp_path}/db"}
    out = run("check", env=env)
    assert out.returncode != 0
    assert "Refusing to run in production mode with this secret key" in out.stderr and reason in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("k" * 64, "not random enough"),
        ("01" * 40, "not random enough"),
        ("0123456789abcdef" * 4, "repeats itself"),
        (DEMO[:-5] + "12345", "near-copy"),
        ("x" + DEMO[10:] + "yyyyyyyyyyyy", "near-copy"),
        ("s-xlF6R5GpKahaEN07cnjzudQ8Vz1Ei24TVXPJaq", "40 characters long"),
    ],
)
def test_secret_key_rules(key, reason):
    from copps.config import secret_key_problem

    assert reason in secret_key_problem(key, DEMO)


def test_random_keys_of_every_usual_kind_are_accepted():
    from django.core.management.utils import get_random_secret_key

    from copps.config import secret_key_problem

    for _ in range(300):
        for key in (secrets.token_urlsafe(50), secrets.token_hex(32), get_random_secret_key()):
            assert secret_key_problem(key, DEMO) == "", key


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
