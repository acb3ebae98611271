"""An analyst's day at the workbench in a real browser (issue 19's "Done when").

A. ``test_analyst_walk`` (what main has): the events list filtered and exported as a GeoPackage
   that pyogrio reads back (the filtered events, with the filters written beside them); a
   scanned hot spot promoted to a problem whose Scanning gate then has its categories; an
   assessment run with the form's defaults (a year either side of the response, cut at the
   data's end; the suggested control beats) that reads the survey pulse of the problem's beat;
   the SARA report's PDF, its text read with pdftotext.
B. ``test_analyst_workspace`` (the analysis workspace and the crash page, written against their
   agreed contract): the dashboard's ``form#workspace`` filters redrawn with emerging hot spots,
   saved to a problem; the crash page; the candidates' map.

Every page visited is checked with axe-core (no serious or critical violation) and shot under
tests/artifacts/analyst/. Both tests share one data set, described once for the module (the
synthetic city's files, generated once per run, and the planted survey answers) and loaded for
each test by ``desk``: a live-server test's database is emptied after it, so what is shared is the
data set, and loading it stays cheap (the areas and events imported and a hot-spot-only scan, about
7 s)."""

from __future__ import annotations

import json
import math
import re
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pyogrio
import pyogrio.raw
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from shapely.geometry import shape
from tests.browser.axe import audit
from tests.browser.conftest import ARTIFACTS, shot, signed_in
from tests.conftest import PASSWORD, import_city

from copps.community.engagement.conf import survey_min_n
from copps.community.engagement.models import Answer, Question, Survey, SurveyResponse
from copps.incidents.models import Area, Event
from copps.problems.models import Candidate, Problem, SavedAnalysis, StageChange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "analyst"
# the space-time categories of an emerging hot-spot analysis (issue 19)
EMERGING = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating", "historical")


@dataclass(frozen=True)
class Plan:
    """The walk's data set, worked out once for the module."""

    paths: dict
    truth: dict
    response_start: date  # the planted intervention's first day: the response began then
    survey_days: dict  # period -> the day its respondents answered
    safety: dict  # period -> one 1-5 answer per respondent
    trust: dict  # period -> one yes/no (1/0) answer per respondent


@pytest.fixture(scope="module")
def plan(city) -> Plan:
    paths, truth = city
    start = date.fromisoformat(truth["intervention"]["start_date"])
    n = survey_min_n() + 6  # above the minimum, so neither period is withheld
    return Plan(
        paths=paths,
        truth=truth,
        response_start=start,
        # inside the form's default periods (a year before the start; from it to the data's end)
        survey_days={"before": start - timedelta(days=60), "after": start + timedelta(days=60)},
        safety={
            "before": [(2, 3, 2, 1, 3)[i % 5] for i in range(n)],
            "after": [(4, 3, 4, 5, 4)[i % 5] for i in range(n)],
        },
        trust={"before": [1 if i % 3 == 0 else 0 for i in range(n)], "after": [1 if i % 3 else 0 for i in range(n)]},
    )


@dataclass
class Desk:
    plan: Plan
    corner: Candidate  # the scanned hot spot nearest the planted intervention's target
    beat: Area  # the beat most of that hot spot lies in: its residents answered the survey
    problem: Problem  # an open problem the workspace's analyses can be saved to


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def desk(plan, django_user_model, settings, tmp_path) -> Desk:
    settings.COPPS_DATA_DIR = tmp_path / "data"  # the report PDF's file store
    settings.COPPS_TILE_URL = ""
    p = plan.paths
    import_city(p)
    # hot spots only (the other scanners are not walked here), as of the day before the response
    call_command(
        "candidates",
        "--kind",
        "hot_spot",
        "--permutations",
        "49",
        "--today",
        (plan.response_start - timedelta(days=1)).isoformat(),
        verbosity=0,
    )
    for role in ("analyst", "supervisor"):
        django_user_model.objects.create_user(username=role, password=PASSWORD, role=role)
    target = plan.truth["intervention"]["target"]
    corner = min(
        Candidate.objects.filter(kind="hot_spot"), key=lambda c: math.dist((c.x, c.y), (target["x"], target["y"]))
    )
    spot = shape(corner.geometry)
    beat = max(Area.objects.filter(type="beat"), key=lambda a: shape(a.geometry).intersection(spot).area)
    assert shape(beat.geometry).intersection(spot).area > 0

    survey = Survey.objects.create(
        title="Safety and trust",
        published=True,
        opens_on=plan.survey_days["before"] - timedelta(days=5),
        closes_on=plan.survey_days["after"] + timedelta(days=5),
    )
    survey.areas.set([beat])
    safe = Question.objects.create(
        survey=survey, order=1, kind="scale", text="How safe do you feel after dark?", outcome="safety"
    )
    trust = Question.objects.create(
        survey=survey, order=2, kind="yesno", text="Do you trust the police here?", outcome="trust"
    )
    for period, day in plan.survey_days.items():
        responses = SurveyResponse.objects.bulk_create(
            SurveyResponse(survey=survey, area=beat, browser=f"{period}-{i}", submitted_at=_at(day))
            for i in range(len(plan.safety[period]))
        )
        Answer.objects.bulk_create(
            [Answer(response=r, question=safe, number=v) for r, v in zip(responses, plan.safety[period], strict=True)]
            + [Answer(response=r, question=trust, number=v) for r, v in zip(responses, plan.trust[period], strict=True)]
        )
    problem = Problem.objects.create(
        title="Thefts at the commercial corner",
        summary="Evenings, for a year.",
        polygon=target["polygon"],
        stage="analysis",
    )
    return Desk(plan, corner, beat, problem)


