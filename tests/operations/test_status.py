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
    assert "Feeds:\n  none" in text
    assert "0 queued, 0 running, 0 failed in the last 24 hours; 0 worker(s)" in text
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


def test_status_shows_each_feed_with_its_last_run_and_the_queue_depth(db, tmp_path):
    from django.utils import timezone

    from copps.incidents.models import Feed, FeedRun

    folder = Feed.objects.create(name="rms-drop", kind="folder", location=str(tmp_path), profile="chicago")
    Feed.objects.create(name="soda", kind="socrata", location="https://data.example.org/x.json", profile="chicago",
                        enabled=False)
    FeedRun.objects.create(feed=folder, started_at=timezone.now(), state="failed", error="HTTP 500\nmore", added=0)
    FeedRun.objects.create(feed=folder, started_at=timezone.now(), state="succeeded", added=12, updated=3)
    call_command("jobs", "enqueue", "publish-refresh", stdout=io.StringIO())
    call_command("jobs", "enqueue", "notify", stdout=io.StringIO())
    text = _status()
    assert "  rms-drop (folder): last run " in text and " succeeded: 12 added, 3 updated, 0 rejected" in text
    assert "HTTP 500" not in text  # the newest run is the one shown
    assert "  soda (socrata) (disabled): never run" in text
    assert "2 queued, 0 running" in text


@pytest.mark.parametrize(
    "name", ["demo", "serve", "simulate", "scan", "status", "backup", "restore", "publish_snap_points"]
)
def test_the_copps_commands_own_commands_live_in_the_operations_room(name):
    assert get_commands()[name] == "copps.operations"


def test_the_subscribers_digest_is_sent_by_publish():
    """It lists public problems: community (requests) does not know problems (docs/architecture.md)."""
    assert get_commands()["notify"] == "copps.publish"
