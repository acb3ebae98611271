"""The canary test: seed unique strings into every field that must stay private, and sensitive
events (some mislabelled) at exact locations; crawl every public URL and download; find none
of them, no house number, no point nearer a true location than the generalisation allows."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import numpy as np
import pytest
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from tests.publish.conftest import CRS

from copps.geo.blocks import has_house_number
from copps.geo.crs import Projector
from copps.incidents.models import Area, OffenseCategory
from copps.publish import urls as publish_urls
from copps.publish.conf import rules

HOUSE_NUMBERS = [str(47_311 + 12 * i) for i in range(40)]


def public_urls(pks: tuple[int, ...] = ()) -> list[str]:
    """Every URL of the publish URL conf (pages, API, downloads), found by walking it; a pattern
    that takes an object's ``pk`` is asked for each of ``pks`` (public and private objects)."""
    out = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}:{p.namespace}" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                groups = set(p.pattern.regex.groupindex)
                if not groups:
                    out.append(reverse(f"{namespace}:{p.name}"))
                elif groups == {"pk"}:
                    out.extend(reverse(f"{namespace}:{p.name}", kwargs={"pk": pk}) for pk in pks)
                else:
                    raise AssertionError(f"the canary crawl does not know how to fill {p.pattern}")

    walk(publish_urls.urlpatterns, "publish")
    return sorted(set(out))


def _seed(town):
    """Non-sensitive events with canaries in private fields; sensitive ones, several mislabelled."""
    for i, number in enumerate(HOUSE_NUMBERS):
        town.event(
            category=["burglary", "larceny", "vandalism", "simple-assault"][i % 4],
            days_ago=10 + i % 30,
            district="AB"[i % 2],
            at=i * 7,
            address=f"{number} ELM ST APT {i}",
            offense=f"BURGLARY CANARY-OFFTEXT-{i}",
            raw={
                "Victim Name": f"CANARY-VICTIM-{i}",
                "Narrative": f"CANARY-NARR-{i} went in",
                "Reporter Phone": f"CANARY-PHONE-{i}",
                "Address": f"{number} ELM ST",
            },
        )
        town.canaries += [f"CANARY-OFFTEXT-{i}", f"CANARY-VICTIM-{i}", f"CANARY-NARR-{i}", f"CANARY-PHONE-{i}"]
    town.house_numbers += HOUSE_NUMBERS
    sensitive = [
        # (category, importer flag, offense, raw): each must be caught by a different signal
        ("sex-offense", False, "CANARY-S1 ASSAULT", {}),  # category
        ("burglary", False, "BURGLARY", {"Incident Description": "DOMESTIC CANARY-S2"}),  # words in the row
        ("simple-assault", False, "BATTERY", {"Domestic": "true", "Note": "CANARY-S3"}),  # a flag column
        ("simple-assault", False, "BATTERY", {"Victim Age": "14", "Note": "CANARY-S4"}),  # victim age
        ("larceny", False, "LEWD CONDUCT CANARY-S5", {}),  # offence text
        ("burglary", True, "BURGLARY CANARY-S6", {}),  # importer's flag
        (None, False, "CHILD ENDANGERMENT CANARY-S7", {}),  # no category
    ]
    for j, (cat, flag, offense, raw) in enumerate(sensitive):
        event = town.event(
            category=cat,
            sensitive=flag,
            offense=offense,
            days_ago=60 + j,
            district="AB"[j % 2],
            at=300 + j * 11,
            address=f"{88_100 + j} CANARY-STREET-{j} WAY",
            raw={**raw, "Victim Name": f"CANARY-SVICTIM-{j}", "Address": f"{88_100 + j} X"},
        )
        town.sensitive_dates.add(timezone.localtime(event.occurred_from).date().isoformat())
        town.canaries += [f"CANARY-S{j + 1}", f"CANARY-STREET-{j}", f"CANARY-SVICTIM-{j}"]
        town.house_numbers.append(str(88_100 + j))
    # Too recent: occurred two days ago, or long ago but reported yesterday.
    for j, (days, reported) in enumerate([(2, None), (40, 1)]):
        town.event(
            days_ago=days,
            reported_days_ago=reported,
            offense=f"CANARY-RECENT-{j}",
            address=f"{90_500 + j} OAK ST",
            raw={"Narrative": f"CANARY-RECENT-RAW-{j}"},
        )
        town.canaries += [f"CANARY-RECENT-{j}", f"CANARY-RECENT-RAW-{j}"]
        town.house_numbers.append(str(90_500 + j))
    town.publish()
    return seed_community(town)