def _submit(page, button) -> None:
    """Click a submit button and wait for the page it leads to (never read the old one)."""
    with page.expect_navigation():
        button.click()
    page.wait_for_load_state()


def _set(field, value: str) -> None:
    """Give a form field a value, whether the page made it a menu or a box."""
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def analyst(browser, live_server, desk):
    """The analyst's signed-in page and the axe reports collected on the way (the sign-in page's
    first); the browser context is closed after the test, so no keep-alive socket outlives it."""
    (ARTIFACTS / SHOTS).mkdir(parents=True, exist_ok=True)
    audits: list[str] = []
    page = signed_in(browser, live_server, "analyst", audits)
    yield page, audits
    page.context.close()


def test_analyst_walk(live_server, desk, analyst):
    page, audits = analyst
    url = live_server.url
    corner, start = desk.corner, desk.plan.response_start

    # 1. The events list, filtered: the corner's commonest crime over the half-year around the response.
    code = corner.evidence["top_categories"][0][0]
    first, last = start - timedelta(days=90), start + timedelta(days=90)
    page.goto(f"{url}/events/")
    page.select_option("#id_kind", "crime")
    category_pk = str(Event.objects.filter(category__code=code).values_list("category_id", flat=True).first())
    page.select_option("#id_category", category_pk)
    page.fill("#id_date_from", first.isoformat())
    page.fill("#id_date_to", last.isoformat())
    _submit(page, page.locator("form.filters button[type=submit]"))
    tz = timezone.get_current_timezone()
    expected = Event.objects.filter(
        kind="crime",
        category__code=code,
        occurred_from__gte=datetime.combine(first, time.min, tz),
        occurred_from__lt=datetime.combine(last + timedelta(days=1), time.min, tz),
    )
    ids = set(expected.values_list("id", flat=True))
    assert len(ids) > 5
    expect(page.locator("p.count")).to_contain_text(f"{len(ids)} events")
    shot(page, f"{SHOTS}/01-events-filtered")
    audits.append(audit(page, "events list, filtered"))

    # 2. Its GeoPackage: the filtered events, and the filters beside them.
    with page.expect_download() as download_info:
        page.click("p.exports a:text-is('GeoPackage')")
    download = download_info.value
    assert download.failure() is None and download.suggested_filename.endswith(".gpkg")
    gpkg = ARTIFACTS / SHOTS / "02-events.gpkg"
    download.save_as(gpkg)
    info = pyogrio.read_info(gpkg, layer="events")
    assert info["features"] == len(ids) and info["crs"] == "EPSG:4326" and info["geometry_type"] == "Point"
    events = pyogrio.read_dataframe(gpkg, layer="events")
    assert set(events["id"]) == ids and set(events["category"]) == {code} and set(events["kind"]) == {"crime"}
    wanted = {"kind": "crime", "category": code, "date_from": first.isoformat(), "date_to": last.isoformat()}
    assert json.loads(info["layer_metadata"]["copps_filters"]) == wanted
    _, _, _, (names, values) = pyogrio.raw.read(gpkg, layer="filters", read_geometry=False)
    assert dict(zip(names, values, strict=True)) == wanted

    # 3. The scanned hot spot at the commercial corner, promoted: its categories come along.
    page.goto(f"{url}/problems/candidates/")
    shot(page, f"{SHOTS}/03-candidates")
    audits.append(audit(page, "candidates"))
    _submit(page, page.locator(f"a[href$='/problems/candidates/{corner.pk}/']"))
    expect(page.locator("h1")).to_contain_text(corner.title[:40])
    shot(page, f"{SHOTS}/04-candidate")
    audits.append(audit(page, "candidate"))
    _submit(page, page.locator("button:text-is('Promote to a problem')"))
    assert re.search(r"/problems/\d+/$", page.url), page.url
    problem = Problem.objects.get(candidates=corner)
    assert problem.categories.filter(code=code).exists()
    gate = page.locator("section.gate")
    expect(gate.locator("li.met", has_text="categories")).to_have_count(1)
    assert "categories" not in " ".join(gate.locator("li.unmet").all_inner_texts())
    # the owner is a supervisor's choice: the one item a candidate cannot answer
    expect(gate.locator("li.unmet")).to_have_count(1)
    expect(gate.locator("li.unmet")).to_contain_text("owner")
    shot(page, f"{SHOTS}/05-problem-promoted")
    audits.append(audit(page, "problem, promoted"))

    # The team's Analysis and Response stages are walked in test_sara_walkthrough; here the
    # response is on record as approved on the planted intervention's first day.
    supervisor = type(problem.created_by).objects.get(username="supervisor")
    StageChange.objects.create(
        problem=problem,
        from_stage="analysis",
        to_stage="response",
        requested_by=problem.created_by,
        status="approved",
        approved_by=supervisor,
        decided_at=_at(start),
    )
    Problem.objects.filter(pk=problem.pk).update(stage="response")

    # 4. The assessment with the form's defaults: a year before the response against the time since
    # (to the data's last complete day), the suggested control beats; the survey pulse comes along.
    page.goto(f"{url}/problems/{problem.pk}/assessments/new/")
    expect(page.locator("#periods-note")).to_contain_text(f"from the response's start on {start}")
    assert page.input_value("#id_before_start") == start.replace(year=start.year - 1).isoformat()
    assert page.input_value("#id_before_end") == (start - timedelta(days=1)).isoformat()
    assert page.input_value("#id_after_start") == start.isoformat()
    after_end = date.fromisoformat(page.input_value("#id_after_end"))
    assert start < after_end < start.replace(year=start.year + 1)  # cut at the data's end
    expect(page.locator("#periods-note")).to_contain_text("the after period ends at the data's last complete day")
    suggested = page.locator("#control-suggestions li")
    expect(suggested.first).to_be_visible()
    chosen = page.eval_on_selector_all("#id_control_areas option:checked", "os => os.map(o => o.value)")
    assert len(chosen) == suggested.count() >= 1
    assert page.input_value("#id_control_from") == "areas"
    shot(page, f"{SHOTS}/06-assessment-form")
    audits.append(audit(page, "assessment form"))
    page.fill("#id_title", "A year after the lamps")
    _submit(page, page.locator("form.stacked button[type=submit]"))
    assert re.search(rf"/problems/{problem.pk}/assessments/\d+/$", page.url), page.url
    pulse = page.locator("#pulse")
    expect(pulse).to_have_text("Survey pulse: perceived safety and trust")
    n = len(desk.plan.safety["before"])
    lines = page.locator("ul.pulse li")
    expect(lines).to_have_count(2)  # safety and trust in the target; the control beats hold no answers
    safety_line = lines.filter(has_text="Perceived safety")
    expect(safety_line).to_contain_text(f"n = {n}")
    expect(safety_line).to_contain_text("up ")
    expect(safety_line).to_contain_text("Welch's t-test")
    expect(page.locator("main")).to_contain_text(f"beat {desk.beat.code} (")
    shot(page, f"{SHOTS}/07-assessment")
    audits.append(audit(page, "assessment"))
    statement = _flat(safety_line.inner_text())

    # 5. The SARA report as a PDF (drawn by the worker), its text read back.
    page.goto(f"{url}/reports/sara/{problem.pk}/")
    expect(page.locator("main")).to_contain_text("Survey pulse: perceived safety and trust")
    shot(page, f"{SHOTS}/08-sara-report")
    audits.append(audit(page, "SARA report"))
    _submit(page, page.locator("button:text-is('Make the PDF')"))
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    page.reload()
    shot(page, f"{SHOTS}/09-jobs")
    audits.append(audit(page, "jobs"))
    with page.expect_download() as download_info:
        page.click("a.download:text('Download')")
    download = download_info.value
    assert download.failure() is None and download.suggested_filename.endswith(".pdf")
    pdf = ARTIFACTS / SHOTS / "10-sara-report.pdf"
    download.save_as(pdf)
    text = _flat(
        subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    )
    assert "A year after the lamps" in text
    assert "Survey pulse: perceived safety and trust" in text
    assert statement in text, statement
    assert text.count(f"n = {n}") >= 4  # both measures, both periods

    failed = [report for report in audits if report]
    assert not failed, "axe: serious accessibility violations on\n" + "\n".join(failed)


