"""Community requests in scanning: the planted request clusters become candidates, and police
candidates that residents also report are marked ("community reports point here too") and ranked
higher. Analysts run it from the browser with the Scan now button (POST + CSRF)."""

from __future__ import annotations

import math

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from tests.conftest import sign_in
from tests.problems.conftest import audit_actions

from copps.problems.models import Candidate
from copps.problems.scanning import ScanOptions, community, run


def test_request_points_are_the_geocoded_requests_of_the_window(with_requests):
    from copps.community.models import ServiceRequest

    pts = community.request_points(ScanOptions())
    assert pts is not None and (pts.last - pts.first).days == 364
    expected = ServiceRequest.objects.filter(
        lat__isnull=False, requested_at__date__gte=pts.first, requested_at__date__lte=pts.last
    ).count()
    assert len(pts) == expected and len(pts.x) == len(pts.service) == expected


def test_scan_proposes_the_planted_request_clusters(with_requests):
    truth = with_requests
    proposals = community.scan(ScanOptions())
    assert proposals and all(p.kind == "request_cluster" for p in proposals)
    found = [
        c
        for c in truth["request_clusters"]
        if any(math.dist((p.x, p.y), (c["x"], c["y"])) <= c["radius_m"] + 150 for p in proposals)
    ]
    assert len(found) == len(truth["request_clusters"])
    for p in proposals:
        assert p.evidence["requests"] >= 10 and p.evidence["min_p"] < 0.01 and p.score == p.evidence["requests"]
        assert len(p.evidence["request_ids"]) == min(p.evidence["requests"], 200)


def test_police_candidates_residents_also_report_rank_higher(with_requests, client_for):
    truth = with_requests
    run(["hot_spot", "request_cluster"], ScanOptions())
    motel = next(h for h in truth["hotspots"] if h["label"] == "motel")
    spots = list(Candidate.objects.filter(kind="hot_spot"))
    at_motel = min(spots, key=lambda c: math.dist((c.x, c.y), (motel["x"], motel["y"])))
    assert at_motel.corroborated and at_motel.evidence["community_requests"] >= community.MIN_REQUESTS
    assert at_motel.score == at_motel.evidence["events"] * community.CORROBORATION_FACTOR
    assert not Candidate.objects.filter(kind="request_cluster", corroborated=True).exists()
    c = client_for("analyst")
    page = c.get(reverse("problems:candidate", args=[at_motel.pk])).content.decode()
    assert "community reports point here too" in page and "<svg" in page and "problem-map" in page
    listing = c.get(reverse("problems:candidates")).context["candidates"]
    corroborated = [x.corroborated for x in listing]
    assert corroborated == sorted(corroborated, reverse=True)  # the corroborated come first
    cluster = Candidate.objects.filter(kind="request_cluster").first()
    page = c.get(reverse("problems:candidate", args=[cluster.pk])).content.decode()
    assert "Requests by service" in page and "Community request cluster" in page


@pytest.mark.django_db(transaction=True)  # the worker runs as it does outside tests: committed data
def test_scan_now_runs_every_scanner_for_analysts_only(with_requests, client_for, cast):
    assert client_for("officer").post(reverse("problems:scan")).status_code == 403
    assert not Candidate.objects.exists()
    response = client_for("analyst").post(reverse("problems:scan"), follow=True)
    assert b"Scan queued" in response.content
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)  # the scan runs in the worker
    assert b"Scan done" in client_for("analyst").get(reverse("jobs:list")).content
    assert Candidate.objects.filter(kind="request_cluster").count() >= 3
    assert audit_actions(action="candidates.scan", outcome="allowed") == ["candidates.scan"]
    assert audit_actions(action="candidates.scan", outcome="denied", username="officer") == ["candidates.scan"]


def test_scan_now_needs_a_csrf_token(with_requests, cast):
    c = sign_in(Client(enforce_csrf_checks=True), cast["analyst"])
    assert c.post(reverse("problems:scan")).status_code == 403
    assert not Candidate.objects.exists()


def test_the_flag_means_a_significant_excess_not_merely_some_requests_nearby(with_requests, client_for):
    run(None, ScanOptions(permutations=19))
    police = list(Candidate.objects.exclude(kind="request_cluster"))
    tested = [c for c in police if "community_p" in c.evidence]
    assert tested == police and all(c.evidence["community_tested"] == len(police) for c in police)
    flagged = [c for c in police if c.corroborated]
    assert flagged and len(flagged) < len(police), [(c.title, c.evidence["community_q"]) for c in police]
    assert all(c.evidence["community_q"] <= community.CORROBORATION_FDR for c in flagged)
    # with some requests near it but no significant excess, a candidate is not flagged
    plain = [c for c in police if not c.corroborated and c.evidence["community_requests"] >= community.MIN_REQUESTS]
    assert all(c.evidence["community_q"] > community.CORROBORATION_FDR for c in plain)
    page = client_for("analyst").get(reverse("problems:candidate", args=[flagged[0].pk])).content.decode()
    assert "community reports point here too" in page and "q = " in page and "tested together" in page
    quiet = next(c for c in police if not c.corroborated)
    page = client_for("analyst").get(reverse("problems:candidate", args=[quiet.pk])).content.decode()
    assert "community reports point here too" not in page and "not significantly more than chance" in page
