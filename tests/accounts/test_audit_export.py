"""The auditor's audit log: an outcome filter (the refusals) and the filtered rows as CSV through
copps' one CSV writer (formula cells made inert), the export audited before it is sent."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from tests.conftest import sign_in

from copps.accounts import audit
from copps.accounts.models import AuditLog

URL = reverse("audit_log")


@pytest.fixture
def rows(cast):
    audit.record("problem.list", user=cast["officer"], object_type="problem")
    audit.record("staff.access", user=cast["resident"], object_type="path", object_id="/events/", outcome="denied")
    audit.record("staff.access", user=cast["resident"], object_type="path", object_id="=HYPERLINK(1)",
                 outcome="denied")


def test_the_outcome_filter_shows_the_refusals_only(client, cast, rows):
    body = sign_in(client, cast["auditor"]).get(URL, {"outcome": "denied"}).content.decode()
    assert "2 rows" in body and "problem.list" not in body.split("</form>")[1]


def test_the_csv_export_holds_the_filtered_rows_escaped_and_is_audited(client, cast, rows):
    response = sign_in(client, cast["auditor"]).get(URL, {"outcome": "denied", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["object_id"] for r in table] == ["/events/", "'=HYPERLINK(1)"]
    assert {r["outcome"] for r in table} == {"denied"} and all(len(r["row_hash"]) == 64 for r in table)
    export = AuditLog.objects.get(action="audit.export")
    assert export.username == "auditor" and export.params == {"outcome": "denied"}


@pytest.mark.parametrize("role", ["officer", "supervisor", "admin", "resident"])
def test_only_auditors_export(client, cast, rows, role):
    response = sign_in(client, cast[role]).get(URL, {"format": "csv"})
    assert response.status_code == 403 and b"Auditors." in response.content
    assert not AuditLog.objects.filter(action="audit.export").exists()