def test_analyst_workspace(live_server, desk, analyst):
    """The analysis workspace on the dashboard and the crash page, as agreed for issue 19."""
    page, audits = analyst
    url = live_server.url
    codes = [c for c, _ in desk.corner.evidence["top_categories"][:2]]

    # 1. The dashboard's workspace: kind set to crime (the densest series, for the space-time bins), two
    # categories, the data's whole range, a 200 m cell; the emerging hot-spot layer on.
    page.goto(f"{url}/problems/dashboard/")
    form = page.locator("form#workspace")
    for name in ("kind", "category", "date_from", "date_to", "area", "cell", "bandwidth", "permutations"):
        expect(form.locator(f"[name={name}]")).to_have_count(1)
    for layer in ("kde", "gistar", "emerging"):
        expect(form.locator(f"input[type=checkbox][name=layer][value={layer}]")).to_have_count(1)
    form.locator("select[name=kind]").select_option("crime")
    form.locator("select[name=category]").select_option(codes)
    _set(form.locator("[name=date_from]"), "2023-01-01")
    _set(form.locator("[name=date_to]"), "2024-12-30")
    _set(form.locator("[name=cell]"), "200")
    _set(form.locator("[name=permutations]"), "99")  # enough for the walk, quick on two cores
    form.locator("input[name=layer][value=emerging]").check()
    _submit(page, form.get_by_role("button", name="Show"))
    assert "cell=200" in page.url and "kind=crime" in page.url, page.url
    status = page.locator("#hotspot-status")
    expect(status).to_have_attribute("aria-live", re.compile(r"polite|assertive"))
    expect(status).not_to_have_text(re.compile("Loading"), timeout=60_000)
    legend = page.locator(".legend, [id*=legend], [class*=legend]").filter(
        has_text=re.compile("|".join(EMERGING), re.I)
    )
    expect(legend.first).to_be_visible()
    named = [w for w in EMERGING if w in " ".join(legend.all_inner_texts()).lower()]
    assert len(named) >= 4, named
    pdf_link = page.get_by_role("link", name=re.compile("Download PDF"))
    expect(pdf_link.first).to_be_visible()
    assert "cell=200" in (pdf_link.first.get_attribute("href") or ""), pdf_link.first.get_attribute("href")
    shot(page, f"{SHOTS}/11-workspace")
    audits.append(audit(page, "dashboard workspace"))

    # 2. The emerging hot-spot analysis saved to the problem.
    save = page.locator("form#save-analysis")
    save.locator("select[name=problem]").select_option(str(desk.problem.pk))
    _submit(page, save.get_by_role("button", name="Save to problem"))
    titled = page.locator(":is(h1, h2, h3, h4, a, li, td, caption)", has_text=re.compile("Emerging hot spots"))
    expect(titled.first).to_be_visible()
    assert SavedAnalysis.objects.filter(problem=desk.problem, title__contains="Emerging hot spots").exists()
    shot(page, f"{SHOTS}/12-emerging-saved")
    audits.append(audit(page, "saved emerging hot spots"))

    # 3. The crash page, savable to a problem.
    page.goto(f"{url}/problems/crashes/")
    expect(page.locator("h1")).to_contain_text("Crash analysis")
    crash = page.locator("form#save-crash")
    expect(crash.locator(f"select[name=problem] option[value='{desk.problem.pk}']")).to_have_count(1)
    expect(crash.get_by_role("button", name="Save to problem")).to_have_count(1)
    shot(page, f"{SHOTS}/13-crashes")
    audits.append(audit(page, "crash analysis"))

    # 4. The candidates, on a map.
    page.goto(f"{url}/problems/candidates/")
    expect(page.locator("#candidate-map")).to_be_visible()
    shot(page, f"{SHOTS}/14-candidates-map")
    audits.append(audit(page, "candidates map"))

    failed = [report for report in audits if report]
    assert not failed, "axe: serious accessibility violations on\n" + "\n".join(failed)
