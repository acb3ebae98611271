"""Every incident, call and collision file in ../shared/data imports with its built-in profile,
with the counts that ../shared/data/README.md gives for it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from tests.conftest import shared_data

from copps.incidents.models import Event, ImportBatch

# file, profile, read, inserted, duplicate, superseded, identical, ungeocoded (README.md)
REAL_FILES = [
    ("sacramento/SacramentocrimeJanuary2006.csv", "sacramento", 7584, 7546, 38, 0, 0, 0),
    ("chicago/chicago_crimes_2014_socrata_sample.csv", "chicago", 6957, 6957, 0, 0, 0, 73),
    # One row per offence/victim, no offence id: every row kept, grouped by incident_no.
    ("cincinnati/cincinnati_burglary_2016_2018.csv.gz", "cincinnati", 8723, 8723, 0, 0, 137, 426),
    ("calls-for-service/seattle_spd_911_incident_response_2016_sample.csv", "seattle-911", 706, 706, 0, 0, 0, 0),
    # No ids and police.uk snapping: identical rows are separate incidents (README: 20,100 of them).
    ("uk-police/lancashire_asb_2022.tab", "police-uk-points", 56434, 56434, 0, 0, 20100, 0),
    ("collisions/nyc_nypd_motor_vehicle_collisions_2013_sample.csv", "nyc-collisions", 15643, 15643, 0, 0, 0, 2366),
    ("collisions/switrs_san_diego_CollisionRecords_2015.txt", "switrs", 10075, 10075, 0, 0, 0, 4822),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "relative, profile, read, inserted, duplicate, superseded, identical, ungeocoded",
    REAL_FILES,
    ids=[f[1] for f in REAL_FILES],
)
def test_real_file_imports_with_readme_counts(
    relative, profile, read, inserted, duplicate, superseded, identical, ungeocoded, capsys
):
    path = shared_data(relative)
    call_command("import_events", str(path), profile=profile)
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.duplicate, batch.superseded, batch.identical, batch.ungeocoded) == (
        read,
        inserted,
        duplicate,
        superseded,
        identical,
        ungeocoded,
    )
    assert batch.rejected == 0
    assert Event.objects.count() == inserted
    assert Event.objects.filter(lat__isnull=True).count() <= ungeocoded
    out = capsys.readouterr().out
    assert f"read {read:,}" in out and f"inserted {inserted:,}" in out

    # Re-importing the same file changes nothing.
    before = list(Event.objects.order_by("id").values_list("id", "row_hash", "batch_id", "category_id"))
    call_command("import_events", str(path), profile=profile)
    again = ImportBatch.objects.order_by("-id").first()
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, inserted)
    assert list(Event.objects.order_by("id").values_list("id", "row_hash", "batch_id", "category_id")) == before


@pytest.mark.django_db
def test_switrs_unsigned_longitudes_become_west_and_unknown_time_spans_the_day():
    call_command(
        "import_events", str(shared_data("collisions/switrs_san_diego_CollisionRecords_2015.txt")), profile="switrs"
    )
    geocoded = Event.objects.filter(lat__isnull=False)
    assert not geocoded.filter(lon__gt=0).exists()
    assert geocoded.filter(lon__lt=-116, lat__gt=32).count() == geocoded.count()
    unknown = Event.objects.filter(raw__COLLISION_TIME="2500")
    assert unknown.count() == 19
    for e in unknown:
        assert (e.occurred_to - e.occurred_from).total_seconds() == 86399


@pytest.mark.django_db
def test_chicago_domestic_flag_and_categories_mark_sensitive_events():
    call_command("import_events", str(shared_data("chicago/chicago_crimes_2014_socrata_sample.csv")), profile="chicago")
    domestic = Event.objects.filter(raw__Domestic="true")
    assert domestic.exists() and not domestic.filter(sensitive=False).exists()
    assert not Event.objects.filter(category__code="sex-offense", sensitive=False).exists()
    assert Event.objects.filter(category__code="burglary").count() == 411
    assert not Event.objects.filter(category__isnull=True).exists()
    assert (
        Event.objects.filter(block_address__regex=r"^\d+XX ").count() == Event.objects.exclude(block_address="").count()
    )


@pytest.mark.django_db
def test_sacramento_padded_beats_are_trimmed_and_hundred_blocks_hide_house_numbers():
    call_command("import_events", str(shared_data("sacramento/SacramentocrimeJanuary2006.csv")), profile="sacramento")
    assert not Event.objects.filter(source_beat__endswith=" ").exists()
    assert Event.objects.filter(source_beat="3C").exists()
    e = Event.objects.filter(address="3108 OCCIDENTAL DR").first()
    assert e.block_address == "31XX OCCIDENTAL DR"
    # 2-digit years and a 24-hour clock without leading zeros: January 2006 local time
    assert (
        Event.objects.filter(occurred_from__year=2006).count() + Event.objects.filter(occurred_from__year=2005).count()
        == 7546
    )
