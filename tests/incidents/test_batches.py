"""Undo and re-apply (issue 15): `copps batches` lists and rolls back import batches, and
`copps import --reprocess` re-applies a changed profile to rows already imported."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from copps.accounts.models import AuditLog
from copps.incidents.models import Area, Event, ImportBatch, PriorVersion
from copps.publish.models import PublishState

PROFILE = """
[profile]
kind = "crime"
timezone = "America/Chicago"

[columns]
id = {id}
occurred_from = "WHEN"
offense = "WHAT"
address = "WHERE"
lat = "LAT"
lon = "LON"

[categories]
default = "other-crime"
{rules}
"""
BURGLARY_RULE = """[[categories.rule]]
pattern = "burgl"
category = "burglary"
"""
HEADER = "ID,CASE,WHEN,WHAT,WHERE,LAT,LON"
FIRST = [
    "1,A,2024-03-01 10:00,BURGLARY RESIDENCE,100 N MAIN ST,41.880,-87.630",
    "2,B,2024-03-02 11:00,THEFT,200 N MAIN ST,41.881,-87.631",
    "3,C,2024-03-03 12:00,BURGLARY GARAGE,300 N MAIN ST,41.882,-87.632",
]
# row 2 corrected (another offence), row 4 new
SECOND = [FIRST[0], "2,B,2024-03-02 11:00,ROBBERY,200 N MAIN ST,41.881,-87.631", FIRST[2],
          "4,D,2024-03-04 13:00,THEFT,400 N MAIN ST,41.883,-87.633"]  # fmt: skip


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def csv_file(tmp_path: Path, name: str, lines: list[str]) -> Path:
    return write(tmp_path, name, "\n".join([HEADER, *lines]) + "\n")


def profile(tmp_path: Path, *, rules: str = "", id: str = '"ID"') -> Path:
    return write(tmp_path, "city.toml", PROFILE.format(rules=rules, id=id))


def run(*args, **kw) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kw)
    return out.getvalue()


def snapshot() -> list[tuple]:
    fields = [f.attname for f in Event._meta.concrete_fields]
    return sorted(tuple(row) for row in Event.objects.values_list(*fields))


@pytest.mark.django_db
def test_rollback_deletes_what_the_batch_inserted_and_restores_what_it_updated(tmp_path):
    prof = str(profile(tmp_path))
    run("import_events", str(csv_file(tmp_path, "week1.csv", FIRST)), profile=prof)
    before = snapshot()
    out = run("import_events", str(csv_file(tmp_path, "week2.csv", SECOND)), profile=prof)
    assert "inserted 1, updated 1, unchanged 2" in out
    second = ImportBatch.objects.get(file_name="week2.csv")
    kept = PriorVersion.objects.get(batch=second)
    assert (kept.source_id, kept.offense, kept.change) == ("2", "THEFT", "updated")
    assert Event.objects.get(source_id="2").offense == "ROBBERY"

    listing = run("batches")
    assert "week1.csv" in listing and "week2.csv" in listing and "rolled back" not in listing
    shown = run("batches", "show", str(second.id))
    assert "a rollback would delete 1 events, restore 1 and put back 0" in shown

    out = run("batches", "rollback", str(second.id), "--by", "analyst1")
    assert "1 events it inserted deleted, 1 events it updated restored, 0 events it removed put back" in out
    assert snapshot() == before
    second.refresh_from_db()
    assert second.rolled_back_at is not None and second.rolled_back_by == "analyst1"
    assert not PriorVersion.objects.exists()
    audit = AuditLog.objects.get(action="import_batch.rollback")
    assert (audit.object_id, audit.username, audit.params["deleted"], audit.params["restored"]) == (
        str(second.id), "analyst1", 1, 1)  # fmt: skip
    assert "rolled back" in run("batches")

    with pytest.raises(CommandError, match="already rolled back"):
        run("batches", "rollback", str(second.id))


@pytest.mark.django_db
def test_rollback_refuses_while_a_later_batch_changed_the_same_events(tmp_path):
    prof = str(profile(tmp_path))
    run("import_events", str(csv_file(tmp_path, "week1.csv", FIRST)), profile=prof)
    run("import_events", str(csv_file(tmp_path, "week2.csv", SECOND)), profile=prof)
    first, second = ImportBatch.objects.order_by("id")
    before = snapshot()
    with pytest.raises(CommandError, match=rf"later batch\(es\) {second.id} changed the same events"):
        run("batches", "rollback", str(first.id))
    assert snapshot() == before and not AuditLog.objects.filter(action="import_batch.rollback").exists()
    # newest first: then the first batch goes too, and nothing is left
    run("batches", "rollback", str(second.id))
    out = run("batches", "rollback", str(first.id))
    assert "3 events it inserted deleted, 0 events it updated restored" in out
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_rollback_refuses_when_a_problem_holds_an_inserted_event_as_evidence(tmp_path):
    from copps.problems.models import EventLink, Problem

    run("import_events", str(csv_file(tmp_path, "week1.csv", FIRST)), profile=str(profile(tmp_path)))
    problem = Problem.objects.create(title="Garage burglaries")
    EventLink.objects.create(problem=problem, event=Event.objects.get(source_id="3"))
    with pytest.raises(CommandError, match="1 problems.EventLink"):
        run("batches", "rollback", str(ImportBatch.objects.get().id))
    assert Event.objects.count() == 3


@pytest.mark.django_db
def test_rollback_marks_the_public_tables_stale_and_reassigns_areas(tmp_path):
    square = {"type": "Polygon", "coordinates": [[[-87.7, 41.8], [-87.6, 41.8], [-87.6, 41.9], [-87.7, 41.9],
                                                  [-87.7, 41.8]]]}  # fmt: skip
    prof = str(profile(tmp_path))
    run("import_events", str(csv_file(tmp_path, "week1.csv", FIRST)), profile=prof)
    run("import_events", str(csv_file(tmp_path, "week2.csv", SECOND)), profile=prof)
    # a beat loaded after the second import: the restored version must be in it too
    beat = Area.objects.create(type="beat", code="111", name="111", geometry=square, min_lon=-87.7, min_lat=41.8,
                               max_lon=-87.6, max_lat=41.9)  # fmt: skip
    Event.objects.update(beat=beat)
    PublishState.objects.create(changes=5, published_changes=5)
    run("batches", "rollback", str(ImportBatch.objects.get(file_name="week2.csv").id))
    assert PublishState.objects.get().changes == 6
    restored = Event.objects.get(source_id="2")
    assert (restored.offense, restored.beat_id, restored.location) == ("THEFT", beat.id, "inside")


@pytest.mark.django_db
def test_reprocess_applies_corrected_category_rules_and_rollback_undoes_it(tmp_path):
    path = str(csv_file(tmp_path, "week1.csv", FIRST))
    run("import_events", path, profile=str(profile(tmp_path)))
    assert set(Event.objects.values_list("category__code", flat=True)) == {"other-crime"}
    before = snapshot()

    fixed = str(profile(tmp_path, rules=BURGLARY_RULE))
    out = run("import_events", path, profile=fixed)
    assert "inserted 0, updated 0, unchanged 3" in out
    assert "only with --reprocess" in out
    assert set(Event.objects.values_list("category__code", flat=True)) == {"other-crime"}

    out = run("import_events", path, profile=fixed, reprocess=True)
    assert "inserted 0, updated 2, unchanged 1" in out
    assert "reprocess: 2 events changed (category 2)" in out
    assert "categories: other-crime -> burglary 2" in out
    assert "0 events removed" in out
    assert dict(Event.objects.values_list("source_id", "category__code")) == {
        "1": "burglary", "2": "other-crime", "3": "burglary"}  # fmt: skip
    batch = ImportBatch.objects.get(reprocess=True)
    assert (batch.updated, batch.unchanged, batch.removed) == (2, 1, 0)
    # a second reprocess with the same profile changes nothing
    assert "updated 0, unchanged 3" in run("import_events", path, profile=fixed, reprocess=True)

    run("batches", "rollback", str(batch.id))
    assert snapshot() == before


@pytest.mark.django_db
def test_reprocess_removes_events_the_profile_no_longer_makes_and_rollback_puts_them_back(tmp_path):
    path = str(csv_file(tmp_path, "week1.csv", FIRST))
    run("import_events", path, profile=str(profile(tmp_path)))
    before = snapshot()
    # the corrected profile identifies rows by case number: the old ids are no longer produced
    out = run("import_events", path, profile=str(profile(tmp_path, id='"CASE"')), reprocess=True)
    assert "inserted 3, updated 0, unchanged 0" in out
    assert "3 events removed" in out
    assert sorted(Event.objects.values_list("source_id", flat=True)) == ["A", "B", "C"]
    batch = ImportBatch.objects.get(reprocess=True)
    assert batch.removed == 3
    run("batches", "rollback", str(batch.id))
    assert snapshot() == before


@pytest.mark.django_db
def test_rollback_refuses_to_put_back_an_event_whose_id_a_later_batch_reused(tmp_path):
    path = str(csv_file(tmp_path, "week1.csv", FIRST))
    run("import_events", path, profile=str(profile(tmp_path)))
    run("import_events", path, profile=str(profile(tmp_path, id='"CASE"')), reprocess=True)
    reprocess = ImportBatch.objects.get(reprocess=True)
    # the old profile again, on another file with the same rows: ids 1-3 are back, from batch 3
    run("import_events", str(csv_file(tmp_path, "again.csv", FIRST)), profile=str(profile(tmp_path)))
    again = ImportBatch.objects.get(file_name="again.csv")
    assert again.inserted == 3
    with pytest.raises(CommandError, match=rf"later batch\(es\) {again.id} changed the same events"):
        run("batches", "rollback", str(reprocess.id))
    run("batches", "rollback", str(again.id))
    run("batches", "rollback", str(reprocess.id))
    assert sorted(Event.objects.values_list("source_id", flat=True)) == ["1", "2", "3"]