def seed_community(town) -> tuple[int, ...]:
    """Canaries in every private community and problem field: reporters, private requests, tips
    and their messages, survey free text, problem notes, triangle, tasks, partners' contacts.
    Returns the ids of the problems made (public and private) for the crawl."""
    from copps.community.models import Service, ServiceRequest, StateChange
    from copps.problems.models import (
        Activity,
        Hypothesis,
        Partner,
        Problem,
        ProblemPartner,
        ResponsePlan,
        Task,
        TriangleEntry,
    )

    now = timezone.now()
    service = Service.objects.create(service_code="GRAF", name="Graffiti")
    for i in range(30):
        at = now - timedelta(days=20 + i)
        private = i % 3 == 0
        r = ServiceRequest.objects.create(
            service=service,
            district=town.districts["AB"[i % 2]],
            requested_at=at,
            updated_at=at,
            state="closed_fixed",
            public=not private,
            address=f"{61_100 + i} PINE ST",
            description=f"CANARY-PRIVREQ-{i}" if private else f"Tag on a wall CANARY-REQDESC-{i}",
            reporter_first_name=f"CANARY-RFIRST-{i}",
            reporter_last_name=f"CANARY-RLAST-{i}",
            reporter_email=f"canary-remail-{i}@example.org",
            reporter_phone=f"CANARY-RPHONE-{i}",
            status_notes=f"CANARY-STATUSNOTE-{i}",
            closed_reason=f"CANARY-CLOSEDWHY-{i}",
        )
        StateChange.objects.create(
            request=r,
            at=at + timedelta(hours=3),
            from_state="received",
            to_state="closed_fixed",
            notes=f"CANARY-CHANGENOTE-{i}",
        )
        town.canaries += [
            f"CANARY-PRIVREQ-{i}" if private else f"CANARY-REQDESC-{i}",
            f"CANARY-RFIRST-{i}",
            f"CANARY-RLAST-{i}",
            f"canary-remail-{i}",
            f"CANARY-RPHONE-{i}",
            f"CANARY-STATUSNOTE-{i}",
            f"CANARY-CLOSEDWHY-{i}",
            f"CANARY-CHANGENOTE-{i}",
        ]
        town.house_numbers.append(str(61_100 + i))
    try:
        from copps.community.models import Tip, TipMessage
    except ImportError:  # no anonymous tips in this build
        Tip = None
    if Tip is not None:
        for i in range(3):
            tip = Tip.objects.create(where=f"CANARY-TIPWHERE-{i} {62_200 + i} ASH ST", topic="drugs")
            TipMessage.objects.create(tip=tip, from_tipster=True, body=f"CANARY-TIPTEXT-{i}")
            TipMessage.objects.create(tip=tip, from_tipster=False, body=f"CANARY-TIPREPLY-{i}")
            town.canaries += [f"CANARY-TIPWHERE-{i}", f"CANARY-TIPTEXT-{i}", f"CANARY-TIPREPLY-{i}", tip.public_id]
            town.house_numbers.append(str(62_200 + i))
    _seed_survey(town)
    public = Problem.objects.create(
        title="Car break-ins on Elm",
        public=True,
        stage="response",
        summary=f"Break-ins near {63_300} Elm St, mostly at night.",
    )
    public.areas.add(town.beats["A"])
    private = Problem.objects.create(title="CANARY-PROBTITLE", summary="CANARY-PROBSUMMARY", public=False)
    town.house_numbers.append("63300")
    for problem in (public, private):
        n = problem.pk
        Activity.objects.create(problem=problem, text=f"CANARY-NOTE-{n}")
        TriangleEntry.objects.create(
            problem=problem, side="victim", description=f"CANARY-TRIANGLE-{n} Ann", place=f"{64_400 + n} BIRCH ST"
        )
        Hypothesis.objects.create(problem=problem, statement=f"CANARY-HYPO-{n}")
        Task.objects.create(problem=problem, title=f"CANARY-TASK-{n}", status="done")
        ResponsePlan.objects.create(problem=problem, summary=f"CANARY-PLAN-{n}", techniques=["target-harden"])
        landlord = Partner.objects.create(name=f"CANARY-LANDLORD-{n}", kind="landlord")
        city = Partner.objects.create(
            name=f"City Lighting {n}",
            kind="city_department",
            contact_name=f"CANARY-CONTACT-{n}",
            phone=f"CANARY-PPHONE-{n}",
            email=f"canary-pmail-{n}@example.org",
            notes=f"CANARY-PNOTES-{n}",
        )
        ProblemPartner.objects.create(problem=problem, partner=landlord, note=f"CANARY-PPNOTE-{n}")
        ProblemPartner.objects.create(problem=problem, partner=city)
        town.canaries += [
            f"CANARY-NOTE-{n}",
            f"CANARY-TRIANGLE-{n}",
            f"CANARY-HYPO-{n}",
            f"CANARY-TASK-{n}",
            f"CANARY-PLAN-{n}",
            f"CANARY-LANDLORD-{n}",
            f"CANARY-CONTACT-{n}",
            f"CANARY-PPHONE-{n}",
            f"canary-pmail-{n}",
            f"CANARY-PNOTES-{n}",
            f"CANARY-PPNOTE-{n}",
        ]
        town.house_numbers.append(str(64_400 + n))
    town.canaries += ["CANARY-PROBTITLE", "CANARY-PROBSUMMARY"]
    from copps.publish.feedback import answer

    answer(public.pk, "a-browser", "yes", "CANARY-IMPROVED-COMMENT")
    town.canaries.append("CANARY-IMPROVED-COMMENT")
    return public.pk, private.pk, private.pk + 1000


