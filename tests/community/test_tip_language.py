"""The anonymous-tip pages keep the visitor's language: the tip routes carry no cookie, so the
language is held in the URL (``/es/community/tip/``), and the pages' own links and form keep it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from tests.community.test_tips import ORIGIN

from copps.community.models import Tip

pytestmark = pytest.mark.django_db


def test_choosing_espanol_then_giving_a_tip_stays_spanish_though_the_tip_route_drops_the_cookie():
    client = Client()
    client.get("/community/report/")
    switched = client.post("/i18n/setlang/", {"language": "es", "next": "/community/report/"})
    assert switched["Location"] == "/es/community/report/"
    report = client.get(switched["Location"]).content.decode()
    # the report page's link to the tip form keeps the language in its URL
    assert 'href="/es/community/tip/"' in report
    tip_page = client.get("/es/community/tip/")
    body = tip_page.content.decode()
    assert '<html lang="es">' in body and "Hacer una denuncia anónima" in body
    assert "Give an anonymous tip" not in body.split("<main")[1]
    assert not tip_page.cookies  # still no cookie of any kind on the tip route
    # the form posts to the Spanish address, and the answer (with the tip id) is Spanish too
    assert 'action="/es/community/tip/"' in body
    token = re.search(r'name="form_token" value="([^"]+)"', body).group(1)
    sent = client.post("/es/community/tip/", {"topic": "drugs", "message": "Venden en la esquina", "form_token": token},
                       HTTP_ORIGIN=ORIGIN)
    assert sent.status_code == 200 and '<html lang="es">' in sent.content.decode()
    assert "Gracias: su denuncia fue enviada" in sent.content.decode()
    assert Tip.objects.count() == 1
    assert not sent.cookies


def test_the_spanish_tip_route_is_scrubbed_like_the_english_one():
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="canary-agent")
    client.cookies["django_language"] = "en"
    page = client.get("/es/community/tip/")
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"
    assert '<html lang="es">' in page.content.decode()  # the URL, not the (stripped) cookie


def test_the_tip_pages_language_links_need_no_cookie_or_form():
    body = Client().get("/es/community/tip/read/").content.decode()
    header = body[body.index("<header") : body.index("</header>")]
    assert 'href="/community/tip/read/"' in header and 'href="/es/community/tip/read/"' in header
    assert "csrfmiddlewaretoken" not in header
