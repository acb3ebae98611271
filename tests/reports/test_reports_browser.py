"""In a real browser: an officer opens a problem, follows its SARA report link, sees the map and
the chart drawn as SVG under the page's content security policy, and downloads the PDF."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from tests.browser.conftest import shot, sign_in
from tests.reports.conftest import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_reads_the_sara_report_and_downloads_the_pdf(page, live_server, demo, tmp_path):
    # (the PDF's file store is the test's own: tests/reports/conftest.py data_dir)
    assessed, _ = demo
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/problems/{assessed.pk}/")
    page.click("text=SARA report >> nth=0")
    page.wait_for_url(re.compile(rf".*/reports/sara/{assessed.pk}/$"))
    assert page.locator("h1").inner_text() == assessed.title
    for selector in ("svg.report-map", "svg.report-chart"):
        box = page.locator(selector).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150, selector
    assert page.locator(".restricted").first.is_visible()
    shot(page, "reports-sara-page")
    # the PDF is a background job: the Jobs page opens, a worker draws it, the page links it
    page.click("button:text('Make the PDF')")
    page.wait_for_url(re.compile(r".*/jobs/#job-[0-9a-f-]+$"))
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    page.reload()
    with page.expect_download() as info:
        page.click("a.download:text('Download')")
    path = tmp_path / "sara.pdf"
    info.value.save_as(path)
    text = pdf_text(path.read_bytes())
    assert assessed.title in text and "relative to the control" in text
    assert csp == []
