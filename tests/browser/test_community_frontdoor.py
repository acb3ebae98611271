"""In a real browser: a resident reports a concern with a photo on the Leaflet map (offered the
open report nearby first), follows it by its tracking id, and an anonymous tipster holds a
two-way conversation with an officer, with no cookie ever set on the tipster's browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.community.conftest import snap_set  # noqa: F401 (fixture)
from tests.community.frontdoor import jpeg_with_gps
from tests.conftest import PASSWORD

from copps.community.models import RequestPhoto, Service, ServiceAttribute, ServiceRequest, Tip
from copps.community.states import advance
from copps.incidents.models import Area

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "community"
DISTRICT = [[-121.30, 38.70], [-121.26, 38.70], [-121.26, 38.72], [-121.30, 38.72], [-121.30, 38.70]]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def town(django_user_model, snap_set):  # noqa: F811 (the look-up compares public snap points)
    Area.objects.create(
        type="district",
        code="A",
        name="North",
        geometry={"type": "Polygon", "coordinates": [DISTRICT]},
        min_lon=-121.30,
        min_lat=38.70,
        max_lon=-121.26,
        max_lat=38.72,
    )
    graf = Service.objects.create(
        service_code="GRAF",
        name="Graffiti",
        agency_responsible="Public Works",
        service_notice="Removed within five working days.",
        expected_days=5,
    )
    ServiceAttribute.objects.create(
        service=graf,
        code="SURFACE",
        datatype="singlevaluelist",
        required=True,
        description="What is painted?",
        values=[{"key": "wall", "name": "A wall"}, {"key": "sign", "name": "A sign"}],
    )
    now = timezone.now()
    ServiceRequest.objects.create(
        service=graf,
        description="Tag on the library wall",
        lat=38.7101,
        lon=-121.2801,
        address="7400 ELM ST",
        block_address="74XX ELM ST",
        requested_at=now,
        updated_at=now,
    )
    django_user_model.objects.create_user(username="officer", password=PASSWORD, role="officer")
    return graf


def watch(page, live_server):
    """Collect requests leaving copps and Content-Security-Policy violations."""
    external, csp = [], []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    return external, csp


def test_report_a_concern_with_a_photo_and_track_it(page, live_server, town, tmp_path):
    external, csp = watch(page, live_server)
    page.goto(f"{live_server.url}/community/report/")
    page.select_option("#id_service", str(town.pk))
    page.locator("#report-map path.leaflet-interactive").first.wait_for()  # district outline drawn
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)  # the district centre
    assert page.locator("#id_lat").input_value() != ""
    page.locator("#nearby").filter(has_text="Is it one of these?").wait_for()
    assert "Tag on the library wall" in page.locator("#nearby").inner_text()
    shot(page, "01-report-map-and-nearby")
    page.click("#where-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/community/report/details/\?.*"))
    photo = Path(tmp_path / "wall.jpg")
    photo.write_bytes(jpeg_with_gps())
    page.fill("#id_description", "Fresh tag on the bus shelter, offensive words")
    page.select_option("select[name='attribute[SURFACE]']", "wall")
    page.set_input_files("#id_photo", str(photo))
    page.fill("#id_name", "Ada Quill")
    page.fill("#id_email", "ada@example.org")
    assert page.locator("#id_keep_private").is_checked()
    shot(page, "02-report-details")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(re.compile(r".*/community/track/\w+/\?new=1$"))
    key = page.locator("#tracking-id").inner_text().strip()
    sr = ServiceRequest.objects.get(track_key=key)
    assert sr.source == "web" and sr.reporter_email == "ada@example.org"
    assert b"Exif" not in bytes(RequestPhoto.objects.get(request=sr).data)
    img = page.locator("img.photo")
    img.wait_for()
    assert page.evaluate("document.querySelector('img.photo').naturalWidth") == 640
    shot(page, "03-track-received")
    advance(sr, "referred", agency="Parks Department", notes="The shelter belongs to Parks")
    page.goto(f"{live_server.url}/community/track/{key}/")
    assert "referred to Parks Department" in page.locator("#state").inner_text()
    assert "Ada" not in page.content()
    shot(page, "04-track-referred")
    assert external == [], external[:3]
    assert csp == [], csp[:3]


def test_a_two_way_anonymous_tip_conversation(browser, live_server, town):
    tipster_ctx = browser.new_context(viewport={"width": 1024, "height": 900})
    tipster = tipster_ctx.new_page()
    external, csp = watch(tipster, live_server)
    tipster.goto(f"{live_server.url}/community/tip/")
    tipster.select_option("#id_topic", "drugs")
    tipster.fill("#id_where", "Oak St near the park")
    tipster.fill("#id_message", "Cars stop at the blue house for two minutes at a time after 10pm.")
    shot(tipster, "05-tip-write")
    tipster.click("main form button[type=submit]")
    tip_id = tipster.locator("#tip-id").inner_text().strip()
    passphrase = tipster.locator("#tip-passphrase").inner_text().strip()
    shot(tipster, "06-tip-sent")
    assert Tip.objects.get().public_id == tip_id

    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = staff_ctx.new_page()
    sign_in(staff, live_server, "officer")
    staff.goto(f"{live_server.url}/community/staff/")
    staff.click(f"a[href='/community/staff/tips/{tip_id}/']")
    staff.wait_for_url(f"**/community/staff/tips/{tip_id}/")  # content() reads whatever page is there now
    assert "blue house" in staff.content()
    staff.fill("#tip-reply-form textarea", "Thank you. Which nights are busiest?")
    staff.click("#tip-reply-form button[type=submit]")
    staff.locator(".conversation").filter(has_text="Which nights are busiest?").wait_for()
    shot(staff, "07-tip-staff-reply")

    tipster.goto(f"{live_server.url}/community/tip/read/")
    tipster.fill("#id_tip_id", tip_id)
    tipster.fill("#id_passphrase", passphrase)
    tipster.click("main form button[type=submit]")
    tipster.locator(".conversation").filter(has_text="Which nights are busiest?").wait_for()
    assert "officer" not in tipster.locator(".conversation").inner_text()
    tipster.fill("#id_message", "Fridays and Saturdays, from about ten.")
    tipster.click("main form button[type=submit]")
    tipster.locator(".conversation").filter(has_text="Fridays and Saturdays").wait_for()
    shot(tipster, "08-tip-tipster-answers")

    staff.reload()
    staff.locator(".conversation").filter(has_text="Fridays and Saturdays").wait_for()
    shot(staff, "09-tip-staff-sees-answer")
    # The tipster's browser was never given a cookie.
    assert tipster_ctx.cookies() == []
    assert external == [] and csp == [], (external[:3], csp[:3])
    tipster_ctx.close()
    staff_ctx.close()
