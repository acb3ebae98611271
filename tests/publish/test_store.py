"""The stored public tables: `copps publish-refresh` rebuilds them from every event, idempotently
and in one transaction; `copps import` refreshes them; the public views read only them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.conftest import shared_data

from copps.incidents.models import Event
from copps.publish import store
from copps.publish.models import PublicCount, PublicRecord, PublishState


def _rows():
    fields = [f.name for f in PublicRecord._meta.concrete_fields if f.name != "id"]
    return sorted(PublicRecord.objects.values_list(*fields), key=repr)


def test_refresh_command_stores_generalised_records_and_is_idempotent(town):
    for i in range(20):
        town.event(days_ago=10 + i, at=i * 5, address=f"{4000 + i} ELM ST", district="AB"[i % 2])
    town.event(category="sex-offense", days_ago=40, address="77123 HIDDEN WAY")
    out = io.StringIO()
    call_command("publish_refresh", stdout=out)
    assert "21 records (1 sensitive" in out.getvalue()
    first, version = _rows(), store.version()
    assert len(first) == 21
    sensitive = PublicRecord.objects.get(sensitive=True)
    # a sensitive event keeps only what its count needs
    kept = (sensitive.date, sensitive.block, sensitive.lon, sensitive.beat, sensitive.cell_x)
    assert kept == (None, "", None, "", None)
    assert sensitive.category == "Sensitive offences"
    assert not PublicRecord.objects.filter(block__contains="4000").exists()
    assert set(PublicRecord.objects.filter(sensitive=False).values_list("block", flat=True)) == {"40XX ELM ST"}
    call_command("publish_refresh", stdout=io.StringIO())
    assert _rows() == first and store.version() == version + 1
    assert PublicCount.objects.filter(sensitive=True).get().n == 1


def test_a_failed_refresh_leaves_the_previous_tables(town, monkeypatch):
    for i in range(5):
        town.event(days_ago=10 + i, at=i)
    town.publish()
    before, version = _rows(), store.version()
    town.event(days_ago=12, at=40)

    def broken(chunk):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_insert", broken)
    with pytest.raises(RuntimeError):
        store.refresh()
    assert _rows() == before and store.version() == version


def test_views_read_the_store_not_the_events(client, town):
    town.event(days_ago=10)
    assert client.get(reverse("publish:public_api:events")).json()["features"] == []  # not refreshed yet
    town.publish()
    assert len(client.get(reverse("publish:public_api:events")).json()["features"]) == 1
    Event.objects.all().delete()  # the store stays as refreshed until the next refresh
    assert len(client.get(reverse("publish:public_api:events")).json()["features"]) == 1
    town.publish()
    assert client.get(reverse("publish:public_api:events")).json()["features"] == []


def test_map_api_answers_in_a_fixed_number_of_queries(client, town, django_assert_max_num_queries):
    for i in range(40):
        town.event(days_ago=10 + i % 20, at=i * 3, district="AB"[i % 2])
    town.publish()
    with django_assert_max_num_queries(6):
        assert len(client.get(reverse("publish:public_api:events")).json()["features"]) == 40
    with django_assert_max_num_queries(6):
        client.get(reverse("publish:public_api:grid"))


@pytest.mark.django_db
def test_import_refreshes_the_public_tables_once_the_site_publishes():
    sample = str(shared_data("chicago/chicago_crimes_2014_socrata_sample.csv"))
    call_command("import_events", sample, profile="chicago", stdout=io.StringIO())
    # a site that has not started publishing (no tables, no snap points) is not rebuilt on import
    assert not PublishState.objects.exists() and not PublicRecord.objects.exists()
    call_command("publish_refresh", stdout=io.StringIO())
    Event.objects.all().delete()
    out = io.StringIO()
    call_command("import_events", sample, profile="chicago", stdout=out)
    assert "Public tables rebuilt" in out.getvalue()
    assert PublicRecord.objects.count() == Event.objects.count() > 0
    assert PublishState.objects.get().records == Event.objects.count()


def test_cached_responses_are_the_same_gzipped_or_not_and_follow_a_refresh(client, town):
    import gzip
    import json

    for i in range(30):
        town.event(days_ago=10 + i, at=i * 3)
    town.publish()
    url = reverse("publish:public_api:events")
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert json.loads(gzip.decompress(packed.content)) == plain.json() and len(plain.json()["features"]) == 30
    town.event(days_ago=9, at=99)
    town.publish()
    assert len(client.get(url).json()["features"]) == 31


def test_events_outside_the_jurisdiction_or_impossible_are_counted_but_never_placed(town):
    inside = town.event(days_ago=10, at=3, address="4100 ELM ST")
    far = town.event(days_ago=11, at=4, address="4200 ELM ST")
    null = town.event(days_ago=12, at=5, address="4300 ELM ST")
    Event.objects.filter(pk=inside.pk).update(location="inside")
    Event.objects.filter(pk=far.pk).update(location="outside", lat=14.6, lon=121.0)  # geocoded abroad
    Event.objects.filter(pk=null.pk).update(location="invalid", lat=1e-06, lon=-2e-06)
    town.publish()
    placed = dict(PublicRecord.objects.values_list("block", "lon"))
    assert placed["41XX ELM ST"] is not None
    # the nearest snap point of a crash put in the Philippines is at the town's edge: not placed
    assert placed["42XX ELM ST"] is None and placed["43XX ELM ST"] is None
    assert PublicRecord.objects.count() == 3  # still counted in the tables


def test_an_offence_edited_into_a_sensitive_one_leaves_the_map_at_the_next_refresh(town):
    """The pipeline remembers each event's classification per process, keyed on everything that
    decides it: an offence edited in place (the admin; the import's row hash unchanged) into a
    sensitive one must be classified again, not published from the memory of the ordinary one
    (found by `make mutation-pipeline`: the key without the offence)."""
    event = town.event(offense="BURGLARY", days_ago=40)
    town.publish()
    assert PublicRecord.objects.filter(sensitive=False, date__isnull=False).count() == 1
    Event.objects.filter(pk=event.pk).update(offense="Intimate Partner - Simple Assault")
    town.publish()
    assert not PublicRecord.objects.filter(sensitive=False).exists()
    assert PublicRecord.objects.filter(sensitive=True, date__isnull=True, lon__isnull=True).count() == 1


def test_events_read_in_many_chunks_are_all_stored_and_classified(town, monkeypatch):
    """The pipeline reads events 2,000 at a time; with chunks of two, five events (one of them
    sensitive) come through three chunks, each stored once and classified (found by `make
    mutation-pipeline`: no test had more events than one chunk)."""
    from copps.publish import pipeline

    monkeypatch.setattr(pipeline, "_CHUNK", 2)
    for days_ago in (40, 41, 42, 43):
        town.event(days_ago=days_ago)
    town.event(days_ago=44, offense="Intimate Partner - Simple Assault")
    town.publish()
    assert PublicRecord.objects.filter(sensitive=False, date__isnull=False).count() == 4
    assert PublicRecord.objects.filter(sensitive=True, date__isnull=True).count() == 1


def test_a_stored_record_sits_on_a_snap_point_with_the_names_it_may_show(town):
    """What `store_rows` keeps of an ordinary event: a snap point (at 6 decimals, never the
    event's own place), the public category ("Other crime" when it has none), and the names of
    its district and beat (found by `make mutation-pipeline`: rounding, names and categories of
    stored records were checked by no test of the pipeline)."""
    from copps.incidents.models import OffenseCategory
    from copps.publish.pipeline import load_snaps

    town.event(days_ago=40, district="A")
    town.event(days_ago=41, district="B", category=None)
    town.publish()
    snaps = load_snaps()
    named, other = PublicRecord.objects.filter(sensitive=False).order_by("date").reverse()
    assert named.category == OffenseCategory.objects.get(code="burglary").name and other.category == "Other crime"
    assert (named.district, named.beat, other.district, other.beat) == ("North", "A1", "South", "B1")
    assert named.neighbourhood == "" == other.neighbourhood  # the town has none: no name is made up
    for record in (named, other):
        assert (record.lon, record.lat) == (round(record.lon, 6), round(record.lat, 6))
        assert min(abs(snaps.lon - record.lon) + abs(snaps.lat - record.lat)) < 2e-6