def _seed_survey(town) -> None:
    """Free-text survey answers, when community engagement is installed."""
    try:
        from copps.community.engagement.models.surveys import Answer, Question, Survey, SurveyResponse
    except ImportError:
        return
    today = timezone.localdate()
    survey = Survey.objects.create(
        title="Safety survey", opens_on=today - timedelta(days=30), closes_on=today - timedelta(days=10), published=True
    )
    question = Question.objects.create(survey=survey, text="Anything else?", kind="text", required=False)
    for i in range(3):
        response = SurveyResponse.objects.create(survey=survey, area=town.beats["A"], browser=f"b{i}")
        Answer.objects.create(response=response, question=question, text=f"CANARY-SURVEY-{i}")
        town.canaries.append(f"CANARY-SURVEY-{i}")


def _variants() -> list[dict]:
    today = timezone.localdate()
    out = [{}, {"date_from": (today - timedelta(days=400)).isoformat(), "date_to": today.isoformat()}]
    out += [{"kind": k} for k in ("crime", "call", "collision")]
    codes = ["burglary", "simple-assault", "larceny"]
    out += [{"category": c.pk} for c in OffenseCategory.objects.filter(code__in=codes)]
    out += [{"area": a.pk} for a in Area.objects.all()]
    out += [{"district": "A"}, {"district": "B"}, {"district": ["A", "B"]}, {"category": "Sensitive offences"}]
    out += [{"type": t} for t in ("district", "beat", "neighbourhood")]
    out += [{"area": a} for a in ("city", "district:A", "district:B", "beat:A1", "beat:B1")]
    out += [{"area": "district:B", "kind": k} for k in ("crime", "call")]
    return out


