"""Scanning the synthetic city proposes the candidates it planted, each with its evidence;
re-scanning does not duplicate; analysts promote or dismiss (with a reason)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.conftest import replayed
from tests.problems.conftest import audit_actions

from copps.incidents.models import Event
from copps.problems import checklist, promotion
from copps.problems.models import Candidate, Problem, SavedAnalysis
from copps.problems.scanning import ScanOptions, community, run
from copps.problems.scanning.base import Proposal

BEFORE_INTERVENTION = date(2024, 2, 6)


def near(c: Candidate, x: float, y: float, metres: float) -> bool:
    return math.dist((c.x, c.y), (x, y)) <= metres


@pytest.fixture
def scanned(imported, capsys):
    """The city scanned once per test process, its candidates replayed in later tests
    (tests/conftest.py), with what the scan printed."""

    def scan():
        call_command("candidates", "--today", BEFORE_INTERVENTION.isoformat(), "--permutations", "49")
        return capsys.readouterr().out

    return imported, replayed("synthetic city scanned", scan)


def test_scan_finds_the_planted_hot_spots(scanned):
    truth, out = scanned
    assert "hot_spot" in out and "proposed" in out
    spots = list(Candidate.objects.filter(kind="hot_spot"))
    found = [h["label"] for h in truth["hotspots"] if any(near(c, h["x"], h["y"], h["radius_m"] + 150) for c in spots)]
    assert len(found) >= 3, found
    assert "motel" in found and "commercial corner (intervention target)" in found
    top = max(spots, key=lambda c: c.score)
    ev = top.evidence
    assert ev["confidence"] == "99%" and ev["min_p"] < 0.01 and ev["events"] == top.score
    assert ev["hot_periods"] <= ev["periods"] == 4 and len(ev["events_by_period"]) == 4
    assert top.geometry["type"] in ("Polygon", "MultiPolygon")
    assert top.parameters["options"]["today"] == BEFORE_INTERVENTION.isoformat()


def test_scan_finds_the_risky_facilities(scanned):
    truth, _ = scanned
    risky = [f for f in truth["risky_facilities"]["facilities"] if f["risky"]]
    places = list(Candidate.objects.filter(kind="risky_place").order_by("-score"))
    assert len(places) >= 5
    hits = [c for c in places if any(near(c, f["x"], f["y"], 100) for f in risky)]
    assert len(hits) >= 0.7 * len(places), [c.title for c in places]
    ev = places[0].evidence
    assert ev["ratio_to_mean_place"] >= 10 and 0 < ev["gini"] < 1 and ev["by_kind"]["crime"] == ev["events"]


def test_scan_finds_near_repeat_waves_made_of_planted_waves(scanned):
    truth, _ = scanned
    planted = {i for w in truth["near_repeat"]["waves"] for i in (w["seed_id"], *w["offspring_ids"])}
    waves = list(Candidate.objects.filter(kind="near_repeat"))
    assert waves
    assert len(waves) <= ScanOptions().nr_max_candidates
    ranks = sorted(w.evidence["rank"] for w in waves)
    assert ranks == list(range(1, len(waves) + 1))
    by_rank = sorted(waves, key=lambda w: w.evidence["rank"])
    assert [w.evidence["events"] for w in by_rank] == sorted((w.evidence["events"] for w in waves), reverse=True)
    for w in waves:
        assert w.evidence["waves_proposed"] == len(waves) <= w.evidence["waves_found"]
        assert w.evidence["waves_merged"] >= 1
        assert w.evidence["knox_p"] <= 0.05 and w.evidence["knox_ratio"] > 1.5
        assert w.evidence["events"] >= 3 and w.evidence["last_day"] <= BEFORE_INTERVENTION.isoformat()
    incident_ids = {
        int(s) // 100000
        for s in Event.objects.filter(pk__in=[i for w in waves for i in w.evidence["event_ids"]]).values_list(
            "source_id", flat=True
        )
    }
    assert incident_ids & planted, "no wave holds a planted near-repeat burglary"


def test_scan_finds_the_collision_corridors_on_their_streets(scanned):
    truth, _ = scanned
    corridors = list(Candidate.objects.filter(kind="collision_corridor"))
    for planted in truth["collision_corridors"]:
        mid = ((planted["start"]["x"] + planted["end"]["x"]) / 2, (planted["start"]["y"] + planted["end"]["y"]) / 2)
        on_street = [c for c in corridors if c.evidence["street"] == planted["street"]]
        assert on_street, f"{planted['street']} not proposed; got {[c.title for c in corridors]}"
        nearest = min(on_street, key=lambda c: math.dist((c.x, c.y), mid))
        assert math.dist((nearest.x, nearest.y), mid) <= planted["length_m"] / 2 + 150, planted["street"]
        assert nearest.evidence["share_on_street"] >= 0.5 and nearest.evidence["collisions"] >= 10
    # most proposed corridors lie on a planted stretch
    assert len(corridors) <= 2 * len(truth["collision_corridors"])


def test_rescan_updates_instead_of_duplicating_and_respects_decisions(scanned, client_for):
    before = Candidate.objects.count()
    first_ids = set(Candidate.objects.values_list("pk", flat=True))
    dismissed = Candidate.objects.filter(kind="hot_spot").first()
    response = client_for("analyst").post(
        reverse("problems:dismiss", args=[dismissed.pk]), {"reason": "Mall security already covers this corner"}
    )
    assert response.status_code == 302
    report = run(None, ScanOptions(today=BEFORE_INTERVENTION, permutations=49))
    assert Candidate.objects.count() == before
    assert set(Candidate.objects.values_list("pk", flat=True)) == first_ids
    assert sum(r["created"] for r in report.values()) == 0
    assert report["hot_spot"]["kept"] >= 1
    dismissed.refresh_from_db()
    assert dismissed.status == "dismissed" and dismissed.times_seen == 2
    assert Candidate.objects.filter(status="open", times_seen=2).count() == before - 1


def test_promote_makes_a_problem_with_the_evidence(scanned, client_for):
    c = Candidate.objects.filter(kind="risky_place").order_by("-score").first()
    response = client_for("analyst").post(reverse("problems:promote", args=[c.pk]))
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert response["Location"] == reverse("problems:detail", args=[problem.pk])
    c.refresh_from_db()
    assert c.status == "promoted" and c.problem == problem and c.decided_by.username == "analyst"
    assert problem.polygon == c.geometry and problem.problem_type == "risky_facility" and problem.stage == "scanning"
    saved = SavedAnalysis.objects.get(problem=problem)
    assert saved.result == c.evidence and saved.parameters == c.parameters
    codes = [code for code, _ in c.evidence["top_categories"] if code != "unclassified"]
    assert codes and set(problem.categories.values_list("code", flat=True)) == set(codes)
    assert c.title in problem.summary
    assert audit_actions(object_type="candidate", action="candidate.promote") == ["candidate.promote"]
    assert audit_actions(object_type="problem") == ["problem.create"]
    # promoting twice does nothing more
    client_for("analyst").post(reverse("problems:promote", args=[c.pk]))
    assert Problem.objects.count() == 1


def test_officers_and_supervisors_cannot_promote_dismiss_or_scan(scanned, client_for):
    c = Candidate.objects.first()
    for role in ("officer", "supervisor"):
        client = client_for(role)
        assert client.post(reverse("problems:promote", args=[c.pk])).status_code == 403
        assert client.post(reverse("problems:dismiss", args=[c.pk]), {"reason": "not ours"}).status_code == 403
        assert client.post(reverse("problems:scan")).status_code == 403
        page = client.get(reverse("problems:candidate", args=[c.pk])).content
        assert b"Promote to a problem" not in page
    c.refresh_from_db()
    assert c.status == "open" and not Problem.objects.exists()


def test_dismiss_needs_a_reason(scanned, client_for):
    c = Candidate.objects.first()
    response = client_for("analyst").post(reverse("problems:dismiss", args=[c.pk]), {"reason": ""})
    assert response.status_code == 400 and b"This field is required" in response.content
    c.refresh_from_db()
    assert c.status == "open"


def test_candidate_pages_show_the_evidence(scanned, client_for):
    c = client_for("officer")
    listing = c.get(reverse("problems:candidates"))
    assert listing.status_code == 200 and b"Collision corridor" in listing.content
    cand = Candidate.objects.filter(kind="collision_corridor").first()
    page = c.get(reverse("problems:candidate", args=[cand.pk])).content.decode()
    assert cand.evidence["street"] in page and "Per km" in page and "Smallest p" in page and 'id="map-data"' in page
    assert c.get(reverse("problems:candidates") + "?kind=near_repeat&status=all").status_code == 200


@pytest.mark.django_db(transaction=True)  # the worker runs as it does outside tests: committed data
def test_scan_button_for_analysts(imported, client_for):
    analyst = client_for("analyst")
    response = analyst.post(reverse("problems:scan"), follow=True)
    assert response.status_code == 200 and b"Scan queued" in response.content
    assert b'data-status="READY"' in response.content and not Candidate.objects.exists()
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)  # the scan runs in the worker
    assert b"Scan done" in analyst.get(reverse("jobs:list")).content
    assert Candidate.objects.exists()
    assert audit_actions(action="candidates.scan") == ["candidates.scan"]


@pytest.mark.django_db
def test_community_requests_corroborate_only_when_the_excess_is_significant():
    from shapely.geometry import Point, box

    options = ScanOptions()
    city = box(0, 0, 10_000, 10_000)  # 100 km²
    at_motel = Proposal("hot_spot", "a", "k", 1000.0, 1000.0, Point(1000, 1000).buffer(150), 40.0, {"events": 40})
    far = Proposal("hot_spot", "b", "k2", 5000.0, 5000.0, Point(5000, 5000).buffer(150), 60.0, {"events": 60})
    # 8 requests at the motel, 2 near the far spot, 190 spread evenly over the city
    grid = [(250.0 + 500 * i, 250.0 + 500 * j) for i in range(20) for j in range(20)][:190]
    xs = [1000.0 + i for i in range(8)] + [5000.0, 5010.0] + [x for x, _ in grid] + [20_000.0]  # one outside
    ys = [1020.0] * 8 + [5000.0, 5000.0] + [y for _, y in grid] + [20_000.0]
    services = ["GRAF"] * 4 + ["DUMP"] * 4 + ["GRAF"] * 193
    marked = community.corroborate([at_motel, far], options, (xs, ys, services), city=city)
    # the motel's area (150 m + 200 m around it) is 0.385 km², 0.385% of the city: 200 requests predict 0.77
    ev = marked[0].evidence
    assert ev["community_requests"] == 8 + sum(1 for x, y in grid if math.dist((x, y), (1000, 1000)) <= 350)
    assert ev["community_expected"] == pytest.approx(200 * math.pi * 350**2 / 1e8, abs=0.1)
    assert ev["community_p"] < 1e-5 and ev["community_q"] <= 0.05 and ev["community_tested"] == 2
    assert marked[0].corroborated and marked[0].score == 60.0 and "DUMP" in ev["community_services"]
    # two requests where 0.77 are expected: a street's bad week, not corroboration
    assert not marked[1].corroborated and marked[1].score == 60.0
    assert marked[1].evidence["community_requests"] >= 2 and marked[1].evidence["community_q"] > 0.05
    assert "community_services" not in marked[1].evidence
    assert community.scan(options) == [] and community.request_points(options) is None  # no requests stored


@pytest.mark.django_db
def test_requests_spread_like_the_city_flag_nothing_and_the_fdr_counts_every_candidate():
    from shapely.geometry import Point, box

    city = box(0, 0, 10_000, 10_000)
    rng = np.random.default_rng(1)
    xs, ys = rng.uniform(0, 10_000, 2000), rng.uniform(0, 10_000, 2000)
    spots = [
        Proposal("hot_spot", str(i), str(i), x, y, Point(x, y).buffer(150), 10.0, {"events": 10})
        for i, (x, y) in enumerate(rng.uniform(1000, 9000, (20, 2)))
    ]
    marked = community.corroborate(spots, ScanOptions(), (xs, ys, ["GRAF"] * 2000), city=city)
    assert not any(p.corroborated for p in marked)  # requests as common everywhere: nothing stands out
    p = np.array([m.evidence["community_p"] for m in marked])
    q = np.array([m.evidence["community_q"] for m in marked])
    assert np.all(q >= p) and q.min() == pytest.approx(min(1.0, (p * 20 / (np.argsort(np.argsort(p)) + 1)).min()))



@pytest.mark.parametrize("kind", ["hot_spot", "risky_place", "near_repeat", "collision_corridor"])
def test_promoting_meets_the_scanning_gate_where_the_candidate_answers_it(scanned, client_for, kind):
    c = Candidate.objects.filter(kind=kind).order_by("-score").first()
    analyst = client_for("analyst")
    response = analyst.post(reverse("problems:promote", args=[c.pk]), follow=True)
    problem = Problem.objects.get()
    items = {row["check"]: row["met"] for row in checklist.evaluate(problem)}
    assert items == {"title_and_summary": True, "area": True, "categories": True, "owner": False, "evidence": True}
    page = response.content.decode()
    assert "Missing:</span> The offence or call categories" not in page
    assert "Missing:</span> An owner officer" in page  # the one thing a candidate cannot answer
    if kind == "near_repeat":  # the wave's own burglaries come along as linked events
        linked = set(problem.event_links.values_list("event_id", flat=True))
        assert linked == set(c.evidence["event_ids"])
        assert set(problem.categories.values_list("code", flat=True)) == {"burglary"}
    else:
        assert not problem.event_links.exists()


def test_candidate_categories_reads_every_scanner_s_lists():
    c = Candidate(
        kind="near_repeat",
        evidence={"categories": [["burglary", 4], ["unclassified", 1]], "severity": [["collision-injury", 2]]},
        parameters={"categories": ["burglary", "burglary-residential"]},
    )
    assert promotion.candidate_categories(c) == ["burglary", "unclassified", "collision-injury", "burglary-residential"]
    assert promotion.candidate_categories(Candidate(kind="request_cluster", evidence={"services": [["GRAF", 9]]})) == []


def test_overlapping_waves_merge_and_separate_ones_do_not():
    from copps.problems.scanning.near_repeat import merge_overlapping

    # three waves of three events: A and B 150 m apart with windows 5 days apart (one wave to work);
    # C on the same spot as A but two months later (a new wave)
    x = np.array([0, 10, 20, 170, 180, 190, 0, 10, 20], float)
    y = np.zeros(9)
    t = np.array([0, 2, 4, 9, 10, 12, 70, 71, 73], float)
    waves = [np.array([0, 1, 2]), np.array([3, 4, 5]), np.array([6, 7, 8])]
    groups = merge_overlapping(waves, x, y, t, distance=200, days=14)
    assert sorted(sorted(int(i) for w in g for i in w) for g in groups) == [[0, 1, 2, 3, 4, 5], [6, 7, 8]]
    # farther apart in space than the link distance: two waves
    x2 = x.copy()
    x2[3:6] += 500
    assert len(merge_overlapping(waves, x2, y, t, distance=200, days=14)) == 3


def test_the_scan_proposes_at_most_the_cap_of_waves_busiest_first(imported):
    from copps.problems.scanning import near_repeat as nr_scan

    options = ScanOptions(today=BEFORE_INTERVENTION, permutations=19, nr_days=365, nr_max_candidates=2)
    proposals = nr_scan.scan(options)
    assert len(proposals) == 2
    assert proposals[0].evidence["waves_found"] > 2 and proposals[0].evidence["waves_proposed"] == 2
    assert proposals[0].score >= proposals[1].score and [p.evidence["rank"] for p in proposals] == [1, 2]
