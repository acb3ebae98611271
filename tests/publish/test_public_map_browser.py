"""In a real browser, signed out: the public map loads Leaflet from copps, shows generalised points
at street zoom and the grid at city zoom, and filters; it fetches nothing from outside copps. Then
the trend dashboard, the problems list, a problem page with its generalised area, and an answer
to "has it improved?". Screenshots go to tests/artifacts/public/."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "public"


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_public_map_points_grid_and_filters(page, live_server, town):
    for i in range(30):
        town.event(category=["burglary", "larceny"][i % 2], days_ago=10 + i, at=i * 9, district="AB"[i % 2])
    town.event(kind="collision", category=None, days_ago=12, at=5)
    town.event(category="sex-offense", days_ago=11, at=77)  # never drawn
    town.publish()
    external, console_errors = [], []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/public/")
    status = page.locator("#map-status")
    status.filter(has_text="mapped events").wait_for()
    assert page.locator("#map").get_attribute("data-markers") == "31"
    assert page.locator("#how-generalised").inner_text().startswith("How locations are generalised")
    shot(page, "01-public-map")
    # zoom right out: the grid replaces the points
    for _ in range(4):
        page.click(".leaflet-control-zoom-out")
        page.wait_for_timeout(300)
    assert page.locator("#map").get_attribute("data-layer") == "grid"
    shot(page, "02-public-map-grid")
    # zoom back in to street level: points again
    for _ in range(6):
        page.click(".leaflet-control-zoom-in")
        page.wait_for_timeout(300)
    assert page.locator("#map").get_attribute("data-layer") == "points"
    page.select_option("#id_kind", "collision")
    page.click("form.filters button[type=submit]")
    status.filter(has_text="mapped events").wait_for()
    assert page.locator("#map").get_attribute("data-markers") == "1"
    shot(page, "03-public-map-collisions")
    assert external == [], f"the public map fetched from outside copps: {external[:3]}"
    assert console_errors == [], console_errors  # no script error, no Content Security Policy refusal


def test_trends_and_a_problem_page_with_an_answer(page, live_server, town):
    from copps.problems.models import Partner, Problem, ProblemPartner, ResponsePlan

    for i in range(60):
        town.event(category="burglary", days_ago=40 + i * 6, at=i, district="AB"[i % 2])
    town.publish()
    problem = Problem.objects.create(
        title="Car break-ins on Elm",
        public=True,
        stage="response",
        summary="Cars broken into at night in the lot behind the shops.",
    )
    problem.areas.add(town.beats["A"])
    ResponsePlan.objects.create(problem=problem, techniques=["target-harden"])
    ProblemPartner.objects.create(
        problem=problem, partner=Partner.objects.create(name="Parks Department", kind="city_department")
    )
    external, console_errors = [], []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/public/trends/")
    assert "Burglary" in page.locator("#trend-table").inner_text()
    page.select_option("#id_area", "district:A")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/trends/?*area=district%3AA*")
    assert "North" in page.locator("h1").inner_text()
    shot(page, "04-trends-district")

    page.goto(f"{live_server.url}/public/")
    page.click("nav.public-nav >> text=Problems we are working on")
    page.click("text=Car break-ins on Elm")
    page.locator("#problem-map[data-loaded='1']").wait_for()
    assert "Response" in page.locator("#problem-stage").inner_text()
    assert "Parks Department" in page.content()
    shot(page, "05-problem-page")
    page.check("input[name=answer][value=yes]")
    page.fill("textarea[name=comment]", "Better lit now")
    page.click("form.improved button[type=submit]")
    page.locator("#improved-thanks").wait_for()
    assert "at least 10 residents" in page.locator("#improved-results").inner_text()
    shot(page, "06-problem-answered")
    assert external == [], external[:3]
    assert console_errors == [], console_errors
