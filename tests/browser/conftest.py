"""Browser-test helpers (the `browser` and `page` fixtures live in tests/conftest.py so every
room's browser tests share one Playwright session).

Chromium comes from Debian (`make test` installs it); the tests never download a browser.
Screenshots go to tests/artifacts/ (git-ignored) so a person can look at each step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyotp
from playwright.sync_api import expect
from tests.browser.axe import audit
from tests.conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(
    page, live_server, username: str, *, start: str = "/accounts/login/", on_sign_in_page: Callable | None = None
) -> None:
    """Sign ``page`` in as ``username`` as a person would: the password, then the second factor.
    At the first sign-in they enrol an authenticator with the one-time code an administrator
    issued (pyotp plays the phone app, reading the secret the page shows) and are shown ten
    recovery codes; later they enter the app's code. ``on_sign_in_page`` runs on the sign-in page
    first (an accessibility check, say)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from copps.accounts.mfa import device_secret, issue_enrolment_code
    from copps.accounts.models import User

    page.goto(f"{live_server.url}{start}")
    if on_sign_in_page is not None:
        on_sign_in_page(page)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/login/(enrol|code)/$"))
    if page.url.endswith("/enrol/"):
        secret = page.locator("#totp-secret").inner_text().strip()
        page.fill("#id_enrolment_code", issue_enrolment_code(User.objects.get(username=username)))
        page.fill("#id_code", pyotp.TOTP(secret).now())
        # wait for the answer page: counting at once after the click raced the navigation
        with page.expect_navigation():
            page.click("form.login button[type=submit]")
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        with page.expect_navigation():
            page.click("text=Continue")
    else:
        page.fill("#id_code", pyotp.TOTP(device_secret(TOTPDevice.objects.get(user__username=username))).now())
        with page.expect_navigation():
            page.click("form.login button[type=submit]")
    page.wait_for_load_state()


def signed_in(browser, live_server, username, audits=None):
    """A browser context signed in as ``username`` (see ``sign_in``).
    ``audits`` collects axe's report of the sign-in page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    check = (lambda p: audits.append(audit(p, "sign-in"))) if audits is not None else None
    sign_in(page, live_server, username, on_sign_in_page=check)
    return page
