"""Intersections stored before copps wrote them one way are rewritten by the data migration
("HEATHER CT \\ SEQUOIA CT" becomes "HEATHER CT & SEQUOIA CT"); hundred blocks are left alone."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps

import copps.community.migrations as community_migrations

pytestmark = pytest.mark.django_db


def _migration():
    (path,) = Path(community_migrations.__file__).parent.glob("*_intersections_written_with_ampersand.py")
    return importlib.import_module(f"copps.community.migrations.{path.stem}")


def test_stored_intersections_are_rewritten_and_blocks_kept(make_request):
    crossing = make_request(block_address="HEATHER CT \\ SEQUOIA CT")
    slash = make_request(block_address="S KING ST / 8 AV S")
    block = make_request(block_address="75XX MAPLE CT")
    _migration().rewrite(apps, None)
    for request, expected in [(crossing, "HEATHER CT & SEQUOIA CT"), (slash, "S KING ST & 8 AV S"),
                              (block, "75XX MAPLE CT")]:
        request.refresh_from_db()
        assert request.block_address == expected
