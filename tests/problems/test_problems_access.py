"""Who may open which page of the workspace: staff read, residents and auditors get a bare 403
(nothing of the record in the body), anonymous users are sent to sign in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.conftest import sign_in

from copps.accounts.models import AuditLog
from copps.problems.models import Candidate, Partner, StageChange

READ_PAGES = ["problems:list", "problems:candidates", "problems:partners", "problems:partner_new"]


@pytest.fixture
def world(make_problem, cast):
    problem = make_problem()
    candidate = Candidate.objects.create(
        kind="hot_spot",
        title="Hot spot near 70XX SUNRIDGE BLVD",
        lon=-121.3,
        lat=38.7,
        x=647868,
        y=4287115,
        geometry=problem.polygon,
        score=50,
        evidence={"events": 50},
    )
    change = StageChange.objects.create(
        problem=problem, from_stage="scanning", to_stage="analysis", requested_by=cast["officer"]
    )
    partner = Partner.objects.create(name="Code enforcement", kind="city_department")
    return {"problem": problem, "candidate": candidate, "change": change, "partner": partner}


def all_urls(w) -> list[str]:
    p = w["problem"].pk
    return [reverse(name) for name in READ_PAGES] + [
        reverse("problems:detail", args=[p]),
        reverse("problems:edit", args=[p]),
        reverse("problems:assign", args=[p]),
        reverse("problems:assessment_new", args=[p]),
        reverse("problems:candidate", args=[w["candidate"].pk]),
        reverse("problems:waiting"),
        reverse("problems:decide_stage", args=[w["change"].pk]),
        reverse("problems:partner_edit", args=[w["partner"].pk]),
        reverse("problems:new"),
    ]


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_non_staff_get_a_bare_403_with_nothing_leaked(client_for, world, role):
    c = client_for(role)
    for url in all_urls(world):
        response = c.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert "Sunridge" not in body and "SUNRIDGE" not in body and "38.7" not in body and "-121" not in body, url
    assert AuditLog.objects.filter(outcome="denied", username=role).count() == len(all_urls(world))


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_non_staff_cannot_post_either(client_for, world, role):
    p = world["problem"].pk
    c = client_for(role)
    for name, args in [
        ("add_note", [p]),
        ("promote", [world["candidate"].pk]),
        ("scan", []),
        ("request_stage", [p]),
        ("add_task", [p]),
    ]:
        response = c.post(reverse(f"problems:{name}", args=args), {"text": "x", "kind": "note"})
        assert response.status_code == 403 and b"Sunridge" not in response.content
    assert world["candidate"].__class__.objects.get().status == "open"


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in all_urls(world):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("role", ["officer", "analyst", "supervisor", "admin"])
def test_staff_read_the_workspace(client_for, world, role):
    c = client_for(role)
    for name in READ_PAGES:
        assert c.get(reverse(name)).status_code == 200
    page = c.get(reverse("problems:detail", args=[world["problem"].pk]))
    assert page.status_code == 200 and b"Car break-ins at the Sunridge lot" in page.content
    assert c.get(reverse("problems:candidate", args=[world["candidate"].pk])).status_code == 200


def test_role_pages_refuse_other_roles(client_for, world, other_officer, client):
    p = world["problem"].pk
    officer = client_for("officer")
    for url in [
        reverse("problems:assign", args=[p]),
        reverse("problems:waiting"),
        reverse("problems:decide_stage", args=[world["change"].pk]),
        reverse("problems:new"),
        reverse("problems:assessment_new", args=[p]),
    ]:
        assert officer.get(url).status_code == 403, url
    analyst = client_for("analyst")
    assert analyst.get(reverse("problems:assign", args=[p])).status_code == 403
    assert analyst.get(reverse("problems:waiting")).status_code == 403
    assert analyst.get(reverse("problems:assessment_new", args=[p])).status_code == 200
    supervisor = client_for("supervisor")
    assert supervisor.get(reverse("problems:waiting")).status_code == 200
    assert supervisor.get(reverse("problems:assessment_new", args=[p])).status_code == 403
    sign_in(client, other_officer)
    assert client.get(reverse("problems:edit", args=[p])).status_code == 403
    assert client.get(reverse("problems:detail", args=[p])).status_code == 200  # every officer may read


def test_the_workspace_pages_carry_no_inline_script(client_for, world):
    # the administrator may open every page of the list (an analyst is refused assign and the
    # stage queue, and a refusal's bare 403 would have nothing to check)
    c = client_for("admin")
    for url in all_urls(world):
        response = c.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for chunk in body.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, (url, head)
        assert " onclick=" not in body and "javascript:" not in body


def test_reading_a_problem_is_audited(client_for, world, cast):
    problem = world["problem"]
    page = client_for("officer").get(reverse("problems:detail", args=[problem.pk]))
    assert page.status_code == 200
    row = AuditLog.objects.get(action="problem.read")
    assert (row.user, row.object_type, row.object_id, row.outcome) == (cast["officer"], "problem", str(problem.pk),
                                                                       "allowed")


def test_the_problem_list_is_audited_with_its_filters_and_what_it_showed(client_for, world, cast):
    c = client_for("analyst")
    assert c.get(reverse("problems:list"), {"stage": "scanning", "mine": "1"}).status_code == 200
    row = AuditLog.objects.get(action="problem.list")
    assert row.user == cast["analyst"] and row.object_type == "problem"
    assert row.params == {"stage": "scanning", "mine": "1", "shown": []}  # the analyst owns none
    c.get(reverse("problems:list"))
    assert AuditLog.objects.filter(action="problem.list").first().params == {"shown": [world["problem"].pk]}


@pytest.mark.parametrize("page", ["problems:detail", "problems:list"])
def test_problem_reads_fail_closed(world, cast, audit_down, page):
    client = sign_in(Client(raise_request_exception=False), cast["officer"])
    args = [world["problem"].pk] if page == "problems:detail" else []
    response = client.get(reverse(page, args=args))
    assert response.status_code == 500
    assert b"Sunridge" not in response.content and b"audit store" not in response.content


def test_an_officer_refused_work_on_a_problem_not_theirs_is_audited(world, other_officer, client):
    problem = world["problem"]
    sign_in(client, other_officer)
    response = client.get(reverse("problems:edit", args=[problem.pk]))
    assert response.status_code == 403 and b"Sunridge" not in response.content
    row = AuditLog.objects.get(outcome="denied")
    assert (row.user, row.object_type, row.object_id) == (other_officer, "problem", str(problem.pk))


def _beat(code: str, west: float):
    from copps.incidents.models import Area

    ring = [[west, 38.70], [west + 0.01, 38.70], [west + 0.01, 38.71], [west, 38.71], [west, 38.70]]
    return Area.objects.create(
        type="beat", code=code, name=f"Beat {code}", geometry={"type": "Polygon", "coordinates": [ring]},
        min_lon=west, min_lat=38.70, max_lon=west + 0.01, max_lat=38.71,
    )


def _post_note(client, problem):
    note = {"kind": "note", "text": "Met the lot's manager"}
    return client.post(reverse("problems:add_note", args=[problem.pk]), note)


@pytest.fixture
def beats(db, other_officer, django_user_model):
    """Beat 1 under the make_problem square, beat 2 beside it (sharing only an edge); officer2
    works beat 1, officer3 beat 2, and officer4 had beat 1 once (an inactive assignment)."""
    from copps.community.engagement.models import BeatAssignment

    here, beside = _beat("B1", -121.30), _beat("B2", -121.29)
    third = django_user_model.objects.create_user(username="officer3", password="x-long-password-3", role="officer")
    fourth = django_user_model.objects.create_user(username="officer4", password="x-long-password-4", role="officer")
    for officer, beat, active in ((other_officer, here, True), (third, beside, True), (fourth, here, False)):
        BeatAssignment.objects.create(beat=beat, officer=officer, display_name=officer.username, work_contact="desk",
                                      active=active)
    return {"here": here, "beside": beside, "officer_here": other_officer, "officer_beside": third,
            "officer_was_here": fourth}


def test_the_beat_officer_works_a_problem_drawn_on_the_beat_and_other_beats_only_read(make_problem, beats):
    problem = make_problem()  # owned by the cast's officer; its polygon is beat 1
    here, beside, was_here = Client(), Client(), Client()
    sign_in(here, beats["officer_here"])
    sign_in(beside, beats["officer_beside"])
    sign_in(was_here, beats["officer_was_here"])
    assert _post_note(here, problem).status_code == 302
    assert problem.activities.filter(text="Met the lot's manager").count() == 1
    for other in (beside, was_here):  # a beat that only touches it, and an assignment that ended
        assert _post_note(other, problem).status_code == 403
        assert other.get(reverse("problems:detail", args=[problem.pk])).status_code == 200
    assert problem.activities.filter(text="Met the lot's manager").count() == 1


def test_a_chosen_beat_counts_as_much_as_a_drawn_one(make_problem, beats):
    problem = make_problem(polygon=None)
    client = sign_in(Client(), beats["officer_beside"])
    assert _post_note(client, problem).status_code == 403
    problem.areas.add(beats["beside"])
    assert _post_note(client, problem).status_code == 302


def test_mine_lists_the_problems_on_my_beats_once_with_true_task_counts(make_problem, beats, cast):
    from copps.problems.models import Task

    drawn = make_problem(title="Drawn on beat 1")
    chosen = make_problem(title="Chosen beat 1", polygon=None, owner=None)
    chosen.areas.add(beats["here"])
    make_problem(title="Elsewhere", polygon=None, owner=None)
    for n in range(3):
        Task.objects.create(problem=drawn, title=f"task {n}", owner=cast["officer"])
    drawn.officers.add(beats["officer_here"])
    client = sign_in(Client(), beats["officer_here"])
    page = client.get(reverse("problems:list"), {"mine": "1"})
    titles = [p.title for p in page.context["problems"]]
    assert sorted(titles) == ["Chosen beat 1", "Drawn on beat 1"]
    assert {p.title: p.open_tasks for p in page.context["problems"]}["Drawn on beat 1"] == 3


# every workspace page and report that used to check sign-in only (``problems.staff_only``)
FORMERLY_SIGN_IN_ONLY = ["problems:dashboard", "problems:ddacts", "reports:index", "reports:compstat"]


def test_a_password_only_session_is_refused_even_without_the_session_middleware(client, settings, world, cast):
    """The staff decorator itself checks the second factor: with the middleware that ends one-factor
    sessions left out of the settings, a session signed in with the password alone still reaches no
    workspace page and sees nothing of a problem."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "copps.accounts.middleware.SessionSecurityMiddleware"]
    client.force_login(cast["admin"])  # the password, and no second factor
    for url in all_urls(world) + [reverse(name) for name in FORMERLY_SIGN_IN_ONLY]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
        assert "SUNRIDGE" not in response.content.decode(), url
    sign_in(client, cast["admin"])
    assert client.get(reverse("problems:detail", args=[world["problem"].pk])).status_code == 200
