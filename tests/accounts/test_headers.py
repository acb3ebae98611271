"""Security headers on every page (CSP without inline script, frame-ancestors, nosniff,
Referrer-Policy), no-store on staff and sign-in pages, HSTS and Secure cookies in production,
and `copps check --deploy` clean with production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from copps.accounts.middleware import content_security_policy

SRC = Path(__file__).resolve().parents[2] / "src" / "copps"
# DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest for Playwright; no deployment has it.
ENV = {k: v for k, v in os.environ.items()
       if not k.startswith("COPPS_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}


@pytest.mark.django_db
def test_every_page_has_the_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "img-src 'self' data:" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


def test_staff_pages_are_not_cached(mfa_client_for):
    for url in (reverse("incidents:list"), reverse("incidents:map"), reverse("api:areas_geojson")):
        response = mfa_client_for("analyst").get(url)
        assert response.status_code == 200, url  # the page itself, not a redirect to sign-in
        assert response["Cache-Control"] == "no-store", url


def test_tile_server_is_allowed_for_images_only():
    csp = content_security_policy("https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tiles.example.org;" in csp
    internal = content_security_policy("https://tiles.internal:8443/{z}/{x}/{y}.png")
    assert internal.count("https://tiles.internal:8443") == 1
    assert "tiles" not in content_security_policy("").replace("img-src", "")


@pytest.mark.django_db
@override_settings(COPPS_TILE_URL="https://tiles.internal/{z}/{x}/{y}.png")
def test_tile_setting_reaches_the_header():
    assert "img-src 'self' data: https://tiles.internal" in Client().get(reverse("login"))["Content-Security-Policy"]


def test_templates_have_no_inline_script_or_style():
    """CSP forbids inline script, so no template may carry any."""
    offenders = []
    for path in SRC.rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text or re.search(r"\sstyle\s*=", text):
            offenders.append(f"{path}: inline handler or style")
    assert offenders == []


def run_check(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {"COPPS_MODE": "production", "COPPS_SECRET_KEY": secrets.token_urlsafe(64),
            "COPPS_ALLOWED_HOSTS": "copps.example.org", "COPPS_TLS": "true",
            "COPPS_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "COPPS_STATIC_ROOT": str(tmp_path / "static")}
    return subprocess.run([sys.executable, "-m", "copps.cli", "check", "--deploy", "--fail-level", "WARNING"],
                          capture_output=True, text=True, env={**ENV, **base, **env}, timeout=120)


def test_check_deploy_is_clean_in_production(tmp_path):
    out = run_check(tmp_path)
    assert out.returncode == 0, out.stderr + out.stdout
    assert "no issues" in out.stdout


def test_check_deploy_warns_without_tls(tmp_path):
    out = run_check(tmp_path, COPPS_TLS="false")
    assert out.returncode != 0 and "security.W004" in out.stderr + out.stdout


def test_production_settings_harden_cookies_and_send_hsts(tmp_path):
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_NAME)")
    env = {**ENV, "COPPS_MODE": "production", "COPPS_SECRET_KEY": secrets.token_urlsafe(64), "COPPS_TLS": "true",
           "COPPS_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "DJANGO_SETTINGS_MODULE": "copps.settings"}
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.split() == ["True", "True", "True", "Lax", "31536000", "True", "__Host-copps_session"], out.stderr


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_hsts_header_over_https():
    response = Client().get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
