"""The public survey page: anonymous answers, one per browser, rate limited, validated."""

from __future__ import annotations

from datetime import date, timedelta

from engagement_helpers import answer_data, questions

from copps.community.engagement.browser import COOKIE
from copps.community.engagement.models import Answer, SurveyResponse


def test_anonymous_resident_answers_once_and_is_told_so_the_second_time(client, survey, areas):
    url = f"/community/engage/surveys/{survey.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and b"How safe do you feel after dark?" in page.content
    done = client.post(url, answer_data(survey, areas["west"]))
    assert done.status_code == 200 and b"Your answers have been recorded" in done.content
    assert COOKIE in done.cookies and done.cookies[COOKIE]["httponly"]
    response = SurveyResponse.objects.get()
    assert response.area == areas["west"]
    # the stored key is a hash, not the cookie's token
    assert response.browser != done.cookies[COOKIE].value and len(response.browser) == 64
    assert {a.question.kind: a for a in response.answers.all()}["text"].review == Answer.Review.PENDING

    again = client.post(url, answer_data(survey, areas["east"]))
    assert b"already answered" in again.content
    assert SurveyResponse.objects.count() == 1


def test_a_different_browser_may_answer(client, survey, areas):
    from django.test import Client

    url = f"/community/engage/surveys/{survey.pk}/"
    assert client.post(url, answer_data(survey, areas["west"])).status_code == 200
    assert Client().post(url, answer_data(survey, areas["east"])).status_code == 200
    assert SurveyResponse.objects.count() == 2


def test_missing_or_bad_answers_get_field_errors_and_nothing_is_written(client, survey, areas):
    q = questions(survey)
    url = f"/community/engage/surveys/{survey.pk}/"
    bad = answer_data(survey, areas["west"], **{f"q{q['scale'].pk}": "9", f"q{q['choice'].pk}": "Aliens"})
    del bad[f"q{q['yesno'].pk}"]
    page = client.post(url, bad)
    assert page.status_code == 400
    assert page.content.count(b'class="error"') >= 3
    assert not SurveyResponse.objects.exists() and not Answer.objects.exists()
    assert COOKIE not in page.cookies


def test_area_outside_the_survey_is_refused(client, survey, areas):
    page = client.post(f"/community/engage/surveys/{survey.pk}/", answer_data(survey, areas["hood"]))
    assert page.status_code == 400 and not SurveyResponse.objects.exists()


def test_answers_are_rate_limited_per_client(client, survey, areas):
    from django.test import Client

    url = f"/community/engage/surveys/{survey.pk}/"
    statuses = [Client().post(url, answer_data(survey, areas["west"])).status_code for _ in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert SurveyResponse.objects.count() == 10


def test_unpublished_future_and_closed_surveys(client, survey, areas):
    url = f"/community/engage/surveys/{survey.pk}/"
    survey.closes_on = date.today() - timedelta(days=2)
    survey.opens_on = date.today() - timedelta(days=9)
    survey.save()
    closed = client.post(url, answer_data(survey, areas["west"]))
    assert b"This survey is closed" in closed.content and not SurveyResponse.objects.exists()
    survey.opens_on, survey.closes_on = date.today() + timedelta(days=3), date.today() + timedelta(days=9)
    survey.save()
    assert client.get(url).status_code == 404
    survey.published = False
    survey.opens_on = date.today() - timedelta(days=1)
    survey.save()
    assert client.get(url).status_code == 404
    assert client.get(url + "results/").status_code == 404


def test_home_lists_open_surveys(client, survey):
    page = client.get("/community/engage/")
    assert page.status_code == 200 and b"Safety after dark" in page.content
