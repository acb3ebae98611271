"""copps status: coverage per source and kind, the last imports, the public tables, the audit chain."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command, get_commands

from copps.accounts import audit
from copps.accounts.models import AuditChainHead
from copps.incidents.models import ImportBatch


def _status(**opts) -> str:
    out = io.StringIO()
    call_command("status", stdout=out, **opts)
    return out.getvalue()


def test_status_on_an_empty_database_says_there_is_nothing_yet(db):
    text = _status()
    assert "no events yet" in text
    assert "Last imports:\n  none" in text
    assert "never built" in text
    assert "0 rows; head at row 0, hash " + "0" * 64 in text


def test_status_lists_coverage_per_source_and_the_last_import(chicago):
    text = _status()
    batch = ImportBatch.objects.get()
    assert f"#{batch.pk} {batch.file_name} (chicago, chicago)" in text
    assert f"{batch.inserted} inserted" in text
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("crime") and "chicago" in ln)
    assert "events; data from 2014-" in line


def test_status_shows_the_audit_chain_head_without_creating_it(db, cast):
    audit.record("test.status", user=cast["admin"], object_type="x", object_id=1)
    head = AuditChainHead.objects.get()
    text = _status()
    assert f"head at row {head.last_id}, hash {head.last_hash}" in text
    assert AuditChainHead.objects.count() == 1


def test_status_shows_the_public_tables_version_after_a_refresh(chicago):
    call_command("publish_refresh", stdout=io.StringIO())
    assert "version 1," in _status()


@pytest.mark.parametrize(
    "name", ["demo", "serve", "simulate", "scan", "status", "backup", "restore", "publish_snap_points"]
)
def test_the_copps_commands_own_commands_live_in_the_operations_room(name):
    assert get_commands()[name] == "copps.operations"


def test_the_subscribers_digest_is_sent_by_publish():
    """It lists public problems: community (requests) does not know problems (docs/architecture.md)."""
    assert get_commands()["notify"] == "copps.publish"
