"""The canary test is not vacuous: break the pipeline or the problem pages and it fails each time."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tests.publish.test_canary import test_no_canary_house_number_or_close_point_leaves_through_any_public_url as canary

import copps.publish.pipeline as pipeline
from copps.geo.crs import Projector

pytestmark = pytest.mark.slow


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


# -- the whole-site crawl (test_canary_community.py) fails when Open311, the front door or the
# engagement pages leak


def _open311_lists_withheld_requests(monkeypatch):
    from copps.community.models import ServiceRequest
    from copps.community.open311 import views

    real = views.parse_query

    def every_request(params):
        query = real(params)
        query.queryset = ServiceRequest.objects.select_related("service").order_by("-requested_at", "-id")
        return query

    monkeypatch.setattr(views, "parse_query", every_request)


def _open311_publishes_the_reported_point(monkeypatch):
    from copps.community.open311 import views
    from copps.community.open311.public import PublicPlace

    monkeypatch.setattr(views, "public_places", lambda rows: [PublicPlace(None, r.lat, r.lon) for r in rows])


def _private_meetings_listed(monkeypatch):
    from django.utils import timezone

    from copps.community.engagement.models import Meeting
    from copps.community.engagement.views import public

    monkeypatch.setattr(public, "_upcoming", lambda: Meeting.objects.filter(ends_at__gte=timezone.now()))


def _track_page_opens_with_a_public_id(monkeypatch):
    from django.db.models import Q

    from copps.community.models import ServiceRequest
    from copps.community.views import track

    monkeypatch.setattr(
        track, "_find", lambda key: ServiceRequest.objects.filter(Q(track_key=key) | Q(public_id=key)).first()
    )


def _survey_results_show_every_comment(monkeypatch):
    from copps.community.engagement import results

    real = results._summarise
    monkeypatch.setattr(results, "_summarise", lambda question, rows, area, public: real(question, rows, area, False))


@pytest.mark.parametrize(
    "breakage",
    [
        _open311_lists_withheld_requests,
        _open311_publishes_the_reported_point,
        _private_meetings_listed,
        _track_page_opens_with_a_public_id,
        _survey_results_show_every_comment,
    ],
)
def test_the_whole_site_crawl_fails_when_a_community_page_leaks(client, town, unthrottled, monkeypatch, breakage):
    from tests.publish.test_canary_community import crawl

    breakage(monkeypatch)
    with pytest.raises(AssertionError):
        crawl(client, town, "en")
