"""Spanish done properly on the public pages: every msgid a public template uses has a reviewed
Spanish translation (none missing, none fuzzy), no two different English texts share one Spanish
text (the slip that put "Ver los resultados" on the report's submit button), and the pages say
what the catalogue says."""

from __future__ import annotations

from collections import defaultdict

import pytest
from tests.community.conftest import services  # noqa: F401 (fixture)
from tests.publish.translations import (
    fuzzy_msgids,
    missing_in_spanish,
    public_templates,
    python_msgids,
    spanish_catalogue,
    template_msgids,
)


def test_every_msgid_of_the_public_templates_has_spanish():
    templates = public_templates()
    assert len(templates) > 40, "the public templates were not found: the test would prove nothing"
    used = template_msgids(templates)
    assert len(used) > 250
    missing = missing_in_spanish(used)
    assert not missing, "untranslated in locale/es/LC_MESSAGES/django.po:\n" + "\n".join(missing)


def test_every_msgid_of_the_public_forms_and_choices_has_spanish():
    used = python_msgids()
    assert len(used) > 100
    missing = missing_in_spanish(used)
    assert not missing, "untranslated in locale/es/LC_MESSAGES/django.po:\n" + "\n".join(missing)


def test_no_entry_is_fuzzy():
    assert fuzzy_msgids() == []


def test_the_check_catches_an_untranslated_msgid(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('{% load i18n %}<p>{% translate "Report a concern" %}</p>'
                    '<p>{% blocktranslate with n=3 %}{{ n }} zebra crossings nobody translated'
                    '{% endblocktranslate %}</p>')
    missing = missing_in_spanish(template_msgids([page]))
    assert len(missing) == 1 and "zebra crossings" in missing[0]


def test_two_different_english_texts_never_share_a_spanish_one():
    """An entry shifted by one takes its neighbour's translation: "Send the report" said "Ver los
    resultados", "About you (optional)" said "Foto (opcional)". The same words in two contexts
    (a filter's and a table's "Category") may share one."""
    by_text = defaultdict(set)
    for key, text in spanish_catalogue().items():
        if key:
            by_text[text].add(key.split("\x04")[-1])
    shared = {text: sorted(ids) for text, ids in by_text.items() if len(ids) > 1}
    # Spanish has one word where English has two or three: reviewed, and allowed
    synonyms = {"Respuesta": ["Answer", "Reply", "Response"], "Estado": ["State", "Status"]}
    assert shared == synonyms


@pytest.mark.django_db
def test_the_report_form_says_send_and_about_you_in_spanish(client, services):  # noqa: F811
    body = client.get("/es/community/report/details/", {"service": services["GRAF"].pk, "address": "7512 Maple Ct"})
    body = body.content.decode()
    assert "Enviar el aviso</button>" in body and "Ver los resultados" not in body
    assert "<legend>Sobre usted (opcional)</legend>" in body
    assert "Foto (opcional)" in body  # the photo's own label, not the "about you" box's


@pytest.mark.django_db
def test_the_home_page_says_what_the_catalogue_says(client):
    body = client.get("/es/").content.decode()
    assert "Colaborar con su departamento de policía" in body and "Working with your police department" not in body


def test_every_offence_category_has_a_spanish_name():
    """The public pages name offence categories through the catalogue (trends, CompStat, the map's
    filter): each category of the taxonomy has its Spanish name there."""
    from copps.incidents.taxonomy import categories

    catalogue = spanish_catalogue()
    missing = [c["name"] for c in categories() if not catalogue.get(c["name"])]
    assert not missing


@pytest.mark.django_db
def test_the_report_form_offers_plain_translated_service_names(client, services):  # noqa: F811
    body = client.get("/es/community/report/").content.decode()
    assert ">Grafitis</option>" in body and "(GRAF)" not in body
    assert ">Graffiti</option>" in client.get("/community/report/").content.decode()


@pytest.mark.django_db
def test_the_map_filter_names_categories_in_spanish(client):
    body = client.get("/es/public/").content.decode()
    assert ">Allanamiento de morada</option>" in body and ">Burglary</option>" not in body
