"""Incremental publishing (issue 17, part 2): whatever changes events records which, in its own
transaction; a refresh makes again only those events' records and moves the monthly counts by the
difference, in one transaction. The result is exactly the full rebuild's, a refresh that dies
leaves the pending events for the next one, and a full rebuild stays available."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.publish.conftest import CRS
from tests.publish.test_republish_converges import files, run_import

from copps.geo.crs import Projector
from copps.incidents import daycounts, jurisdiction
from copps.incidents.importing.batches import rollback
from copps.incidents.models import Event, EventDayCount, ImportBatch, OffenseCategory
from copps.incidents.scanning import ScanFilter, daily_counts
from copps.publish import store
from copps.publish.models import PublicCellCount, PublicCount, PublicRecord, PublishPending, PublishState
from copps.publish.snaps import load_snaps, save_snaps

pytestmark = pytest.mark.django_db

_RECORD_FIELDS = [f.name for f in PublicRecord._meta.concrete_fields if f.name != "id"]
_COUNT_FIELDS = [f.name for f in PublicCount._meta.concrete_fields if f.name != "id"]
_CELL_FIELDS = [f.name for f in PublicCellCount._meta.concrete_fields if f.name != "id"]
_DAY_FIELDS = [f.name for f in EventDayCount._meta.concrete_fields if f.name != "id"]


def tables() -> tuple[list, list, list, list]:
    """The public tables (records, monthly counts, cell counts) and the staff day counts kept with
    them, without their row ids (a rebuild numbers its rows anew)."""
    records = sorted(PublicRecord.objects.values_list(*_RECORD_FIELDS), key=repr)
    counts = sorted(PublicCount.objects.values_list(*_COUNT_FIELDS), key=repr)
    cells = sorted(PublicCellCount.objects.values_list(*_CELL_FIELDS), key=repr)
    days = sorted(EventDayCount.objects.values_list(*_DAY_FIELDS), key=repr)
    return records, counts, cells, days


def kept_answers_as_counted() -> None:
    """The staff day counts answer as counting the events does (every event, sensitive ones too).
    Every kept answer is read first: counting classifies unclassified events' places, a change
    that leaves the kept table unread until the next refresh (and the counts as they were)."""
    assert daycounts.fresh()
    areas = (None, "district:A", "district:B", "beat:A1")
    filters = [ScanFilter(kind, (), area) for area in areas for kind in ("crime", None)]
    kept = [daily_counts(f) for f in filters]
    for f, k in zip(filters, kept, strict=True):
        counted = daily_counts(f, kept=False)
        assert sorted(zip(k.day.tolist(), k.category.tolist(), k.n.tolist(), strict=True)) == sorted(
            zip(counted.day.tolist(), counted.category.tolist(), counted.n.tolist(), strict=True)
        ), f


def full_rebuild() -> tuple[list, list, list, list]:
    store.refresh()
    return tables()


# One change to the events: a new event, an edit of one (by its position among the events),
# or a deletion. Edits move what the pipeline reads: time, report delay, category (a sensitive
# one too), flag, offence text, address, district, coordinates, location status and raw row.
_inserts = st.fixed_dictionaries(
    {
        "category": st.sampled_from(["burglary", "sex-offense", None]),
        "days_ago": st.integers(5, 120),
        "district": st.sampled_from("AB"),
        "at": st.integers(0, 400),
        "address": st.sampled_from(["", "4012 ELM ST", "JANE DOE RESIDENCE", "77 OAK AVE / ELM ST"]),
        "sensitive": st.booleans(),
        "reported_days_ago": st.none() | st.integers(0, 4),
    }
).map(lambda d: ("insert", d))
_edits = st.tuples(
    st.just("edit"),
    st.integers(0, 10_000),
    st.sampled_from(["time", "category", "sensitive", "offense", "address", "district", "place", "outside", "raw"]),
    st.integers(1, 60),
)
_deletes = st.tuples(st.just("delete"), st.integers(0, 10_000))
_batches = st.lists(st.one_of(_inserts, _edits, _deletes), min_size=1, max_size=6)


def apply(town, batch) -> list[int]:
    """Apply one batch of changes to the events, as an import would; return the ids it touched."""
    touched = []
    for op in batch:
        ids = list(Event.objects.order_by("id").values_list("id", flat=True))
        if op[0] == "insert" or not ids:
            args = op[1] if op[0] == "insert" else {}
            touched.append(town.event(**args).id)
            continue
        event = Event.objects.get(id=ids[op[1] % len(ids)])
        touched.append(event.id)
        if op[0] == "delete":
            event.delete()
            continue
        what, n = op[2], op[3]
        if what == "time":
            event.occurred_from -= timedelta(days=n)
        elif what == "category":
            codes = ["burglary", "sex-offense", None]
            code = codes[n % 3]
            event.category = OffenseCategory.objects.get(code=code) if code else None
        elif what == "sensitive":
            event.sensitive = not event.sensitive
        elif what == "offense":
            event.offense = ["BURGLARY", "DOMESTIC BATTERY", "THEFT"][n % 3]
        elif what == "address":
            event.address = f"{4000 + n} ELM ST"
        elif what == "district":
            d = "AB"[n % 2]
            event.district, event.beat = town.districts[d], town.beats[d]
        elif what == "place":
            x, y = town.addresses[(n * 37) % len(town.addresses)]
            lon, lat = Projector(CRS).inverse([x], [y])
            event.lon, event.lat, event.x, event.y = float(lon[0]), float(lat[0]), float(x), float(y)
        elif what == "outside":
            event.location = "inside" if event.location == "outside" else "outside"
        elif what == "raw":
            event.raw = {"Domestic": "Y"} if event.raw else {"Premise": "STREET"}
        event.row_hash = f"{event.row_hash}+"  # an importer changes it with the row
        event.save()
    return touched


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(_batches, min_size=1, max_size=3))
def test_an_incremental_refresh_gives_the_tables_a_full_rebuild_gives(town, batches):
    PublicRecord.objects.all().delete()
    PublicCount.objects.all().delete()
    PublicCellCount.objects.all().delete()
    PublishPending.objects.all().delete()
    PublishState.objects.all().delete()
    Event.objects.all().delete()
    for i in range(6):
        town.event(days_ago=10 + 7 * i, at=i * 11, district="AB"[i % 2], address=f"{4100 + i} ELM ST")
    town.publish()
    for batch in batches:
        store.mark_stale([apply(town, batch)])
        result = store.refresh_incremental(full_above=10.0)
        assert result.incremental, result.summary()
        incremental = tables()
        assert PublicRecord.objects.count() == Event.objects.count() == store.state().records
        assert not PublishPending.objects.exists() and not store.is_stale()
        assert incremental == full_rebuild()
        assert all(row[-1] > 0 for row in incremental[1] + incremental[2] + incremental[3])  # no group left at 0
        # every mapped record is counted in its kind's cell row
        assert sum(row[-1] for row in incremental[2] if row[1] is None) == sum(
            1 for r in incremental[0] if not r[_RECORD_FIELDS.index("sensitive")] and r[_RECORD_FIELDS.index("lon")]
        )
        kept_answers_as_counted()


def test_a_refresh_that_dies_leaves_the_pending_events_for_the_next(town, monkeypatch):
    for i in range(10):
        town.event(days_ago=10 + i, at=i)
    town.publish()
    before, version = tables(), store.version()
    new = [town.event(days_ago=3, at=50).id, town.event(category="sex-offense", days_ago=4).id]
    gone = Event.objects.order_by("id").first()
    store.mark_stale([[*new, gone.id]])
    gone.delete()

    def dies(delta):
        raise RuntimeError("killed while moving the counts")

    with monkeypatch.context() as patched:
        patched.setattr(store, "_adjust_counts", dies)
        with pytest.raises(RuntimeError):
            store.refresh_incremental(full_above=0.5)
    assert tables() == before and store.version() == version  # nothing of it committed
    assert store.is_stale() and store.pending() == 3
    result = store.refresh_incremental(full_above=0.5)
    assert result.incremental and result.events == 3 and result.removed == 1 and result.records == 2
    assert store.version() == version + 1 and not store.is_stale() and store.pending() == 0
    assert tables() == full_rebuild()


def test_what_every_record_depends_on_changing_means_a_full_rebuild(town):
    for i in range(10):
        town.event(days_ago=10 + i, at=i)
    town.publish()
    store.mark_stale([[town.event(days_ago=3).id]])
    stored = load_snaps()
    save_snaps(stored.snaps, stored.crs)  # the same points saved again: a new set for the records
    result = store.refresh_incremental()
    assert not result.incremental and "snap points" in result.summary()
    assert store.pending() == 0 and tables() == full_rebuild()


def test_a_change_not_listed_event_by_event_means_a_full_rebuild(town):
    for i in range(10):
        town.event(days_ago=10 + i, at=i)
    town.publish()
    store.mark_stale()  # e.g. an area import: every event may have moved
    result = store.refresh_incremental()
    assert not result.incremental and "not recorded one by one" in result.summary()
    assert store.pending() == 0 and not store.is_stale()


def test_many_pending_events_mean_a_full_rebuild(town):
    for i in range(10):
        town.event(days_ago=10 + i, at=i)
    town.publish()
    store.mark_stale([[town.event(days_ago=3).id for _ in range(3)]])
    result = store.refresh_incremental(full_above=0.2)
    assert not result.incremental and "3 events changed, more than 20% of the 10 records" in result.summary()


def test_publish_refresh_says_what_it_did(town):
    for i in range(10):
        town.event(days_ago=10 + i, at=i)
    out = io.StringIO()
    call_command("publish_refresh", stdout=out)
    assert "rebuilt in full (first build): 10 records" in out.getvalue()
    store.mark_stale([[town.event(days_ago=3, at=2).id]])
    out = io.StringIO()
    call_command("publish_refresh", if_stale=True, stdout=out)
    text = out.getvalue()
    assert "updated incrementally: 1 changed events made again, 0 records removed and 1 written" in text
    assert "11 records in all" in text and PublicRecord.objects.count() == 11
    out = io.StringIO()
    call_command("publish_refresh", if_stale=True, stdout=out)
    assert "nothing to refresh" in out.getvalue()
    out = io.StringIO()
    call_command("publish_refresh", full=True, stdout=out)
    assert "rebuilt in full (--full): 11 records" in out.getvalue()


def test_an_import_records_its_events_and_a_killed_refresh_converges_on_the_next_import(tmp_path, monkeypatch):
    path, profile = files(tmp_path, 40, "first.csv")
    run_import(path, profile)
    call_command("publish_refresh", stdout=io.StringIO())
    path, profile = files(tmp_path, 44)  # the same 40 rows and 4 new ones

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed during the refresh")

    with monkeypatch.context() as patched:
        patched.setattr(store, "_apply_pending", killed)
        with pytest.raises(KeyboardInterrupt):
            run_import(path, profile)
    assert Event.objects.count() == 44 and PublicRecord.objects.count() == 40
    assert store.is_stale() and store.pending() == 4
    out = run_import(path, profile)  # the same file: nothing changes in the events
    assert "inserted 0" in out and "updated incrementally: 4 changed events" in out
    assert PublicRecord.objects.count() == 44 and not store.is_stale() and store.pending() == 0
    assert tables() == full_rebuild()


def test_rolling_a_batch_back_records_the_events_it_removes(tmp_path):
    path, profile = files(tmp_path, 40, "first.csv")
    run_import(path, profile)
    call_command("publish_refresh", stdout=io.StringIO())
    lines = Path(path).read_text().splitlines()
    changed = tmp_path / "second.csv"
    # one row edited, three new ones
    edited = lines[1].replace("theft", "burglary")
    new = [f"{i},2024-02-11 10:00,theft,{1200 + i} ELM ST,39.71,-104.91" for i in range(100, 103)]
    changed.write_text("\n".join([lines[0], edited, *lines[2:], *new]) + "\n")
    assert "updated incrementally: 4 changed events" in run_import(str(changed), profile)
    batch = ImportBatch.objects.order_by("-id").first()
    rollback(batch.id)
    assert store.pending() == 4
    out = io.StringIO()
    call_command("publish_refresh", stdout=out)  # in the site's zone, as the import refreshed
    assert "updated incrementally: 4 changed events made again, 4 records removed and 1 written" in out.getvalue()
    assert PublicRecord.objects.count() == 40 and tables() == full_rebuild()


def test_a_location_status_recompute_records_the_events_it_moves(town):
    events = [town.event(days_ago=10 + i, at=i) for i in range(10)]
    jurisdiction.recompute()  # before the first build: nothing to record
    town.publish()
    assert store.pending() == 0
    Event.objects.filter(id=events[0].id).update(location="outside")  # a status gone stale
    jurisdiction.recompute()
    assert list(PublishPending.objects.values_list("event_id", flat=True)) == [events[0].id]
    jurisdiction.recompute()  # nothing moves: nothing recorded
    assert store.pending() == 1
    assert store.refresh_incremental(full_above=0.5).incremental and tables() == full_rebuild()


def test_the_staff_day_counts_keep_local_days_in_a_half_hour_zone(town):
    """In a zone half an hour off UTC (SQLite cannot count per UTC hour there), events either side
    of local midnight fall on the days counting them gives; a change of zone leaves the kept table
    unread until a rebuild."""
    with timezone.override(ZoneInfo("Asia/Kolkata")):
        for i, minutes in enumerate((-40, -20, 10, 25, 50)):
            event = town.event(days_ago=3 + i % 2, at=i, district="AB"[i % 2], category=("burglary", None)[i % 2])
            event.occurred_from = event.occurred_from.replace(hour=0, minute=0) + timedelta(minutes=minutes)
            event.save()
        town.publish()
        kept_answers_as_counted()
        assert len(daily_counts(ScanFilter("crime")).day) >= 3
    assert not daycounts.fresh()  # built in another zone than this one
