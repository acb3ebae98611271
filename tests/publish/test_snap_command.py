"""`copps publish_snap_points` builds the fixed snap-point set and refuses to silently rebuild it."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from copps.geo.generalise import audit_snap_points
from copps.publish.models import SnapPoint
from copps.publish.snaps import load_snaps

PUBLISH = Path(__file__).resolve().parents[2] / "src" / "copps" / "publish"


@pytest.mark.django_db
def test_builds_from_the_synthetic_city_with_both_guarantees(capsys):
    from copps.simulate import build_city

    call_command("publish_snap_points", simulate_seed=7)
    stored = load_snaps()
    assert stored is not None and len(stored.snaps) > 1000
    city = build_city(seed=7, years=1, scale=0.01)
    report = audit_snap_points(stored.snaps, city.parcels.x, city.parcels.y)
    assert report.min_addresses >= 8 and report.min_offset_m >= 10.0
    assert SnapPoint.objects.filter(addresses__lt=8).count() == 0
    assert "each stands for at least 8 addresses" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--replace"):
        call_command("publish_snap_points", simulate_seed=7)


@pytest.mark.django_db
def test_builds_from_an_address_file(tmp_path, town):
    from copps.geo.crs import Projector

    lon, lat = Projector("EPSG:32610").inverse(town.addresses[:, 0], town.addresses[:, 1])
    path = tmp_path / "addresses.csv"
    path.write_text("lon,lat\n" + "".join(f"{a},{b}\n" for a, b in zip(lon, lat, strict=True)))
    call_command("publish_snap_points", addresses=path, replace=True)
    stored = load_snaps()
    report = audit_snap_points(stored.snaps, town.addresses[:, 0], town.addresses[:, 1])
    assert report.min_addresses >= 8 and report.min_offset_m >= 10.0
    assert np.isfinite(stored.lon).all()


def test_public_views_never_touch_event_rows():
    """Only the pipeline (and the snap builder) may import the Event model; views and the API render what it returns."""
    for name in ("views.py", "api.py", "export.py", "counts.py", "aggregate.py"):
        tree = ast.parse((PUBLISH / name).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
        assert "Event" not in imported, f"publish/{name} imports Event"
