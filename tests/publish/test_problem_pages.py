"""Public problem pages: only problems marked public, in plain words, with their area generalised,
their stage, the techniques and partner organisations; and a resident "has it improved?" answer,
one per browser, rate limited, results only from k answers with their interval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.publish.conftest import X0, Y0, _square

from copps.problems.models import Partner, Problem, ProblemPartner, ResponsePlan, Task, TriangleEntry
from copps.publish.models import ImprovementAnswer


@pytest.fixture
def problems(town):
    public = Problem.objects.create(
        title="Car break-ins at the Sunridge lot",
        public=True,
        stage="response",
        summary="Cars broken into at night near 4521 Sunridge Blvd; call 916-555-0101 for details.",
        polygon=_square(X0 + 120, Y0 + 130, X0 + 140, Y0 + 150),
    )
    plan = ResponsePlan.objects.create(problem=public, techniques=["target-harden", "surveillance-natural"])
    Task.objects.create(problem=public, title="Talk to CANARY-TASK owner", status="done")
    Task.objects.create(problem=public, title="Second CANARY-TASK", status="planned")
    city = Partner.objects.create(name="Public Works Lighting", kind="city_department", phone="CANARY-PPHONE")
    landlord = Partner.objects.create(name="CANARY-LANDLORD Smith", kind="landlord")
    ProblemPartner.objects.create(problem=public, partner=city)
    ProblemPartner.objects.create(problem=public, partner=landlord)
    TriangleEntry.objects.create(problem=public, side="offender", description="CANARY-TRIANGLE Joe")
    private = Problem.objects.create(title="CANARY-PRIVATE-TITLE", public=False, summary="secret")
    with_areas = Problem.objects.create(title="Speeding on Elm", public=True, stage="analysis")
    with_areas.areas.add(town.beats["A"])
    return {"public": public, "private": private, "areas": with_areas, "plan": plan}


def test_list_shows_only_public_problems(client, problems):
    html = client.get(reverse("publish:problems")).content.decode()
    assert "Car break-ins at the Sunridge lot" in html and "Speeding on Elm" in html
    assert "CANARY-PRIVATE-TITLE" not in html
    assert client.get(reverse("publish:problem", args=[problems["private"].pk])).status_code == 404
    assert client.get(reverse("publish:problem_area", args=[problems["private"].pk])).status_code == 404


def test_detail_in_plain_words_without_private_details(client, problems):
    html = client.get(reverse("publish:problem", args=[problems["public"].pk])).content.decode()
    assert "45XX Sunridge Blvd" in html and "4521" not in html and "555-0101" not in html
    assert "<strong>Response</strong>: the department and its partners are acting on it." in html
    assert "Response. Response" not in html  # the stage named once, then explained
    assert "Public Works Lighting" in html and "1 of 2 planned actions done" in html
    assert "Target hardening" in html or "target" in html.lower()
    assert "CANARY" not in html


def test_area_is_generalised_to_grid_squares_or_the_problems_areas(client, problems):
    from copps.geo.crs import Projector

    box = client.get(reverse("publish:problem_area", args=[problems["public"].pk])).json()
    ring = box["features"][0]["geometry"]["coordinates"][0]
    lon, lat = zip(*ring, strict=True)
    x, y = Projector("EPSG:32610").forward(list(lon), list(lat))
    assert max(x) - min(x) >= 399 and max(y) - min(y) >= 399  # not the 20 m square that was drawn
    areas = client.get(reverse("publish:problem_area", args=[problems["areas"].pk])).json()
    assert [f["properties"]["name"] for f in areas["features"]] == ["A1"]


def _answer(client, pk, answer="yes", comment=""):
    url = reverse("publish:problem", args=[pk])
    client.get(url)  # the page gives the browser its cookie
    return client.post(url, {"answer": answer, "comment": comment})


def test_one_answer_per_browser_and_comments_held_for_review(client, problems):
    pk = problems["public"].pk
    response = _answer(client, pk, "yes", "CANARY-COMMENT it is better")
    assert response.status_code == 200 and "your answer is recorded" in response.content.decode()
    stored = ImprovementAnswer.objects.get()
    assert stored.review == "pending" and stored.comment == "CANARY-COMMENT it is better"
    assert len(stored.browser) == 64 and stored.browser != client.cookies["copps_resident"].value
    again = client.post(reverse("publish:problem", args=[pk]), {"answer": "no"})
    assert again.status_code == 409 and ImprovementAnswer.objects.count() == 1
    assert "CANARY-COMMENT" not in client.get(reverse("publish:problem", args=[pk])).content.decode()


def test_bad_answers_are_refused_without_writing(client, problems):
    pk = problems["public"].pk
    assert _answer(client, pk, "maybe").status_code == 400
    fresh = Client()
    no_cookie = fresh.post(reverse("publish:problem", args=[pk]), {"answer": "yes"})
    assert no_cookie.status_code == 400 and "accept cookies" in no_cookie.content.decode()
    assert ImprovementAnswer.objects.count() == 0


@pytest.fixture
def a_day_passes(monkeypatch):
    """The daily refresh, held still: the published results count the answers given before a
    moment ago; calling the fixture is the next day's refresh, counting every answer so far (so
    no test depends on when it runs)."""
    from copps.publish import feedback

    at = [timezone.now() - timedelta(seconds=1)]
    monkeypatch.setattr(feedback, "public_as_of", lambda: at[0], raising=False)

    def refresh():
        at[0] = timezone.now()

    return refresh


def test_results_shown_only_from_k_answers_rounded_with_n_and_interval(client, problems, a_day_passes):
    pk = problems["public"].pk
    for i in range(9):
        assert _answer(Client(REMOTE_ADDR=f"10.0.0.{i}"), pk, "yes" if i < 6 else "no").status_code == 200
    a_day_passes()
    html = client.get(reverse("publish:problem", args=[pk])).content.decode()
    assert "once at least 10 residents have answered" in html
    api = client.get(reverse("publish:public_api:problems")).json()["problems"]
    assert next(p for p in api if p["id"] == pk)["improved"] == {"shown": False, "k": 10}
    _answer(Client(REMOTE_ADDR="10.0.1.1"), pk, "not_sure")
    # the tenth answer counts from tomorrow: the results do not move with each answer
    assert (
        "once at least 10 residents have answered" in client.get(reverse("publish:problem", args=[pk])).content.decode()
    )
    a_day_passes()
    html = " ".join(client.get(reverse("publish:problem", args=[pk])).content.decode().split())
    # 6 yes, 3 no, 1 not sure: every count to the nearest 5, the share from the rounded counts
    assert "10 residents answered: 5 yes, 5 no, 0 not sure. 50% said yes (95% CI 24% to 76%)" in html


def test_one_known_answer_does_not_give_the_hidden_nine_away(client, problems, a_day_passes):
    """Issue 13, item 10 (C10): nine residents' answers are hidden (fewer than k = 10); one
    answer whose value the sender knows takes the problem to ten. With exact counts, subtracting
    it gave the nine exactly; now two different nine give the same published results."""
    pk = problems["public"].pk
    published = []
    for yes in (6, 5):  # 6 yes and 3 no, or 5 yes and 4 no
        ImprovementAnswer.objects.all().delete()
        for i in range(9):
            _answer(Client(REMOTE_ADDR=f"10.0.{yes}.{i}"), pk, "yes" if i < yes else "no")
        _answer(Client(REMOTE_ADDR="10.0.9.9"), pk, "not_sure")  # the attacker's
        a_day_passes()
        page = " ".join(client.get(reverse("publish:problem", args=[pk])).content.decode().split())
        api = client.get(reverse("publish:public_api:problems")).json()["problems"]
        assert "residents answered" in page
        published.append((page[page.index('id="improved-results"') :][:200], next(p for p in api if p["id"] == pk)))
    assert published[0] == published[1]


def test_answers_are_rate_limited(problems):
    pk = problems["public"].pk
    codes = [_answer(Client(REMOTE_ADDR="10.9.9.9"), pk).status_code for _ in range(12)]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]


def test_problem_list_and_api_take_a_fixed_number_of_queries(client, problems):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = (count(reverse("publish:problems")), count(reverse("publish:public_api:problems")))
    for i in range(5):
        p = Problem.objects.create(title=f"More trouble {i}", public=True)
        p.areas.add(problems["areas"].areas.first())
        ProblemPartner.objects.create(problem=p, partner=Partner.objects.create(name=f"School {i}", kind="school"))
    many = (count(reverse("publish:problems")), count(reverse("publish:public_api:problems")))
    assert many == few
