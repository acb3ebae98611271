"""The cocoon-notice letter of a near-repeat prevention window: a PDF (drawn by the worker) for the
addresses within the radius, in English and Spanish, naming the hundred block and the beat officer
and nothing of the victim or the house; staff only, its making and its download audited; a plain
statement instead of a letter when no address points are loaded."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.problems.prevention_city import AS_OF, VICTIM
from tests.reports.conftest import pdf_by_job, pdf_text

from copps.accounts.models import AuditLog
from copps.problems import prevention
from copps.problems.models import PreventionWindow


@pytest.fixture
def window(place):
    place.history(near_repeats=True)
    place.new()
    prevention.scan(as_of=AS_OF)
    return PreventionWindow.objects.get()


def _no_event_details(text: str) -> None:
    assert "1234" not in text  # the event's house number, nor the victim's own house as an addressee
    assert VICTIM not in text and "VICTIM" not in text.upper() and "case-" not in text


@pytest.mark.django_db(transaction=True)
def test_the_letter_in_english_names_the_block_and_the_officer_and_nothing_of_the_victim(client_for, place, window):
    place.addresses()
    url = reverse("reports:cocoon-pdf", args=[window.pk]) + "?lang=en"
    form = client_for("officer").get(url).content.decode()
    assert "Make the PDF" in form
    response = pdf_by_job(client_for("officer"), url, {"lang": "en"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Crime prevention notice" in text and "a burglary was reported near your home" in text
    assert "12XX N MAPLE CT" in text and "Officer J. Ramos" in text and "555-0100 (station desk)" in text
    # the three neighbours within the radius, not the house 3 km away
    assert "1240 N MAPLE CT" in text and "1251 N MAPLE CT" in text and "1302 OAK ST" in text
    assert "9900" not in text
    assert "June 29, 2024" in text  # the day of the event, no time
    _no_event_details(text)
    made = AuditLog.objects.get(action="report.cocoon")
    assert made.username == "officer" and made.params["lang"] == "en" and made.params["addresses"] == 3
    assert AuditLog.objects.filter(action="report.download", username="officer").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_letter_in_spanish(client_for, place, window):
    place.addresses()
    url = reverse("reports:cocoon-pdf", args=[window.pk])
    text = pdf_text(pdf_by_job(client_for("supervisor"), url, {"lang": "es"}).content)
    assert "Aviso de prevención del delito" in text and "un robo en una vivienda" in text
    assert "12XX N MAPLE CT" in text and "Officer J. Ramos" in text and "29 de junio de 2024" in text
    assert "Crime prevention notice" not in text
    _no_event_details(text)


def test_without_address_points_the_page_says_so_instead_of_a_letter(client_for, window):
    page = client_for("officer").get(reverse("reports:cocoon-pdf", args=[window.pk]) + "?lang=es")
    body = page.content.decode()
    assert page.status_code == 200 and "No address points are loaded" in body and "Make the PDF" not in body
    queued = client_for("officer").post(reverse("reports:cocoon-pdf", args=[window.pk]), {"lang": "es"})
    assert queued.status_code == 200 and "No address points are loaded" in queued.content.decode()
    detail = client_for("officer").get(reverse("problems:prevention_window", args=[window.pk])).content.decode()
    assert "No address points are loaded" in detail


def test_an_unknown_language_is_refused_by_name(client_for, window):
    page = client_for("officer").get(reverse("reports:cocoon-pdf", args=[window.pk]) + "?lang=fr")
    assert page.status_code == 400 and "lang=&#x27;fr&#x27;: choose en or es" in page.content.decode()


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_non_staff_cannot_ask_for_the_letter(client_for, place, window, role):
    place.addresses()
    c = client_for(role)
    url = reverse("reports:cocoon-pdf", args=[window.pk])
    assert c.get(url).status_code == 403 and c.post(url, {"lang": "en"}).status_code == 403
    assert AuditLog.objects.filter(outcome="denied", username=role).count() == 2


def test_the_report_command_writes_the_letter(place, window, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no address points are loaded"):
        call_command("report", "cocoon", "--window", str(window.pk), "--out", str(tmp_path / "a.pdf"))
    place.addresses()
    out = tmp_path / "letter.html"
    call_command("report", "cocoon", "--window", str(window.pk), "--lang", "es", "--out", str(out))
    html = out.read_text()
    assert "Aviso de prevención del delito" in html and "1240 N MAPLE CT" in html and "1234" not in html
