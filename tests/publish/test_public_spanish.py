"""The public portal pages follow the visitor's language: Spanish from Accept-Language."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from tests.publish.test_trends import _days_ago, _months_back, covered_through

pytestmark = pytest.mark.django_db


def _spanish(client, name):
    page = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    body = page.content.decode()
    assert '<html lang="es">' in body
    return body


def test_public_map_in_spanish(client):
    body = _spanish(client, "publish:map")
    assert "Mapa de delitos, llamadas y accidentes de tráfico" in body
    assert "Crime, calls and collisions map" not in body
    assert "Cómo se generalizan las ubicaciones" in body
    assert "How locations are generalised" not in body
    assert "Problemas en los que estamos trabajando" in body
    assert "Problems we are working on" not in body


def test_trends_page_in_spanish(client):
    body = _spanish(client, "publish:trends")
    assert 'id="trend-heading">Tendencias' in body and 'id="trend-heading">Trends' not in body
    assert "Más sobre los datos y las reglas de privacidad" in body
    assert "More about the data and the privacy rules" not in body


def test_public_map_stays_english_by_default(client):
    body = client.get(reverse("publish:map")).content.decode()
    assert "Crime, calls and collisions map" in body
    assert "Mapa de delitos, llamadas y accidentes de tráfico" not in body


@pytest.fixture
def history(town):
    """13 published months of burglaries in district A: 12 a month, then 40 in the latest."""
    months = _months_back(13)
    for m in months:
        n = 40 if m == months[-1] else 12
        for i in range(n):  # spread over the month: a fortnight with no event would be a gap in the data
            town.event(category="burglary", days_ago=_days_ago(m, 1 + i * 27 // n), district="A", at=i)
    covered_through(town, months[-1])
    town.publish()
    return months


def test_trend_and_compstat_tables_in_spanish(client, history):
    trends = client.get(reverse("publish:trends"), {"area": "city", "kind": "crime"}, HTTP_ACCEPT_LANGUAGE="es")
    body = trends.content.decode()
    assert trends.status_code == 200
    assert "Últimos 12 meses frente a los 12 anteriores" in body and "Last 12 months vs the 12 before" not in body
    assert "Recuentos mensuales de los últimos" in body and "Monthly counts for the last" not in body
    compstat = client.get(reverse("publish:compstat"), {"area": "city"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Mismo mes del año pasado" in compstat and "Same month last year" not in compstat
    assert "IC del 95%" in compstat and "95% CI" not in compstat


def test_the_filters_and_answer_forms_speak_spanish(client, history):
    """The forms on the public pages (the map's filters, the dashboards' area and kind, a problem's
    "has it improved?") come from Python, not templates: they follow the visitor's language too."""
    from copps.problems.models import Problem

    map_page = _spanish(client, "publish:map")
    for spanish, english in [("Toda la ciudad", "Whole city"), ("Todos los tipos", "All kinds"),
                             ("Llamada de servicio", "Call for service"), ("Todas las categorías", "All categories"),
                             (">Desde<", ">From<"), (">Mostrar<", ">Show<")]:
        assert spanish in map_page and english not in map_page, spanish
    trends = client.get(reverse("publish:trends"), {"area": "city", "kind": "crime"}, HTTP_ACCEPT_LANGUAGE="es")
    body = trends.content.decode()
    assert "Toda la ciudad" in body and "Distrito " in body and "Accidente de tráfico" in body
    assert "Whole city" not in body and "Traffic collision" not in body and ">Kind<" not in body
    problem = Problem.objects.create(title="Speeding on Elm", public=True, stage="response")
    page = client.get(reverse("publish:problem", args=[problem.pk]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No estoy seguro" in page and "¿Algo que añadir?" in page
    assert "Not sure" not in page and "Anything to add?" not in page
    bad = client.get(reverse("publish:map"), {"date_from": "2026-02-01", "date_to": "2026-01-01"},
                     HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "'Desde' debe ser anterior o igual a 'Hasta'." in html.unescape(bad)


def test_the_filters_stay_english_by_default(client):
    body = client.get(reverse("publish:map")).content.decode()
    assert "Whole city" in body and "Call for service" in body and ">Show<" in body
