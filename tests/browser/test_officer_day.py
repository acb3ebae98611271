"""The officer's and the supervisor's day in a real browser: an officer signs in on a phone
(390 px) and lands on My work, which fits the screen; a supervisor signs in, lands on Waiting for
me and approves two stage requests from the one list. axe finds no serious violation.
Screenshots: tests/artifacts/officer-day/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.browser.axe import audit
from tests.browser.conftest import ARTIFACTS, shot, sign_in
from tests.conftest import PASSWORD
from tests.problems.conftest import SQUARE

from copps.incidents.models import OffenseCategory
from copps.problems import stages
from copps.problems.models import Problem, SavedAnalysis, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def team(django_user_model):
    """An officer who asked to move two problems (scanning checklists met) and has an overdue task."""
    users = {r: django_user_model.objects.create_user(username=r, password=PASSWORD, role=r) for r in
             ("officer", "supervisor")}
    category, _ = OffenseCategory.objects.get_or_create(
        code="burglary", defaults={"name": "Burglary", "kind": "crime", "group": "property"}
    )
    for title in ("Burglaries on Alder Court", "Thefts at the Sunridge lot"):
        problem = Problem.objects.create(
            title=title, summary="Recurring at night.", polygon=SQUARE, owner=users["officer"]
        )
        problem.categories.add(category)
        SavedAnalysis.objects.create(problem=problem, kind="places", title="Places", parameters={}, result={})
        stages.request_move(problem, "analysis", by=users["officer"])
    Task.objects.create(
        problem=problem, title="Knock on doors in Alder Court", owner=users["officer"],
        due=timezone.localdate() - timedelta(days=1),
    )
    return users


def test_officer_lands_on_my_work_on_a_phone_and_a_supervisor_approves_two(browser, live_server, team):
    (ARTIFACTS / "officer-day").mkdir(parents=True, exist_ok=True)
    problems = []

    officer = browser.new_context(viewport=PHONE).new_page()
    sign_in(officer, live_server, "officer")
    assert officer.url == f"{live_server.url}/problems/my-work/"
    assert officer.locator("h1").inner_text() == "My work"
    assert officer.locator(".card.overdue", has_text="Knock on doors in Alder Court").is_visible()
    width = officer.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"My work is {width[0]}px wide on a {width[1]}px phone"
    shot(officer, "officer-day/01-my-work-phone")
    problems.append(audit(officer, "my work (phone)"))
    officer.context.close()

    supervisor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(supervisor, live_server, "supervisor")
    assert supervisor.url == f"{live_server.url}/problems/waiting/"
    assert supervisor.locator("nav[aria-label=Main] .badge").inner_text().startswith("2")
    problems.append(audit(supervisor, "waiting for me"))
    for box in supervisor.locator("form.bulk-decide input[name=changes]").all():
        box.check()
    supervisor.check("input[name=decision][value=approve]")
    shot(supervisor, "officer-day/02-waiting-ticked")
    supervisor.click("form.bulk-decide button[type=submit]")
    supervisor.wait_for_url(f"{live_server.url}/problems/waiting/")
    assert supervisor.get_by_text("2 stage changes approved.").is_visible()
    assert supervisor.get_by_text("No stage change is waiting.").is_visible()
    shot(supervisor, "officer-day/03-waiting-approved")
    supervisor.context.close()

    assert set(Problem.objects.values_list("stage", flat=True)) == {"analysis"}
    assert [p for p in problems if p] == []
