"""The audit log is tamper evident and fails closed: rows are hash-chained and `copps audit
verify` finds an edited or deleted row; concurrent writers keep the chain whole; only auditors
read the log, and reading it is audited; when an audit row cannot be written, the sensitive
response is not sent."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from copps.accounts import audit, chain
from copps.accounts.models import AuditChainHead, AuditLog
from copps.incidents.models import Event, ImportBatch

SECRET_ADDRESS = "1234 CONFIDENTIAL VICTIM LANE"


def write_rows(n: int) -> list[int]:
    for i in range(n):
        audit.record("event.read", object_type="event", object_id=i, params={"q": f"beat {i}", "n": i})
    return list(AuditLog.objects.order_by("id").values_list("id", flat=True))


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=out)
    return out.getvalue()


def verify_fails() -> str:
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError, match="chain is broken"):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    return err.getvalue()


def raw(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_rows_are_chained_and_verify(db):
    ids = write_rows(5)
    rows = list(AuditLog.objects.order_by("id"))
    assert rows[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:], strict=False))
    assert AuditChainHead.objects.get().last_id == ids[-1]
    assert "OK: 5 audit rows, chain intact" in verify()


@pytest.mark.django_db
def test_verify_detects_an_edited_row(db):
    ids = write_rows(5)
    raw("UPDATE accounts_auditlog SET username = %s WHERE id = %s", "someone-else", ids[2])
    assert f"row {ids[2]}: its content does not match its hash" in verify_fails()


@pytest.mark.django_db
def test_verify_detects_an_edited_row_whose_hash_was_recomputed(db):
    ids = write_rows(5)
    row = AuditLog.objects.get(pk=ids[1])
    row.outcome = "denied"
    new_hash = chain.row_digest(row.prev_hash, row)
    raw("UPDATE accounts_auditlog SET outcome = 'denied', row_hash = %s WHERE id = %s", new_hash, ids[1])
    assert f"row {ids[2]}: its link to the previous row is broken" in verify_fails()


@pytest.mark.django_db
def test_verify_detects_an_edited_timestamp(db):
    ids = write_rows(3)
    raw("UPDATE accounts_auditlog SET at = %s WHERE id = %s",
        datetime(2020, 1, 1, tzinfo=UTC), ids[0])
    assert f"row {ids[0]}: its content does not match" in verify_fails()


@pytest.mark.django_db
def test_verify_detects_a_deleted_row(db):
    ids = write_rows(5)
    raw("DELETE FROM accounts_auditlog WHERE id = %s", ids[2])
    assert f"row {ids[3]}: its link to the previous row is broken" in verify_fails()


@pytest.mark.django_db
def test_verify_detects_deleted_newest_rows(db):
    ids = write_rows(5)
    raw("DELETE FROM accounts_auditlog WHERE id >= %s", ids[3])
    assert f"chain head: points at row {ids[4]}, but the chain ends at row {ids[2]}" in verify_fails()


def rechain_from(first_id: int) -> None:
    """What someone with write access to the database could do: recompute every hash from a row
    on and point the head at the new tip, leaving a chain that verifies on its own."""
    prev = AuditLog.objects.filter(id__lt=first_id).order_by("-id").values_list("row_hash", flat=True).first()
    prev = prev or chain.GENESIS
    last = None
    for row in AuditLog.objects.filter(id__gte=first_id).order_by("id"):
        digest = chain.row_digest(prev, row)
        raw("UPDATE accounts_auditlog SET prev_hash = %s, row_hash = %s WHERE id = %s", prev, digest, row.pk)
        prev, last = digest, row.pk
    raw("UPDATE accounts_auditchainhead SET last_hash = %s, last_id = %s", prev, last)


@pytest.mark.django_db
def test_an_anchor_outside_the_database_catches_a_rewritten_chain(db, tmp_path):
    anchors = tmp_path / "anchors.txt"
    ids = write_rows(4)
    call_command("audit", "anchor", str(anchors), stdout=StringIO())
    write_rows(2)
    call_command("audit", "anchor", str(anchors), stdout=StringIO())
    assert len(anchors.read_text().splitlines()) == 2
    out = StringIO()
    call_command("audit", "verify", "--anchors", str(anchors), stdout=out)
    assert "chain intact" in out.getvalue() and "2 anchor(s) held" in out.getvalue()
    # an edited row with the chain recomputed after it: the chain alone verifies ...
    raw("UPDATE accounts_auditlog SET username = %s WHERE id = %s", "nobody", ids[1])
    rechain_from(ids[1])
    assert "chain intact" in verify()
    # ... but not against the anchors kept elsewhere
    err = StringIO()
    with pytest.raises(CommandError, match="chain is broken in 2 place"):
        call_command("audit", "verify", "--anchors", str(anchors), stdout=StringIO(), stderr=err)
    assert f"row {ids[3]}: anchored on" in err.getvalue() and "rewritten" in err.getvalue()


@pytest.mark.django_db
def test_an_anchor_catches_newest_rows_deleted_with_the_head_fixed_up(db, tmp_path):
    anchors = tmp_path / "anchors.txt"
    ids = write_rows(5)
    call_command("audit", "anchor", str(anchors), stdout=StringIO())
    raw("DELETE FROM accounts_auditlog WHERE id >= %s", ids[3])
    rechain_from(ids[2])
    assert "chain intact" in verify()
    err = StringIO()
    with pytest.raises(CommandError, match="chain is broken"):
        call_command("audit", "verify", "--anchors", str(anchors), stdout=StringIO(), stderr=err)
    assert f"row {ids[4]}: anchored on" in err.getvalue() and "it is gone" in err.getvalue()


@pytest.mark.django_db
def test_a_bad_anchor_file_is_named_with_its_line(db, tmp_path):
    bad = tmp_path / "anchors.txt"
    bad.write_text("# anchors\n2026-12-04T10:00:00Z 12 abc\n")
    with pytest.raises(CommandError, match=r"anchors.txt, line 2: not an anchor"):
        call_command("audit", "verify", "--anchors", str(bad), stdout=StringIO())
    with pytest.raises(CommandError, match="cannot read the anchors"):
        call_command("audit", "verify", "--anchors", str(tmp_path / "missing.txt"), stdout=StringIO())


@pytest.mark.django_db
def test_verify_detects_a_deleted_chain_head(db):
    write_rows(2)
    raw("DELETE FROM accounts_auditchainhead")
    assert "chain head: missing" in verify_fails()


@pytest.mark.django_db
def test_record_many_chains_each_row(rf, db, cast):
    request = rf.get("/events/", {"beat": "1533"})
    request.user = cast["analyst"]
    audit.record_many("event.list", request=request, object_type="event", object_ids=[1, 2, 3],
                      params=request.GET.dict())
    assert AuditLog.objects.filter(action="event.list").count() == 3
    assert "OK: 9 audit rows" in verify()  # 6 account.create rows of the cast + 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(db):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("threads cannot share the in-memory SQLite test database; PostgreSQL runs this test")
    errors = []

    def writer(k: int) -> None:
        try:
            for i in range(15):
                audit.record("event.read", object_type="event", object_id=f"{k}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditLog.objects.count() == 120
    assert "OK: 120 audit rows, chain intact" in verify()


@pytest.fixture
def secret_event(db):
    batch = ImportBatch.objects.create(file_name="x.csv", sha256="0" * 64, profile="test", source="test",
                                       started_at=datetime(2026, 1, 1, tzinfo=UTC))
    return Event.objects.create(kind="crime", source="test", source_id="1", batch=batch, sensitive=True,
                                occurred_from=datetime(2026, 1, 1, tzinfo=UTC),
                                address=SECRET_ADDRESS, raw={"Address": SECRET_ADDRESS}, row_hash="x")


def test_event_detail_is_audited_before_it_is_shown(secret_event, mfa_client_for):
    page = mfa_client_for("analyst").get(reverse("incidents:detail", args=[secret_event.pk]))
    assert page.status_code == 200 and SECRET_ADDRESS.encode() in page.content
    assert AuditLog.objects.filter(action="event.read", object_id=str(secret_event.pk)).exists()


def test_fail_closed_no_audit_row_no_data(secret_event, cast, monkeypatch, mfa_client_for):
    mfa_client_for("analyst")  # sign in first: the sign-in itself is audited

    def broken(rows):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(chain, "append", broken)
    client = Client(raise_request_exception=False)
    client.cookies = mfa_client_for("analyst").cookies
    page = client.get(reverse("incidents:detail", args=[secret_event.pk]))
    assert page.status_code == 500
    assert SECRET_ADDRESS.encode() not in page.content and b"audit store" not in page.content


def test_only_auditors_read_the_log_and_reading_is_audited(client, cast, mfa_client_for):
    c = mfa_client_for("auditor")
    page = c.get(reverse("audit_log"), {"action": "account.create"})
    assert page.status_code == 200 and b"account.create" in page.content
    assert page["Cache-Control"] == "no-store"
    row = AuditLog.objects.filter(action="audit.read").get()
    assert row.username == "auditor" and row.params == {"action": "account.create"}


@pytest.mark.parametrize("role", ["resident", "officer", "analyst", "supervisor", "admin"])
def test_everyone_else_is_refused_and_the_attempt_audited(cast, mfa_client_for, role):
    page = mfa_client_for(role).get(reverse("audit_log"))
    assert page.status_code == 403 and b"account.create" not in page.content
    row = AuditLog.objects.filter(action="audit.read").get()
    assert row.username == role and row.outcome == "denied"


def test_the_admin_does_not_show_the_audit_log(cast, mfa_client_for):
    c = mfa_client_for("admin")
    assert c.get("/admin/accounts/auditlog/").status_code == 404


def test_audit_log_read_fails_closed(cast, monkeypatch, mfa_client_for):
    mfa_client_for("auditor")

    def broken(rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(chain, "append", broken)
    client = Client(raise_request_exception=False)
    client.cookies = mfa_client_for("auditor").cookies
    page = client.get(reverse("audit_log"))
    assert page.status_code == 500 and b"account.create" not in page.content
