"""Sensitive offences filed under the wrong category never reach the public map.

Every description of the sensitive corpus (tests/incidents/data/sensitive_offences.txt) is
imported through the real importer under a wrong, non-sensitive category, half with the words
in the offence column and half in a free-text description column; the public tables are then
rebuilt by `copps publish_refresh` and read back through the public map API. None may appear
as a point; ordinary offences imported beside them are published, bar a bounded few.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import numpy as np
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from tests.incidents.corpus import FALSE_SUPPRESSION_BOUND, ordinary_offences, sensitive_offences
from tests.publish.conftest import CRS

from copps.geo.crs import Projector
from copps.incidents.models import Event
from copps.publish.models import PublicRecord

WRONG = ["burglary", "larceny", "vandalism", "simple-assault", "other-crime"]

PROFILE = """
[profile]
kind = "crime"
timezone = "UTC"
[columns]
id = "ID"
occurred_from = "OCCURRED"
offense = "OFFENSE"
description = "NARRATIVE"
address = "ADDRESS"
lat = "LAT"
lon = "LON"
[formats]
datetime = "%Y-%m-%d %H:%M"
[categories]
default = "other-crime"
"""
PROFILE += "".join(f'[[categories.rule]]\ncolumn = "CAT"\npattern = "^{c}$"\ncategory = "{c}"\n' for c in WRONG)


def _write(tmp_path, town):
    when = (timezone.now() - timedelta(days=40)).strftime("%Y-%m-%d 12:00")
    xy = town.addresses
    lon, lat = Projector(CRS).inverse(xy[:, 0], xy[:, 1])
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["ID", "OCCURRED", "OFFENSE", "NARRATIVE", "ADDRESS", "LAT", "LON", "CAT"])
    rows = [("S", text, "HIDDEN WAY") for text in sensitive_offences()]
    rows += [("O", text, "ELM ST") for text in ordinary_offences()]
    for i, (prefix, text, street) in enumerate(rows):
        offense, narrative = (text, "") if i % 2 else ("OTHER", text)
        j = (i * 7) % len(xy)
        w.writerow([f"{prefix}{i}", when, offense, narrative, f"{4000 + i} {street}", lat[j], lon[j], WRONG[i % 5]])
    (tmp_path / "corpus.toml").write_text(PROFILE)
    (tmp_path / "corpus.csv").write_text(out.getvalue())
    return tmp_path / "corpus.csv", tmp_path / "corpus.toml"


def test_no_sensitive_offence_under_a_wrong_category_is_published(client, town, tmp_path):
    path, profile = _write(tmp_path, town)
    call_command("import_events", str(path), profile=str(profile), stdout=io.StringIO())
    n_sensitive, n_ordinary = len(sensitive_offences()), len(ordinary_offences())
    hidden = Event.objects.filter(source_id__startswith="S")
    assert hidden.count() == n_sensitive
    # the importer filed them all under the wrong, non-sensitive categories ...
    assert not hidden.filter(category__sensitive=True).exists()
    assert set(hidden.values_list("category__code", flat=True)) == set(WRONG)
    # ... and still marked every one sensitive from its own words
    assert list(hidden.filter(sensitive=False).values_list("offense", "raw__NARRATIVE")) == []

    call_command("publish_refresh", stdout=io.StringIO())
    assert not PublicRecord.objects.filter(sensitive=False, block__contains="HIDDEN").exists()
    assert PublicRecord.objects.filter(sensitive=True, date__isnull=True, lon__isnull=True).count() >= n_sensitive
    features = client.get(reverse("publish:public_api:events")).json()["features"]
    blocks = [f["properties"]["block"] for f in features]
    assert not any("HIDDEN" in b for b in blocks)
    # ordinary offences beside them are published, bar a bounded few
    published = sum("ELM ST" in b for b in blocks)
    assert published >= (1 - FALSE_SUPPRESSION_BOUND) * n_ordinary
    assert np.isfinite([f["geometry"]["coordinates"] for f in features]).all()
