"""A SARA project in a real browser, from the dashboard to the SARA PDF: an analyst reads the
dashboard's hot spots, scans and promotes a candidate; the team fills each stage's checklist and a
supervisor approves every move; the analyst runs an analysis and the outcome assessment; the SARA
report downloads as a PDF whose text (pdftotext) tells the story. Screenshots: tests/artifacts/sara/."""

from __future__ import annotations

import json
import math
import re
import subprocess
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from tests.browser.axe import audit
from tests.browser.conftest import ARTIFACTS, shot, signed_in
from tests.conftest import PASSWORD, import_city

from copps.incidents.models import Area, OffenseCategory
from copps.problems.models import Candidate, Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(city, django_user_model, settings, tmp_path):
    settings.COPPS_DATA_DIR = tmp_path / "data"  # the report PDF's file store
    paths, truth = city
    import_city(paths)
    call_command("requests", "import", str(paths["services"]), str(paths["requests"]))
    for role in ("analyst", "supervisor", "officer"):
        django_user_model.objects.create_user(username=role, password=PASSWORD, role=role)
    return truth


def fill_assessment(page, truth) -> None:
    """Fill the assessment form for the planted intervention: a year before and after its start,
    the problem's polygon as target and the planted control polygon, all crime categories."""
    start = date.fromisoformat(truth["intervention"]["start_date"])
    page.fill("#id_title", "One year after the response")
    page.fill("#id_before_start", truth["start"])
    page.fill("#id_before_end", (start - timedelta(days=1)).isoformat())
    page.fill("#id_after_start", start.isoformat())
    # to the day before the city's last day: the last event's day counts as partial
    page.fill("#id_after_end", (date.fromisoformat(truth["end"]) - timedelta(days=2)).isoformat())
    page.select_option("#id_control_from", "geojson")
    page.fill("#id_control_geojson", json.dumps(truth["intervention"]["control"]["polygon"]))
    page.uncheck("#id_use_problem_categories")


def in_form(page, action_end: str):
    return page.locator(f"form[action$='{action_end}']").first


def fill_in_details(page, action_end: str, fields: dict, select: dict = None, check: list = ()):
    form = in_form(page, action_end)
    details = form.locator("xpath=ancestor::details")
    if details.count() and details.first.get_attribute("open") is None:  # the page opens the stage's own forms
        details.first.locator("summary").click()
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    for name, value in (select or {}).items():
        form.locator(f"select[name={name}]").select_option(value)
    for value in check:
        form.locator(f"input[value='{value}']").check()
    with page.expect_navigation():  # a plain wait_for_load_state could return before the post began
        form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def ask_and_approve(analyst, supervisor, live_server, problem_id: int, to_stage: str, step: str):
    analyst.goto(f"{live_server.url}/problems/{problem_id}/")
    gate = in_form(analyst, "/stage/")
    gate.locator("select[name=to_stage]").select_option(to_stage)
    gate.locator("[name=note]").fill("checklist met")
    gate.locator("button[type=submit]").click()
    analyst.locator("text=Waiting for a supervisor").wait_for()
    supervisor.goto(f"{live_server.url}/problems/waiting/")
    supervisor.locator("a", has_text="decide alone").first.click()
    supervisor.locator("input[name=decision][value=approve]").check()
    shot(supervisor, f"sara/{step}-approve-{to_stage}")
    with supervisor.expect_navigation():
        supervisor.locator("form.stacked button[type=submit]").click()
    supervisor.wait_for_load_state()
    assert Problem.objects.get(pk=problem_id).stage == to_stage


