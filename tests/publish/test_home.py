"""The residents' front door at ``/``: what a visitor can do here, in their language, with the
public header and footer on every public page; signed-in staff go on to their work."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

SECTIONS = [
    "community:report",
    "community:tip",
    "publish:map",
    "publish:problems",
    "engagement:meetings",
    "engagement:beat_officer",
    "engagement:home",  # surveys
    "community:track-lookup",
]


def _main(body: str) -> str:
    return body[body.index("<main") : body.index("</main>")]


def test_an_anonymous_visitor_gets_the_public_home_with_a_link_to_each_section(client):
    page = client.get("/")
    assert page.status_code == 200
    body = page.content.decode()
    main = _main(body)
    for name in SECTIONS:
        assert f'href="{reverse(name)}"' in main, name
    assert "Emergency or crime happening now: call 911." in main
    # the staff sign-in is a link in the header, not the page
    header = body[body.index("<header") : body.index("</header>")]
    assert f'href="{reverse("login")}"' in header and 'name="password"' not in body


def test_the_home_page_in_spanish_links_to_the_spanish_sections(client):
    page = client.get("/es/")
    body = page.content.decode()
    assert page.status_code == 200 and '<html lang="es">' in body
    assert "Avisar de un problema" in body and "Report a concern" not in body
    main = _main(body)
    with translation.override("es"):
        for name in SECTIONS:
            assert f'href="{reverse(name)}"' in main, name
    assert 'href="/es/community/tip/"' in main


def test_the_home_page_follows_accept_language_at_its_plain_address(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in body and "Colaborar con su departamento de policía" in body


@pytest.mark.parametrize(
    ("role", "start"),
    [
        ("officer", "problems:my_work"),
        ("analyst", "problems:dashboard"),
        ("supervisor", "problems:waiting"),
        ("admin", "problems:waiting"),
    ],
)
def test_signed_in_staff_land_on_their_work(client_for, role, start):
    page = client_for(role).get("/")
    assert page.status_code == 302 and page["Location"] == reverse(start)


def test_a_signed_in_auditor_lands_on_the_audit_log(client_for):
    page = client_for("auditor").get("/")
    assert page.status_code == 302 and page["Location"] == reverse("audit_log")


PUBLIC_PAGES = [
    "/public/",
    "/public/about/",
    "/public/trends/",
    "/public/compstat/",
    "/public/problems/",
    "/public/service/",
    "/community/report/",
    "/community/track/",
    "/community/tip/",
    "/community/tip/read/",
    "/community/engage/",
    "/community/engage/meetings/",
    "/community/engage/beat-officer/",
    "/community/engage/watch/",
    "/community/engage/subscribe/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_the_public_header_and_footer(client, path):
    page = client.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    header = body[body.index("<header") : body.index("</header>")]
    footer = body[body.index('<footer class="public-footer"') :]
    assert f'href="{reverse("home")}"' in header and f'href="{reverse("community:report")}"' in header
    assert f'href="{reverse("community:tip")}"' in header and f'href="{reverse("login")}"' in header
    assert f'href="{reverse("publish:about")}"' in footer and "call 911" in footer
    assert "{#" not in body and "#}" not in body and "{%" not in body  # no template text leaks


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_answers_under_the_spanish_prefix_in_spanish(client, path):
    page = client.get(f"/es{path}")
    body = page.content.decode()
    assert page.status_code == 200 and '<html lang="es">' in body
    # its links keep the language: the header's sections are under /es/ too
    assert 'href="/es/community/report/"' in body and 'href="/es/public/"' in body


def test_staff_pages_have_no_spanish_prefix(client):
    assert client.get("/es/events/").status_code == 404
    assert client.get("/es/accounts/login/").status_code == 404


def test_the_header_has_no_staff_sign_in_link_for_a_signed_in_user(client_for):
    body = client_for("officer").get("/public/").content.decode()
    header = body[body.index("<header") : body.index("</header>")]
    assert not re.search(r'href="/accounts/login/"', header)
