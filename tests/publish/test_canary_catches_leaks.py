"""The canary test is not vacuous: break the pipeline or the problem pages and it fails each time."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tests.publish.test_canary import test_no_canary_house_number_or_close_point_leaves_through_any_public_url as canary

import copps.publish.pipeline as pipeline
from copps.geo.crs import Projector


def _trust_the_category_only(monkeypatch, town):
    monkeypatch.setattr(
        pipeline,
        "is_sensitive",
        lambda *, flagged, category_sensitive, offense, raw: bool(flagged or category_sensitive),
    )


def _snap_points_on_the_houses(monkeypatch, town):
    real = pipeline.load_snaps

    def on_houses():
        stored = real()
        ax, ay = town.addresses[::8, 0], town.addresses[::8, 1]
        snaps = dataclasses.replace(stored.snaps, x=ax, y=ay, addresses=np.full(len(ax), 8), min_offset_m=0.0)
        lon, lat = Projector("EPSG:32610").inverse(ax, ay)
        return dataclasses.replace(stored, snaps=snaps, lon=lon, lat=lat)

    monkeypatch.setattr(pipeline, "load_snaps", on_houses)


def _publish_the_address_as_given(monkeypatch, town):
    monkeypatch.setattr(pipeline, "public_block", lambda address: address)


def _show_every_problem(monkeypatch, town):
    from copps.problems.models import Problem
    from copps.publish import problem_pages

    monkeypatch.setattr(problem_pages, "_queryset", lambda: Problem.objects.all())


def _keep_house_numbers_in_summaries(monkeypatch, town):
    from copps.publish import problem_pages

    monkeypatch.setattr(problem_pages, "clean_text", lambda text: text)


@pytest.mark.parametrize(
    "breakage",
    [
        _trust_the_category_only,
        _snap_points_on_the_houses,
        _publish_the_address_as_given,
        _show_every_problem,
        _keep_house_numbers_in_summaries,
    ],
)
def test_the_canary_test_fails_when_the_pipeline_leaks(client, town, monkeypatch, breakage):
    breakage(monkeypatch, town)
    with pytest.raises(AssertionError):
        canary(client, town)