def _coordinates(obj):
    """Every Point coordinate in a JSON document (grid squares and area outlines are polygons
    drawn on a fixed lattice or a boundary, not locations of events)."""
    if isinstance(obj, dict):
        if obj.get("type") == "Point":
            yield tuple(obj["coordinates"])
        for value in obj.values():
            yield from _coordinates(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _coordinates(value)


def _blocks(obj):
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key == "block":
                yield value
            yield from _blocks(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _blocks(value)


def test_no_canary_house_number_or_close_point_leaves_through_any_public_url(client, town):
    problems = _seed(town)
    urls = public_urls(problems)
    assert {
        "/public/",
        "/public/about/",
        "/public/data/events.csv",
        "/public/data/events.geojson",
        "/public/data/counts.csv",
        "/public/api/events",
        "/public/api/counts",
        "/public/api/grid",
        "/public/trends/",
        "/public/compstat/",
        "/public/problems/",
        f"/public/problems/{problems[0]}/",
        "/public/service/",
        "/public/api/trends",
        "/public/api/problems",
        "/public/api/service",
    } <= set(urls)
    allowed = rules().min_offset_m
    true_xy = np.array(town.true_xy)
    proj = Projector(CRS)
    crawled, points = 0, []
    for url in urls:
        for params in _variants():
            response = client.get(f"{url}?{urlencode(params, doseq=True)}" if params else url)
            # ninja's API root has nothing to show without the (CDN-loading) docs page: a 404
            ok = (200, 400, 404) if "/problems/" in url else (200, 400)  # a private problem is not found
            assert response.status_code in ok or url == "/public/api/", (url, params, response.status_code)
            text = response.content.decode()
            crawled += 1
            upper = text.upper()
            for canary in town.canaries:
                assert canary.upper() not in upper, f"{canary} leaked through {url} {params}"
            for number in town.house_numbers:
                assert not re.search(rf"(?<![\d.]){number}(?!\d)", text), f"house number {number} in {url} {params}"
            for day in town.sensitive_dates:
                assert day not in text, f"the date of a sensitive event appears in {url} {params}"
            ctype = response.get("Content-Type", "")
            if "json" in ctype:
                doc = json.loads(text)
                points += list(_coordinates(doc))
                blocks = list(_blocks(doc))
            elif "csv" in ctype:
                rows = list(csv.DictReader(io.StringIO(text)))
                points += [(float(r["lon"]), float(r["lat"])) for r in rows if r.get("lon")]
                blocks = [r["block"] for r in rows if "block" in r]
            else:
                blocks = []
            for block in blocks:
                assert not has_house_number(block) and not re.search(r"\b\d{3,}\b", block), block
    assert crawled > 100
    assert points, "the crawl found no published points: the test would prove nothing"
    lon, lat = np.array(points).T
    x, y = proj.forward(lon, lat)
    d = np.hypot(x[:, None] - true_xy[None, :, 0], y[:, None] - true_xy[None, :, 1])
    assert d.min() >= allowed, f"a published point is {d.min():.2f} m from a true location (allowed {allowed} m)"


def test_the_seeded_data_is_really_there_and_published_in_part(client, town):
    """Guards the canary test against proving nothing: the points, counts, problems and service
    figures exist and are published."""
    public, private, _ = _seed(town)
    assert client.get(f"/public/problems/{public}/").status_code == 200
    assert client.get(f"/public/problems/{private}/").status_code == 404
    assert "Car break-ins on Elm" in client.get("/public/problems/").content.decode()
    service = client.get("/public/api/service").json()["areas"]
    assert any(r["area"] == "All areas" and r["requests"] == 30 for r in service)
    doc = client.get(reverse("publish:public_api:events")).json()
    assert len(doc["features"]) == len(HOUSE_NUMBERS)  # every non-sensitive, old-enough event, no other
    assert all(f["geometry"] for f in doc["features"])
    assert {f["properties"]["block"] for f in doc["features"]} >= {"473XX ELM ST"}
    counts = client.get(reverse("publish:public_api:counts")).json()
    sensitive = [c for c in counts["cells"] if c["sensitive"]]
    assert sensitive and all(c["count"] in (None, 0) for c in sensitive)  # 7 sensitive events: all below k


@pytest.mark.parametrize("setting", ["none"])
def test_sensitive_none_drops_sensitive_tables(client, town, settings, setting):
    settings.COPPS_PUBLISH_SENSITIVE = setting
    _seed(town)
    counts = client.get(reverse("publish:public_api:counts")).json()
    assert counts["cells"] and not any(c["sensitive"] for c in counts["cells"])
