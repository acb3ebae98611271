"""What staff write for the public, in English and Spanish (issue 18): surveys, meetings, public
problems and service names show the visitor's language, fall back to English where no translation
was written, and the Spanish text is cleaned like the English one."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.publish.test_service import requests  # noqa: F401  (the service figures' fixture)

from copps.community.engagement.models import Answer, Meeting, Question, Survey
from copps.community.models import Service
from copps.problems.models import Problem


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


@pytest.fixture
def survey(town):
    today = timezone.localdate()
    s = Survey.objects.create(
        title="Safety on your street", title_es="Seguridad en su calle", intro="Three questions.",
        intro_es="Tres preguntas.", opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=9),
        published=True,
    )
    s.areas.set([town.beats["A"]])
    Question.objects.create(survey=s, order=1, kind="scale", text="How safe do you feel after dark?",
                            text_es="¿Qué tan seguro se siente de noche?", low_label="very unsafe",
                            low_label_es="muy inseguro", high_label="very safe", high_label_es="muy seguro")
    Question.objects.create(survey=s, order=2, kind="choice", text="The biggest problem",
                            text_es="El mayor problema", choices=["Speeding", "Litter"],
                            choices_es=["Exceso de velocidad", "Basura"])
    Question.objects.create(survey=s, order=3, kind="yesno", text="Do you know your beat officer?")  # no Spanish
    return s


def test_a_survey_reads_in_the_visitors_language_and_stores_english_answers(client, survey):
    url = reverse("engagement:survey", args=[survey.pk])
    es = _text(client.get("/es" + url))
    assert "Seguridad en su calle" in es and "Tres preguntas." in es
    assert "¿Qué tan seguro se siente de noche?" in es and "1 = muy inseguro, 5 = muy seguro" in es
    assert "Exceso de velocidad" in es and "Basura" in es
    assert "Do you know your beat officer?" in es  # no Spanish written: the English text, not a blank
    en = _text(client.get(url))
    assert "Safety on your street" in en and "Seguridad" not in en and "Speeding" in en

    q = {x.order: x for x in survey.questions.all()}
    answer = {"area": survey.areas.get().pk, f"q{q[1].pk}": "4", f"q{q[2].pk}": "Litter", f"q{q[3].pk}": "1"}
    assert client.post("/es" + url, answer).status_code == 200  # the thank-you page
    assert Answer.objects.get(question=q[2]).choice == "Litter"  # the stored value stays the English option


def test_an_option_is_labelled_in_spanish_on_the_results(survey):
    from django.utils import translation

    from copps.community.engagement.templatetags.engagement import option_label

    question = survey.questions.get(order=2)
    with translation.override("es"):
        assert option_label("Litter", question) == "Basura" and option_label("yes", None) == "Sí"
    with translation.override("en"):
        assert option_label("Litter", question) == "Litter"


def test_staff_give_as_many_spanish_choices_as_english_ones_or_none(client_for, town):
    survey = Survey.objects.create(title="S", opens_on=timezone.localdate(), closes_on=timezone.localdate())
    url = reverse("engagement:staff_survey", args=[survey.pk])
    form = {"order": 1, "text": "Worst?", "text_es": "¿Peor?", "kind": "choice", "choices_text": "A\nB\nC",
            "choices_es_text": "Uno\nDos", "required": "on"}
    response = client_for("analyst").post(url, form)
    assert response.status_code == 400
    assert "Give one Spanish choice for each of the 3 choices, or none." in _text_any(response)
    assert client_for("analyst").post(url, {**form, "choices_es_text": "Uno\nDos\nTres"}).status_code == 302
    assert Question.objects.get(survey=survey).choices_es == ["Uno", "Dos", "Tres"]


def _text_any(response) -> str:
    return html.unescape(response.content.decode())


def test_meetings_public_problems_and_services_in_spanish(client, town, requests):  # noqa: F811
    start = timezone.now() + timedelta(days=3)
    Meeting.objects.create(title="Beat meeting", title_es="Reunión del sector", description="Bring questions.",
                           description_es="Traiga sus preguntas.", area=town.beats["A"], place="Sunrise Library",
                           starts_at=start, ends_at=start + timedelta(hours=1), public=True)
    es = _text(client.get("/es" + reverse("engagement:meetings")))
    assert "Reunión del sector" in es and "Traiga sus preguntas." in es and "Beat meeting" not in es

    problem = Problem.objects.create(
        title="Car break-ins at the lot", title_es="Robos de autos en el estacionamiento", public=True,
        stage="response", summary="Cars broken into at night.",
        summary_es="Autos forzados de noche cerca de 4521 Sunridge Blvd; llame al 916-555-0101.",
    )
    page = _text(client.get("/es" + reverse("publish:problem", args=[problem.pk])))
    assert "Robos de autos en el estacionamiento" in page and "Autos forzados de noche" in page
    # the Spanish summary is cleaned as the English one is: no house number, no phone number
    assert "45XX Sunridge Blvd" in page and "4521" not in page and "555-0101" not in page
    assert "Car break-ins at the lot" in _text(client.get(reverse("publish:problem", args=[problem.pk])))

    Service.objects.filter(service_code="GRAF").update(name_es="Pintadas")
    figures = _text(client.get("/es" + reverse("publish:service")))
    assert "Pintadas" in figures and "Graffiti" not in figures
    assert "Graffiti" in _text(client.get(reverse("publish:service")))
    # Open311 keeps the service's own name (the standard has no language)
    services = client.get(reverse("open311:services", kwargs={"fmt": "json"})).json()
    assert {s["service_name"] for s in services} >= {"Graffiti"}
