"""In a real browser: an officer opens a problem, follows its SARA report link, sees the map and
the chart drawn as SVG under the page's content security policy, and downloads the PDF."""

from __future__ import annotations

import re

import pyotp
import pytest
from tests.browser.conftest import shot
from tests.conftest import PASSWORD
from tests.reports.conftest import pdf_text

from copps.accounts.mfa import issue_enrolment_code
from copps.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_officer(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/login/enrol/$"))
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#id_enrolment_code", issue_enrolment_code(User.objects.get(username="officer")))
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("form.login button[type=submit]")
    page.click("text=Continue")


def test_officer_reads_the_sara_report_and_downloads_the_pdf(page, live_server, demo, tmp_path):
    assessed, _ = demo
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in_officer(page, live_server)
    page.goto(f"{live_server.url}/problems/{assessed.pk}/")
    page.click("text=SARA report >> nth=0")
    page.wait_for_url(re.compile(rf".*/reports/sara/{assessed.pk}/$"))
    assert page.locator("h1").inner_text() == assessed.title
    for selector in ("svg.report-map", "svg.report-chart"):
        box = page.locator(selector).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150, selector
    assert page.locator(".restricted").first.is_visible()
    shot(page, "reports-sara-page")
    with page.expect_download() as info:
        page.click("text=Download PDF")
    path = tmp_path / "sara.pdf"
    info.value.save_as(path)
    text = pdf_text(path.read_bytes())
    assert assessed.title in text and "relative to the control" in text
    assert csp == []
