"""Importing a file in a real browser: an analyst uploads a tiny export with a built-in profile,
reads the dry run's preview, presses Import, and watches the job on the Jobs page until it is
done. Screenshots: tests/artifacts/import/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from tests.browser.axe import audit
from tests.browser.conftest import ARTIFACTS, shot, sign_in
from tests.conftest import PASSWORD

from copps.incidents.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[1] / "incidents" / "data" / "upload_sfpd.csv"


def test_upload_preview_import_job_done(browser, live_server, django_user_model, settings, tmp_path):
    settings.COPPS_DATA_DIR = tmp_path / "data"
    django_user_model.objects.create_user(username="analyst", password=PASSWORD, role="analyst")
    (ARTIFACTS / "import").mkdir(parents=True, exist_ok=True)
    audits = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "analyst")

    page.goto(f"{live_server.url}/events/")
    page.click("text=Import a file")
    page.wait_for_url(re.compile(r".*/events/import/$"))
    page.select_option("#id_profile", "sfpd")
    page.set_input_files("#id_data_file", str(DATA))
    shot(page, "import/01-upload")
    audits.append(audit(page, "import form"))
    with page.expect_navigation():
        page.click("text=Upload and check (dry run)")
    page.wait_for_load_state()

    assert page.locator("h1").inner_text() == "Check the import of upload_sfpd.csv"
    assert "read 3, inserted 3" in page.locator("pre.import-summary-text").inner_text()
    assert page.locator("table.import-preview tbody tr").count() == 3
    assert Event.objects.count() == 0  # the dry run wrote nothing
    shot(page, "import/02-preview")
    audits.append(audit(page, "dry-run preview"))

    page.click("button:text('Import')")
    page.wait_for_url(re.compile(r".*/jobs/#job-[0-9a-f-]+$"))
    job_id = page.url.rsplit("#job-", 1)[1]
    row = page.locator(f"#job-{job_id}")
    assert row.get_attribute("data-status") == "READY"
    assert "Import upload_sfpd.csv (sfpd)" in row.inner_text()
    shot(page, "import/03-queued")

    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    page.reload()
    row = page.locator(f"#job-{job_id}")
    assert row.get_attribute("data-status") == "SUCCESSFUL"
    assert "read 3, inserted 3" in row.inner_text()
    shot(page, "import/04-done")
    audits.append(audit(page, "jobs page"))
    assert Event.objects.count() == 3
    context.close()
    failed = [report for report in audits if report]
    assert not failed, "axe: serious accessibility violations on\n" + "\n".join(failed)
