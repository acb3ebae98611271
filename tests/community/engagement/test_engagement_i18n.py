"""Public pages in Spanish: from Accept-Language, or from the language switcher's cookie."""

from __future__ import annotations

import pytest
from django.conf import settings

PUBLIC_PAGES = [
    "/community/engage/",
    "/community/engage/meetings/",
    "/community/engage/beat-officer/",
    "/community/engage/subscribe/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_accept_language_es_renders_spanish(client, db, url):
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    body = page.content.decode()
    assert page.status_code == 200 and '<html lang="es">' in body
    assert "Reuniones" in body and "¿Quién es el agente de mi sector?" in body
    assert "Who is my beat officer?" not in body


def test_english_is_the_default(client, db):
    body = client.get("/community/engage/").content.decode()
    assert '<html lang="en' in body and "Work with your police department" in body


def test_survey_and_results_pages_in_spanish(client, survey):
    body = client.get(f"/community/engage/surveys/{survey.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Enviar mis respuestas" in body and "Sus respuestas son anónimas" in body
    results = client.get(f"/community/engage/surveys/{survey.pk}/results/", HTTP_ACCEPT_LANGUAGE="es")
    assert "intervalo de confianza del 95%" in results.content.decode()


def test_language_switcher_sets_the_cookie_and_returns_to_the_page(client, db):
    page = client.get("/community/engage/meetings/")
    assert 'name="language" value="es"' in page.content.decode()
    switched = client.post("/i18n/setlang/", {"language": "es", "next": "/community/engage/meetings/"})
    # back to the same page, now under the Spanish prefix that holds the choice in the URL
    assert switched.status_code == 302 and switched["Location"] == "/es/community/engage/meetings/"
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "Reuniones comunitarias" in client.get(switched["Location"]).content.decode()
    # the old address keeps working, in the language the cookie holds
    assert "Reuniones comunitarias" in client.get("/community/engage/meetings/").content.decode()
    back = client.post("/i18n/setlang/", {"language": "en", "next": "/es/community/engage/meetings/"})
    assert back["Location"] == "/community/engage/meetings/"
    assert "Community meetings" in client.get(back["Location"]).content.decode()


def test_public_portal_pages_carry_the_switcher_and_translated_banner(client, db):
    page = client.get("/public/about/", HTTP_ACCEPT_LANGUAGE="es")
    body = page.content.decode()
    assert page.status_code == 200 and 'value="es"' in body and "Modo de demostración" in body


def test_every_spanish_message_is_translated_and_compiled():
    from pathlib import Path

    po = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    # an empty msgstr followed by a blank line is an untranslated entry (the header is the only one allowed)
    assert text.count('msgstr ""\n\n') == 0
    assert po.with_suffix(".mo").exists()
