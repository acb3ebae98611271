"""Near-repeat prevention in a real browser, on a phone (390 px): the beat officer signs in, lands
on My work, marks a door-knock done, opens the window and downloads the cocoon-notice letter in
Spanish (its text read with pdftotext: Spanish, the hundred block, no house number of the event,
no victim). axe finds no serious violation. Screenshots: tests/artifacts/prevention/."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.core.management import call_command
from tests.browser.axe import audit
from tests.browser.conftest import ARTIFACTS, shot, sign_in
from tests.problems.prevention_city import AS_OF, VICTIM, Place

from copps.problems import prevention
from copps.problems.models import PreventionTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_officer_completes_a_prevention_task_and_downloads_the_spanish_letter(browser, live_server, cast, settings,
                                                                              tmp_path):
    settings.COPPS_DATA_DIR = tmp_path / "data"
    place = Place(cast["officer"])
    (ARTIFACTS / "prevention").mkdir(parents=True, exist_ok=True)
    place.history(near_repeats=True)
    place.new()
    prevention.scan(as_of=AS_OF)
    place.addresses()
    problems = []

    officer = browser.new_context(viewport=PHONE, accept_downloads=True).new_page()
    sign_in(officer, live_server, "officer")
    assert officer.url == f"{live_server.url}/problems/my-work/"
    section = officer.locator("section[aria-labelledby=prevention-h]")
    assert section.get_by_text("Door-knock the homes nearby").is_visible()
    width = officer.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"My work is {width[0]}px wide on a {width[1]}px phone"
    shot(officer, "prevention/01-my-work-phone")
    problems.append(audit(officer, "my work with prevention tasks (phone)"))

    section.locator("li", has_text="Door-knock the homes nearby").get_by_role("button", name="Mark done").click()
    officer.wait_for_url(f"{live_server.url}/problems/my-work/")
    assert not section.get_by_text("Door-knock the homes nearby").count()
    assert PreventionTask.objects.get(kind="door_knock").status == "done"
    shot(officer, "prevention/02-door-knock-done")

    section.get_by_role("link", name="Revisit the area").click()
    assert officer.locator("h1").inner_text().startswith("Burglary")
    problems.append(audit(officer, "prevention window (phone)"))
    shot(officer, "prevention/03-window")
    officer.get_by_role("link", name="Letter in Spanish").click()
    officer.get_by_role("button", name="Make the PDF").click()
    officer.wait_for_url(re.compile(r".*/jobs/#job-[0-9a-f-]+$"))
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    officer.reload()
    with officer.expect_download() as download_info:
        officer.click("a.download:text('Download')")
    download = download_info.value
    assert download.failure() is None and download.suggested_filename.endswith("-es.pdf")
    pdf = ARTIFACTS / "prevention" / "04-cocoon-letter-es.pdf"
    download.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Aviso de prevención del delito" in flat and "un robo en una vivienda" in flat
    assert "12XX N MAPLE CT" in flat and "Officer J. Ramos" in flat
    assert "1234" not in flat and VICTIM not in flat
    officer.context.close()
    assert [p for p in problems if p] == []
