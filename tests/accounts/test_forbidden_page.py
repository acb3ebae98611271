"""No dead ends: a refusal says what was tried, why not, who may, and leads back to the person's
start page — never anything of the record; each role lands on its own start page after signing
in; the menus offer each role only the pages it may open."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.accounts.conftest import enrolled, sign_in_fully
from tests.conftest import sign_in
from tests.problems.conftest import SQUARE

from copps.problems.models import Problem

START = {
    "officer": "problems:my_work",
    "analyst": "problems:dashboard",
    "supervisor": "problems:waiting",
    "admin": "problems:waiting",
    "auditor": "audit_log",
}


@pytest.mark.parametrize("role", sorted(START))
def test_each_role_lands_on_its_start_page_after_both_factors(client, cast, role):
    enrolled(cast[role])
    response = sign_in_fully(client, cast[role])
    assert response["Location"] == reverse(START[role])
    assert client.get(response["Location"]).status_code == 200


def test_a_resident_lands_on_the_front_door(client, cast):
    assert sign_in_fully(client, cast["resident"])["Location"] == reverse("home")


def test_an_auditor_refused_the_map_is_told_why_and_led_back_to_the_audit_log(client, cast):
    body = sign_in(client, cast["auditor"]).get(reverse("incidents:map")).content.decode()
    assert "You can't open this page" in body and f"open <code>{reverse('incidents:map')}</code>" in body
    assert "Your role (auditor) does not open it." in body
    assert "Department staff: officers, crime analysts, supervisors and administrators." in body
    assert f'href="{reverse("audit_log")}">Back to your start page' in body


def test_an_officer_refused_a_problem_not_theirs_sees_who_may_and_nothing_of_it(client, cast, django_user_model):
    other_officer = django_user_model.objects.create_user(username="officer2", password="x-long-pw-2", role="officer")
    problem = Problem.objects.create(
        title="Quarrelsome lot behind Zanzibar Depot", summary="Fights", polygon=SQUARE, owner=cast["officer"]
    )
    response = sign_in(client, other_officer).post(reverse("problems:add_note", args=[problem.pk]), {"text": "x"})
    body = response.content.decode()
    assert response.status_code == 403 and "Zanzibar" not in body
    assert "send a form to" in body and "This problem is not yours to change" in body
    assert "The problem&#x27;s owner and assigned officers" in body
    assert f'href="{reverse("problems:my_work")}">Back to your start page' in body


def test_a_permission_denied_raised_by_django_gets_the_same_page(client, cast):
    # the admin's own views raise PermissionDenied for a staff account without model rights
    cast["officer"].is_staff = True
    cast["officer"].save()
    response = sign_in(client, cast["officer"]).get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 403 and b"You can't open this page" in response.content


def _menu(client, user) -> str:
    body = sign_in(client, user).get(reverse("problems:my_work")).content.decode()
    return body[body.index('<nav aria-label="Main">') : body.index("</nav>")]


def test_an_auditor_menu_offers_the_audit_log_only(client, cast):
    sign_in(client, cast["auditor"])
    body = client.get(reverse("audit_log")).content.decode()
    menu = body[body.index('<nav aria-label="Main">') : body.index("</nav>")]
    assert "Audit log" in menu and "Map" not in menu and "Events" not in menu and "Problems" not in menu


def test_an_officer_menu_has_my_work_and_no_waiting_or_admin(client, cast):
    menu = _menu(client, cast["officer"])
    assert "My work" in menu and "Map" in menu and "Waiting for me" not in menu and "Admin" not in menu


def test_a_supervisor_menu_has_waiting_for_me(client, cast):
    menu = _menu(client, cast["supervisor"])
    assert "My work" in menu and "Waiting for me" in menu
