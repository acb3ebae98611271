"""Profiles for schemas copps has no real file of here: police.uk street CSVs (their documented
columns) and SFPD incident reports 2018+ (as the synthetic city writes them)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F

from copps.incidents.models import Event, ImportBatch

POLICE_UK = """Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context
,2024-03,Lancashire Constabulary,Lancashire Constabulary,-2.700123,53.759001,On or near Fishergate,E01025300,Preston 013A,Anti-social behaviour,,
,2024-03,Lancashire Constabulary,Lancashire Constabulary,-2.700123,53.759001,On or near Fishergate,E01025300,Preston 013A,Anti-social behaviour,,
a1b2c3d4e5f6,2024-03,Lancashire Constabulary,Lancashire Constabulary,-2.701,53.76,On or near Church Street,E01025300,Preston 013A,Burglary,Investigation complete; no suspect identified,
f6e5d4c3b2a1,2024-03,Lancashire Constabulary,Lancashire Constabulary,,,No Location,,,Violence and sexual offences,Under investigation,
"""


@pytest.mark.django_db
def test_police_uk_street_csv(tmp_path):
    path = tmp_path / "2024-03-lancashire-street.csv"
    path.write_text(POLICE_UK)
    call_command("import_events", str(path), profile="police-uk")
    batch = ImportBatch.objects.get()
    assert (batch.read, batch.inserted, batch.identical, batch.ungeocoded) == (4, 4, 1, 1)
    burglary = Event.objects.get(source_id="a1b2c3d4e5f6")
    assert burglary.category.code == "burglary"
    assert burglary.occurred_to.month == 3 and burglary.occurred_to.day == 31  # the whole month
    assert Event.objects.get(source_id="f6e5d4c3b2a1").sensitive  # police.uk merges violence with sexual offences
    # The outcome changes in next month's download: the same Crime ID is updated, not duplicated.
    path.write_text(POLICE_UK.replace("Investigation complete; no suspect identified", "Offender charged"))
    call_command("import_events", str(path), profile="police-uk")
    assert ImportBatch.objects.order_by("-id").first().updated == 1
    assert Event.objects.count() == 4


@pytest.mark.django_db
def test_sfpd_incident_reports_from_the_synthetic_city(city):
    paths, _ = city
    call_command("import_events", str(paths["crimes"]), profile="sfpd")
    batch = ImportBatch.objects.get()
    assert batch.rejected == 0 and batch.inserted == batch.read > 100
    assert Event.objects.exclude(category__code="other-crime").count() > 0.6 * batch.inserted
    assert Event.objects.filter(reported_at__lt=F("occurred_from")).count() == 0
    intersections = Event.objects.exclude(address="")
    # SFPD writes intersections "A \\ B"; copps stores every one as "A & B" (geo.blocks.intersection)
    assert intersections.exists()
    assert all(" & " in e.block_address and "\\" not in e.block_address for e in intersections[:50])
    if connection.vendor == "sqlite":
        assert connection.cursor().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


@pytest.mark.django_db
def test_sfpd_domestic_violence_is_not_filed_as_an_offence_against_a_child(city):
    paths, _ = city
    call_command("import_events", str(paths["crimes"]), profile="sfpd")
    dv = Event.objects.filter(offense__icontains="domestic violence")
    assert dv.exists() and not dv.exclude(category__code="domestic-violence").exists()
    assert not dv.filter(sensitive=False).exists()
