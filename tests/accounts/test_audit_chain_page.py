"""The auditors' chain page (issue 20): ``copps audit verify`` in the browser, the same check
(``chain.verify_all``) through HTTP: the rows checked, the first broken link, the external
anchors and whether the chain still holds them; only auditors and administrators open it, and
each run is itself audited, fail closed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from tests.accounts.test_audit_chain import raw, write_rows
from tests.conftest import sign_in

from copps.accounts import chain
from copps.accounts.models import AuditLog

pytestmark = pytest.mark.django_db
PAGE = "/accounts/audit/chain/"


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_a_good_chain_reads_intact(client, cast, role, settings):
    settings.COPPS_AUDIT_ANCHORS = ""
    write_rows(4)
    sign_in(client, cast[role])
    head = chain.anchor().row_hash  # the page's own audit row comes after the walk
    response = client.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Intact." in body and "audit rows checked." in body
    assert head in body  # the head's hash, to copy elsewhere
    assert "No anchors file is set" in body
    row = AuditLog.objects.get(action="audit.verify")
    assert row.user == cast[role] and row.params["intact"] is True and row.params["rows"] >= 4


def test_the_page_counts_the_same_rows_as_the_command(client, cast, settings):
    settings.COPPS_AUDIT_ANCHORS = ""
    write_rows(3)
    sign_in(client, cast["auditor"])
    expected = chain.verify_all().count  # what the command walks at this moment
    body = client.get(PAGE).content.decode()
    assert f'<dd id="rows-checked">{expected}</dd>' in body


def test_a_tampered_chain_shows_its_first_broken_link(client, cast, settings):
    settings.COPPS_AUDIT_ANCHORS = ""
    ids = write_rows(5)
    raw("UPDATE accounts_auditlog SET username = %s WHERE id = %s", "someone-else", ids[2])
    raw("UPDATE accounts_auditlog SET object_id = %s WHERE id = %s", "99", ids[3])
    response = sign_in(client, cast["auditor"]).get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200 and "Broken." in body and "2 breaks over" in body
    first = body[body.index('id="first-break"') : body.index("</p>", body.index('id="first-break"'))]
    assert f"row {ids[2]}: its content does not match its hash" in first
    row = AuditLog.objects.get(action="audit.verify")
    assert row.params["intact"] is False and row.params["breaks"][0].startswith(f"row {ids[2]}")


def test_the_anchors_are_listed_with_whether_the_chain_still_holds_them(client, cast, settings, tmp_path):
    anchors = tmp_path / "anchors.txt"
    settings.COPPS_AUDIT_ANCHORS = str(anchors)
    ids = write_rows(3)
    call_command("audit", "anchor", str(anchors))
    held = chain.anchor()
    sign_in(client, cast["auditor"])
    body = client.get(PAGE).content.decode()
    assert "Intact." in body and held.row_hash in body and ">Yes</td>" in body
    # a rewrite up to the anchored row, hashes recomputed: the chain alone verifies, the anchor does not
    raw("UPDATE accounts_auditlog SET username = %s WHERE id = %s", "rewritten", ids[0])
    prev = chain.GENESIS
    for row in AuditLog.objects.order_by("id"):
        digest = chain.row_digest(prev, row)
        raw("UPDATE accounts_auditlog SET prev_hash = %s, row_hash = %s WHERE id = %s", prev, digest, row.pk)
        prev = digest
    raw("UPDATE accounts_auditchainhead SET last_hash = %s", prev)
    body = client.get(PAGE).content.decode()
    assert "Broken." in body and "with another hash (the chain was rewritten up to here)" in body
    assert "<strong class=\"error\">No</strong>" in body


def test_an_unreadable_anchors_file_is_named_not_a_crash(client, cast, settings, tmp_path):
    bad = tmp_path / "anchors.txt"
    bad.write_text("not an anchor\n")
    settings.COPPS_AUDIT_ANCHORS = str(bad)
    body = sign_in(client, cast["auditor"]).get(PAGE).content.decode()
    assert f"{bad}, line 1: not an anchor" in body
    settings.COPPS_AUDIT_ANCHORS = str(tmp_path / "missing.txt")
    body = client.get(PAGE).content.decode()
    assert "cannot read the anchors" in body


@pytest.mark.parametrize("role", ["resident", "officer", "analyst", "supervisor"])
def test_other_roles_are_refused_and_the_refusal_is_audited(client, cast, role):
    response = sign_in(client, cast[role]).get(PAGE)
    assert response.status_code == 403 and b"auditors and administrators" in response.content.lower()
    assert AuditLog.objects.filter(action="audit.verify", outcome="denied", user=cast[role]).exists()
    assert not AuditLog.objects.filter(action="audit.verify", outcome="allowed").exists()


def test_anonymous_visitors_sign_in_first(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_menu_offers_the_chain_to_auditors_and_administrators_only(client, cast):
    for role, shown in (("auditor", True), ("admin", True), ("officer", False)):
        body = sign_in(Client(), cast[role]).get("/accounts/audit/chain/" if shown else "/problems/my-work/")
        menu = body.content.decode()
        menu = menu[menu.index('<nav aria-label="Main">') : menu.index("</nav>")]
        assert ("Audit chain" in menu) is shown, role


def test_the_chain_page_fails_closed(cast, audit_down):
    response = sign_in(Client(raise_request_exception=False), cast["auditor"]).get(PAGE)
    assert response.status_code == 500 and b"Intact" not in response.content


def test_the_chain_page_reads_in_spanish(client, cast, settings):
    settings.COPPS_AUDIT_ANCHORS = ""
    sign_in(client, cast["auditor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    body = client.get(PAGE).content.decode()
    assert "Cadena de auditoría" in body and "Íntegra." in body and "filas de auditoría comprobadas" in body