def test_sara_walkthrough_from_dashboard_to_pdf(browser, live_server, team):
    truth = team
    (ARTIFACTS / "sara").mkdir(parents=True, exist_ok=True)
    csp = []
    # axe-core on each main page; one failure at the end lists every page's serious violations
    audits = []
    analyst = signed_in(browser, live_server, "analyst", audits)
    analyst.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)

    # 1. The dashboard: hot-spot layers drawn from copps' own GeoJSON, CompStat, alerts, requests.
    analyst.goto(f"{live_server.url}/problems/dashboard/")
    analyst.locator("#hotspot-map[data-loaded='1']").wait_for()
    assert int(analyst.locator("#hotspot-map").get_attribute("data-gistar-cells")) > 0
    assert int(analyst.locator("#hotspot-map").get_attribute("data-kde-cells")) > 0
    assert "hot cells" in analyst.locator("#hotspot-status").inner_text()
    assert analyst.locator("table.compstat tbody tr").count() > 3
    shot(analyst, "sara/01-dashboard")
    audits.append(audit(analyst, "dashboard"))
    district = Area.objects.filter(type="district").order_by("code").first()
    analyst.select_option("#area", str(district.pk))
    analyst.click("form.filters button[type=submit]")
    analyst.locator("#hotspot-map[data-loaded='1']").wait_for()
    assert f"Dashboard: {district}" in analyst.locator("h1").inner_text()
    shot(analyst, "sara/02-dashboard-district")

    # 2. Scan now, then promote the hot spot at the commercial corner.
    analyst.goto(f"{live_server.url}/problems/candidates/")
    analyst.click("text=Scan now")
    # the scan is a background job (the Jobs page shows it queued); a worker runs it
    analyst.wait_for_url(re.compile(r".*/jobs/"))
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    analyst.reload()
    analyst.locator("text=Scan done").wait_for(timeout=120_000)
    target = truth["intervention"]["target"]
    corner = min(
        Candidate.objects.filter(kind="hot_spot"), key=lambda c: math.dist((c.x, c.y), (target["x"], target["y"]))
    )
    shot(analyst, "sara/03-candidates")
    audits.append(audit(analyst, "candidates"))
    analyst.goto(f"{live_server.url}/problems/candidates/{corner.pk}/")
    assert analyst.locator("figure.evidence-chart svg").count() == 1
    shot(analyst, "sara/04-candidate")
    audits.append(audit(analyst, "candidate"))
    analyst.click("text=Promote to a problem")
    analyst.wait_for_url(re.compile(r".*/problems/\d+/$"))
    problem = Problem.objects.get(candidates=corner)
    pid = problem.pk

    # 3. Scanning checklist: summary and categories (analyst), owner (supervisor); then the gate.
    analyst.goto(f"{live_server.url}/problems/{pid}/edit/")
    audits.append(audit(analyst, "problem edit"))
    analyst.fill("#id_summary", "Thefts from cars and fights at the commercial corner, evenings, for a year.")
    codes = [code for code, _ in corner.evidence["top_categories"][:3]]
    analyst.select_option(
        "#id_categories",
        [str(pk) for pk in OffenseCategory.objects.filter(code__in=codes).values_list("pk", flat=True)],
    )
    analyst.click("form.stacked button[type=submit]")
    analyst.wait_for_url(re.compile(rf".*/problems/{pid}/$"))
    supervisor = signed_in(browser, live_server, "supervisor")
    supervisor.goto(f"{live_server.url}/problems/{pid}/assign/")
    supervisor.select_option("#id_owner", label="officer")
    supervisor.click("form.stacked button[type=submit]")
    supervisor.wait_for_url(re.compile(rf".*/problems/{pid}/$"))
    analyst.goto(f"{live_server.url}/problems/{pid}/")
    assert analyst.locator("section.gate li.unmet").count() == 0
    shot(analyst, "sara/05-scanning-checklist-met")
    audits.append(audit(analyst, "problem"))
    ask_and_approve(analyst, supervisor, live_server, pid, "analysis", "06")

    # 4. Analysis: an hour x weekday profile, the triangle and a tested hypothesis.
    analyst.goto(f"{live_server.url}/problems/{pid}/")
    in_form(analyst, "/analyses/").locator("select[name=kind]").select_option("temporal")
    in_form(analyst, "/analyses/").locator("button[type=submit]").click()
    analyst.wait_for_url(re.compile(rf".*/problems/{pid}/analyses/\d+/$"))
    assert analyst.locator("table.heat tbody tr").count() == 7
    shot(analyst, "sara/07-analysis-temporal")
    analyst.goto(f"{live_server.url}/problems/{pid}/")
    for side, text in [
        ("place", "the corner's car parks"),
        ("victim", "shoppers' parked cars"),
        ("manager", "the car park's owner"),
    ]:
        fill_in_details(analyst, "/triangle/", {"description": text}, select={"side": side})
    fill_in_details(
        analyst,
        "/hypotheses/",
        {"statement": "Thefts peak after closing time", "evidence": "hour x weekday profile"},
        select={"status": "supported"},
    )
    assert analyst.locator("section.gate li.unmet").count() == 0
    shot(analyst, "sara/08-analysis-checklist-met")
    ask_and_approve(analyst, supervisor, live_server, pid, "response", "09")

    # 5. Response: plan, objective, techniques, a task done.
    analyst.goto(f"{live_server.url}/problems/{pid}/")
    fill_in_details(
        analyst,
        "/plan/",
        {"summary": "Lots closed after hours; lamps repaired"},
        check=["natural-surveillance", "control-access"],
    )
    fill_in_details(
        analyst,
        "/objectives/",
        {"text": "Crime at the corner down by a third", "measure": "before/after with a control"},
    )
    officer_id = str(Problem.objects.get(pk=pid).owner_id)
    fill_in_details(analyst, "/tasks/", {"title": "Repair the lamps"}, select={"owner": officer_id, "status": "done"})
    assert analyst.locator("section.gate li.unmet").count() == 0
    shot(analyst, "sara/10-response-checklist-met")
    ask_and_approve(analyst, supervisor, live_server, pid, "assessment", "11")

    # 6. The outcome assessment against a control beat.
    analyst.goto(f"{live_server.url}/problems/{pid}/assessments/new/")
    audits.append(audit(analyst, "assessment form"))
    # the response began today, after the synthetic city's data ends: no default periods, and why
    assert "after the crime data's last complete day (2024-12-30)" in analyst.locator("#periods-note").inner_text()
    # a control drawn on the map: four corners, then "use it"; the zone menu follows the drawing
    box = analyst.locator("#problem-map").bounding_box()
    for fx, fy in ((0.2, 0.2), (0.4, 0.2), (0.4, 0.4), (0.2, 0.4)):
        analyst.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    analyst.click("#draw-finish")
    drawn = json.loads(analyst.locator("#id_control_geojson").input_value())
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5
    assert analyst.locator("#id_control_from").input_value() == "geojson"
    fill_assessment(analyst, truth)
    analyst.fill("#id_conclusion", "Crime at the corner fell against the control corner.")
    analyst.click("form.stacked button[type=submit]")
    analyst.wait_for_url(re.compile(rf".*/problems/{pid}/assessments/\d+/$"))
    assert "95% CI" in analyst.content()
    shot(analyst, "sara/12-assessment")
    audits.append(audit(analyst, "assessment result"))

    # 7. The SARA report: the page, then its "Download PDF" button, the file read back with pdftotext.
    analyst.goto(f"{live_server.url}/problems/{pid}/")
    analyst.click("a:text-is('SARA report')")
    analyst.wait_for_url(re.compile(rf".*/reports/sara/{pid}/$"))
    shot(analyst, "sara/13-sara-report-page")
    audits.append(audit(analyst, "SARA report"))
    # the PDF is drawn by a background job; the Jobs page links it when the worker is done
    analyst.click("button:text('Make the PDF')")
    analyst.wait_for_url(re.compile(r".*/jobs/#job-[0-9a-f-]+$"))
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    analyst.reload()
    with analyst.expect_download() as download_info:
        analyst.click("a.download:text('Download')")
    download = download_info.value
    assert download.failure() is None and download.suggested_filename.endswith(".pdf")
    pdf = ARTIFACTS / "sara" / "13-sara-report.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert problem.title.split(":")[0] in flat
    assert "Thefts from cars and fights at the commercial corner" in flat
    assert "Thefts peak after closing time" in flat and "Repair the lamps" in flat
    assert "CI" in flat
    assert csp == [], csp[:3]
    failed = [report for report in audits if report]
    assert not failed, "axe: serious accessibility violations on\n" + "\n".join(failed)
