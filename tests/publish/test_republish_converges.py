"""The public tables' rebuild after an import is driven by a durable "stale" marker (issue 13,
item 9, check C09): an import that changes events marks the tables stale in its own transaction,
and only a committed rebuild clears the mark. A rebuild killed after its import committed is
therefore finished by the next `copps import` (even of the same, unchanged file) or by
`copps publish-refresh`; a rolled-back import marks nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from copps.incidents.models import Event
from copps.publish import store
from copps.publish.models import PublicRecord, PublishState

pytestmark = pytest.mark.django_db

PROFILE = """
[profile]
kind = "crime"
timezone = "America/Denver"
[columns]
id = "ID"
occurred_from = "WHEN"
offense = "OFFENSE"
address = "ADDRESS"
lat = "LAT"
lon = "LON"
[formats]
datetime = "%Y-%m-%d %H:%M"
"""


def files(tmp_path: Path, n: int, name: str = "events.csv") -> tuple[str, str]:
    profile = tmp_path / "town.toml"
    profile.write_text(PROFILE)
    lines = ["ID,WHEN,OFFENSE,ADDRESS,LAT,LON"]
    lines += [
        f"{i},2024-0{1 + i % 9}-1{i % 10} 10:00,theft,{1200 + i} ELM ST,39.7{i % 10},-104.9{i % 7}" for i in range(n)
    ]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return str(path), str(profile)


def run_import(path: str, profile: str) -> str:
    out = io.StringIO()
    call_command("import_events", path, profile=profile, stdout=out)
    return out.getvalue()


def published_site(tmp_path: Path) -> tuple[str, str]:
    """A site that publishes, with 5 events in its public tables."""
    path, profile = files(tmp_path, 5, "first.csv")
    run_import(path, profile)
    call_command("publish_refresh", stdout=io.StringIO())
    assert PublicRecord.objects.count() == 5 and not store.is_stale()
    return files(tmp_path, 12)


def import_with_the_rebuild_killed(path: str, profile: str, monkeypatch) -> None:
    """Import ``path`` while its rebuild dies after the import committed, as a SIGKILL during it
    would leave things: the 12 events are in, the public tables still hold the 5 and are stale."""

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed during the rebuild")

    with monkeypatch.context() as patched:
        patched.setattr(store, "refresh", killed)
        with pytest.raises(KeyboardInterrupt):
            run_import(path, profile)
    assert Event.objects.count() == 12  # the import committed ...
    assert PublicRecord.objects.count() == 5 and store.is_stale()  # ... its rebuild did not


def test_rerunning_the_unchanged_import_finishes_a_killed_rebuild(tmp_path, monkeypatch):
    path, profile = published_site(tmp_path)
    import_with_the_rebuild_killed(path, profile, monkeypatch)
    out = run_import(path, profile)  # the same file: nothing changes in the events
    assert "inserted 0" in out and "Public tables rebuilt" in out
    assert PublicRecord.objects.count() == Event.objects.count() == 12
    assert not store.is_stale()
    assert "Public tables rebuilt" not in run_import(path, profile)  # converged: no more rebuilds


def test_publish_refresh_finishes_a_killed_rebuild_and_if_stale_then_does_nothing(tmp_path, monkeypatch):
    path, profile = published_site(tmp_path)
    import_with_the_rebuild_killed(path, profile, monkeypatch)
    out = io.StringIO()
    call_command("publish_refresh", if_stale=True, stdout=out)
    assert "Public tables rebuilt" in out.getvalue() and PublicRecord.objects.count() == 12
    out = io.StringIO()
    call_command("publish_refresh", if_stale=True, stdout=out)
    assert "up to date" in out.getvalue() and not store.is_stale()


def test_an_import_that_rolls_back_marks_nothing(tmp_path):
    path, profile = published_site(tmp_path)
    bad = Path(path)
    bad.write_text(bad.read_text() + "99,not a date,theft,1 ELM ST,39.7,-104.9\n")
    before = PublishState.objects.values_list("changes", "published_changes").get()
    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(path, profile)
    assert PublishState.objects.values_list("changes", "published_changes").get() == before
    assert not store.is_stale()


def test_events_changed_during_a_rebuild_leave_the_tables_stale(tmp_path, monkeypatch):
    """An import that commits while a rebuild reads the events may be missed by it: the mark the
    rebuild clears is the one it started from, so the tables stay stale for the next run."""
    published_site(tmp_path)
    rows = store.store_rows

    def rows_while_an_import_commits(*args, **kwargs):
        store.mark_stale()  # in the rebuild's transaction here; on a server, another one's
        yield from rows(*args, **kwargs)

    monkeypatch.setattr(store, "store_rows", rows_while_an_import_commits)
    store.refresh()
    assert store.is_stale()


def test_a_site_that_does_not_publish_yet_is_not_rebuilt_on_import(tmp_path):
    path, profile = files(tmp_path, 3)
    assert "Public tables rebuilt" not in run_import(path, profile)
    assert not PublishState.objects.exists() and not store.is_stale()
