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
    that takes an object's ``pk`` is asked for each of ``pks`` (public and private objects), the
    base map's for each of its zoom bands."""
    from copps.geo.gazetteer.basemap import BANDS as basemap_bands

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
                elif groups == {"zoom"}:  # the base map: each zoom band it serves
                    out.extend(reverse(f"{namespace}:{p.name}", kwargs={"zoom": b.zoom}) for b in basemap_bands)
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
            block_address=f"881XX CANARY-SBLOCK-{j} WAY",
            source_beat=f"CANARY-SBEAT-{j}",
        )
        town.sensitive_dates.add(timezone.localtime(event.occurred_from).date().isoformat())
        town.seeded.setdefault("sensitive_events", []).append(event)
        town.canaries += [f"CANARY-S{j + 1}", f"CANARY-STREET-{j}", f"CANARY-SVICTIM-{j}"]
        town.canaries += [f"CANARY-SBLOCK-{j}", f"CANARY-SBEAT-{j}"]
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
    and their messages, survey free text, problem notes, triangle, tasks, partners' contacts,
    links to requests, tips and sensitive events; watch groups, meetings and subscriptions.
    Returns the ids of the problems made (public and private) for the crawl; the rest (request
    ids, tracking keys, tokens) is in ``town.seeded`` for the whole-site crawl."""
    from copps.community.models import Service, ServiceAttribute

    now = timezone.now()
    service = Service.objects.create(service_code="GRAF", name="Graffiti")
    light = Service.objects.create(service_code="LIGHT", name="Streetlight out", description="A lamp that is dark")
    ServiceAttribute.objects.create(service=light, code="pole", description="Pole number, if you see one")
    town.seeded.update(services=[service, light], requests=[], track_keys={}, tokens=[])
    for i in range(30):
        at = now - timedelta(days=20 + i)
        private = i % 3 == 0
        description = f"CANARY-PRIVREQ-{i}" if private else f"Tag on a wall CANARY-REQDESC-{i}"
        if i in (1, 4):
            # a public description with a house number, a phone and an e-mail in it: Open311
            # publishes it scrubbed (45XX, [removed]), never as typed
            description += f" at {52_400 + i} Pine St, call 916-555-01{i:02d} or mail canary-descmail-{i}@example.org"
            town.canaries += [f"916-555-01{i:02d}", f"canary-descmail-{i}"]
            town.house_numbers.append(str(52_400 + i))
            scrubbed = f"Tag on a wall CANARY-REQDESC-{i} at 524XX Pine St, call [removed] or mail [removed]"
            town.expected[scrubbed] = "/open311/v2/"
        _request(
            town,
            service,
            tag=str(i),
            at=at,
            state="closed_fixed",
            public=not private,
            description=description,
            description_canary=f"CANARY-PRIVREQ-{i}" if private else f"CANARY-REQDESC-{i}",
            address=f"{61_100 + i} PINE ST",
            xy=tuple(town.addresses[(500 + 17 * i) % len(town.addresses)]),
            district="AB"[i % 2],
            track=i in (2, 3),
        )
    # Recent and still open (so "is it one of these?" offers them), within 150 m of each other:
    # two public, one withheld; and a public one closed as not fixed, with a house number and a
    # phone in the reason. Reported inside the publication delay, so the public service figures
    # (which wait for it) still count the 30 above only.
    beside = tuple(town.addresses[620])
    in_the_street = (beside[0] + 5.0, beside[1] + 14.0)  # the middle of the street, off any house
    extras = [
        ("X0", "received", True, "Streetlight out CANARY-OPENDESC-X0", beside, True, ""),
        (
            "X1",
            "in_progress",
            True,
            "Dark lamp by 70801 Oak Ave, ring 916-555-0177 or mail canary-descmail-x1@example.org CANARY-OPENDESC-X1",
            in_the_street,
            False,
            "",
        ),
        ("X2", "acknowledged", False, "CANARY-PRIVOPEN-X2", tuple(town.addresses[621]), True, ""),
        (
            "X3",
            "closed_not_fixed",
            True,
            "Bins on the path CANARY-OPENDESC-X3",
            tuple(town.addresses[640]),
            False,
            "Owner at 70903 Oak Ave refused, call 916-555-0188",
        ),
    ]
    town.canaries += ["916-555-0177", "canary-descmail-x1", "916-555-0188"]
    town.house_numbers += ["70801", "70903"]
    town.expected["Dark lamp by 708XX Oak Ave, ring [removed] or mail [removed] CANARY-OPENDESC-X1"] = "/open311/v2/"
    town.expected["CANARY-OPENDESC-X1"] = "/community/report/"
    town.expected["Owner at 709XX Oak Ave refused, call [removed]"] = "/open311/v2/"
    for k, (tag, state, public, description, xy, track, reason) in enumerate(extras):
        _request(
            town,
            light,
            tag=tag,
            at=now - timedelta(days=3 + k),
            state=state,
            public=public,
            description=description,
            description_canary=description.split()[-1],
            address=f"{71_100 + k} OAK AVE",
            xy=xy,
            district="A",
            track=track,
            closed_reason=reason,
            open_request=state not in ("closed_fixed", "closed_not_fixed"),
        )
    _seed_tokens(town)
    try:
        from copps.community.models import Tip, TipMessage
    except ImportError:  # no anonymous tips in this build
        Tip = None
    tips = []
    if Tip is not None:
        for i in range(3):
            tip = Tip(where=f"CANARY-TIPWHERE-{i} {62_200 + i} ASH ST", topic="drugs")
            tip.set_passphrase(f"canary-pass-{i}")
            tip.save()
            TipMessage.objects.create(tip=tip, from_tipster=True, body=f"CANARY-TIPTEXT-{i}")
            TipMessage.objects.create(tip=tip, from_tipster=False, body=f"CANARY-TIPREPLY-{i}")
            town.canaries += [f"CANARY-TIPWHERE-{i}", f"CANARY-TIPTEXT-{i}", f"CANARY-TIPREPLY-{i}", tip.public_id]
            town.house_numbers.append(str(62_200 + i))
            tips.append(tip)
    town.seeded["tips"] = tips
    _seed_survey(town)
    problems = _seed_problems(town, tips)
    _seed_engagement(town)
    from copps.publish.feedback import answer

    answer(problems[0], "a-browser", "yes", "CANARY-IMPROVED-COMMENT")
    town.canaries.append("CANARY-IMPROVED-COMMENT")
    return problems


def _request(
    town,
    service,
    *,
    tag,
    at,
    state,
    public,
    description,
    description_canary,
    address,
    xy,
    district,
    track=False,
    closed_reason="",
    open_request=False,
):
    """One service request at a true location, with a canary in every private field. What
    Open311 publishes of a public request (its words, status note, reason, photo link and zip
    code) is allowed there; the reporter, the address as given and the device never are. With
    ``track``, it gets a tracking id whose page may show the request's own words."""
    from copps.community.models import RequestReply, ServiceRequest, StateChange, new_public_id
    from copps.geo.blocks import hundred_block

    lon, lat = Projector(CRS).inverse(np.array([xy[0]]), np.array([xy[1]]))
    town.true_xy.append((float(xy[0]), float(xy[1])))
    key = new_public_id() if track else None
    r = ServiceRequest.objects.create(
        service=service,
        district=town.districts[district],
        beat=town.beats[district],
        requested_at=at,
        updated_at=at + timedelta(hours=3),
        state=state,
        public=public,
        lat=float(lat[0]),
        lon=float(lon[0]),
        address=address,
        block_address=hundred_block(address),  # as the intake fills it: "is it one of these?" by address
        address_id=f"CANARY-ADDRID-{tag}",
        zipcode=f"CANARY-ZIP-{tag}",
        attributes={"pole": f"CANARY-ATTR-{tag}"},
        media_url=f"https://media.example.org/canary-media-{tag}.jpg",
        description=description,
        reporter_first_name=f"CANARY-RFIRST-{tag}",
        reporter_last_name=f"CANARY-RLAST-{tag}",
        reporter_email=f"canary-remail-{tag}@example.org",
        reporter_phone=f"CANARY-RPHONE-{tag}",
        device_id=f"CANARY-DEVICE-{tag}",
        account_id=f"CANARY-ACCOUNT-{tag}",
        raw={"Reporter": f"CANARY-SRRAW-{tag}", "Address": address},
        status_notes=f"CANARY-STATUSNOTE-{tag}",
        closed_reason=closed_reason or f"CANARY-CLOSEDWHY-{tag}",
        track_key=key,
    )
    StateChange.objects.create(
        request=r, at=at + timedelta(hours=3), from_state="received", to_state=state, notes=f"CANARY-CHANGENOTE-{tag}"
    )
    RequestReply.objects.create(request=r, at=at + timedelta(hours=4), body=f"CANARY-REPLY-{tag}")
    published = [description_canary, f"CANARY-STATUSNOTE-{tag}", f"CANARY-CLOSEDWHY-{tag}"]
    published += [f"canary-media-{tag}", f"CANARY-ZIP-{tag}"]
    town.canaries += published + [
        f"CANARY-RFIRST-{tag}",
        f"CANARY-RLAST-{tag}",
        f"canary-remail-{tag}",
        f"CANARY-RPHONE-{tag}",
        f"CANARY-DEVICE-{tag}",
        f"CANARY-ACCOUNT-{tag}",
        f"CANARY-SRRAW-{tag}",
        f"CANARY-ADDRID-{tag}",
        f"CANARY-ATTR-{tag}",
        f"CANARY-CHANGENOTE-{tag}",
        f"CANARY-REPLY-{tag}",
    ]
    town.house_numbers.append(address.split()[0])
    if public:
        town.allowed.setdefault("/open311/v2/", set()).update(published)
        town.expected.setdefault(description_canary, "/open311/v2/")
        if open_request:
            town.allowed.setdefault("/community/report/", set()).add(description_canary)
    if key:
        # whoever holds the tracking id is the reporter: the request's own words, notes and the
        # department's replies, its answers and photo link; never the reporter's name, contacts,
        # the address as given, the device or account, nor anything of anyone else
        town.canaries.append(key)
        own = {key, description_canary, f"CANARY-STATUSNOTE-{tag}", f"CANARY-CLOSEDWHY-{tag}"}
        own |= {f"CANARY-CHANGENOTE-{tag}", f"CANARY-REPLY-{tag}", f"CANARY-ATTR-{tag}", f"canary-media-{tag}"}
        town.allowed[f"/community/track/{key}/"] = own
        town.expected.setdefault(f"CANARY-REPLY-{tag}", f"/community/track/{key}/")
        town.seeded["track_keys"][key] = r
    town.seeded["requests"].append(r)
    return r


def _seed_tokens(town) -> None:
    """Open311 batch tokens: one for a public request, one for a withheld one, one still pending;
    and the photo of a tracked request (the track page's photo route)."""
    import io as _io

    from PIL import Image

    from copps.community.models import RequestPhoto, ServiceRequestToken

    requests = town.seeded["requests"]
    public = next(r for r in requests if r.public)
    withheld = next(r for r in requests if not r.public)
    town.seeded["tokens"] = [
        ServiceRequestToken.objects.create(request=public).token,
        ServiceRequestToken.objects.create(request=withheld).token,
        ServiceRequestToken.objects.create(request=None).token,
    ]
    buffer = _io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, 90)).save(buffer, "JPEG")
    tracked = next(iter(town.seeded["track_keys"].values()))
    RequestPhoto.objects.create(request=tracked, data=buffer.getvalue(), width=8, height=8)


def _seed_problems(town, tips) -> tuple[int, int, int]:
    """A public and a private problem, each with every private workspace record; the public one
    also linked to a withheld request, a tip and a sensitive event, with notes on the links."""
    from django.contrib.auth import get_user_model

    from copps.problems.models import (
        Activity,
        Candidate,
        EventLink,
        Hypothesis,
        Objective,
        Partner,
        Problem,
        ProblemPartner,
        RequestLink,
        ResponsePlan,
        StageChange,
        Task,
        TipLink,
        TriangleEntry,
    )

    users = get_user_model().objects
    officer = users.create_user(
        username="canary-officer-login",
        email="canary-officer-mail@example.org",
        first_name="CANARY-OFFICERFIRST",
        last_name="CANARY-OFFICERLAST",
        password="x",
        role="officer",
    )
    supervisor = users.create_user(
        username="canary-supervisor-login", first_name="CANARY-SUPFIRST", password="x", role="supervisor"
    )
    town.canaries += [
        "canary-officer-login",
        "canary-officer-mail",
        "CANARY-OFFICERFIRST",
        "CANARY-OFFICERLAST",
        "canary-supervisor-login",
        "CANARY-SUPFIRST",
    ]
    public = Problem.objects.create(
        title="Car break-ins on Elm",
        public=True,
        stage="response",
        summary=f"Break-ins near {63_300} Elm St, mostly at night.",
        owner=officer,
        created_by=supervisor,
    )
    public.areas.add(town.beats["A"])
    public.officers.add(officer)
    private = Problem.objects.create(title="CANARY-PROBTITLE", summary="CANARY-PROBSUMMARY", public=False)
    town.house_numbers.append("63300")
    town.expected["Car break-ins on Elm"] = "/public/problems/"
    for problem, tag in ((public, "PUB"), (private, "PRIV")):
        n = problem.pk
        Activity.objects.create(problem=problem, text=f"CANARY-NOTE-{tag}")
        TriangleEntry.objects.create(
            problem=problem, side="victim", description=f"CANARY-TRIANGLE-{tag} Ann", place=f"{64_400 + n} BIRCH ST"
        )
        Hypothesis.objects.create(problem=problem, statement=f"CANARY-HYPO-{tag}", evidence=f"CANARY-HYPOEV-{tag}")
        Task.objects.create(problem=problem, title=f"CANARY-TASK-{tag}", status="done")
        plan = ResponsePlan.objects.create(problem=problem, summary=f"CANARY-PLAN-{tag}", techniques=["target-harden"])
        Objective.objects.create(plan=plan, text=f"CANARY-OBJECTIVE-{tag}", measure=f"CANARY-MEASURE-{tag}")
        StageChange.objects.create(
            problem=problem,
            from_stage="analysis",
            to_stage="response",
            requested_by=officer,
            note=f"CANARY-STAGENOTE-{tag}",
            status="approved",
            approved_by=supervisor,
            decided_at=timezone.now(),
            decision_note=f"CANARY-DECISION-{tag}",
        )
        landlord = Partner.objects.create(
            name=f"CANARY-LANDLORD-{tag}", kind="landlord", address=f"{65_500 + n} CANARY-LLADDR-{tag} ST"
        )
        city = Partner.objects.create(
            name=f"City Lighting {tag}",
            kind="city_department",
            contact_name=f"CANARY-CONTACT-{tag}",
            phone=f"CANARY-PPHONE-{tag}",
            email=f"canary-pmail-{tag}@example.org",
            address=f"{66_500 + n} CANARY-PADDR-{tag} ST",
            notes=f"CANARY-PNOTES-{tag}",
        )
        ProblemPartner.objects.create(problem=problem, partner=landlord, note=f"CANARY-PPNOTE-{tag}")
        ProblemPartner.objects.create(problem=problem, partner=city)
        Candidate.objects.create(
            kind="hot_spot",
            title=f"CANARY-CANDTITLE-{tag}",
            key=f"CANARY-CANDKEY-{tag}",
            lon=-121.3,
            lat=38.7,
            x=0,
            y=0,
            geometry={"type": "Point", "coordinates": [-121.3, 38.7]},
            score=9,
            evidence={"note": f"CANARY-CANDEVIDENCE-{tag}"},
            status="promoted",
            reason=f"CANARY-CANDWHY-{tag}",
            problem=problem,
        )
        town.canaries += [
            f"CANARY-{kind}-{tag}"
            for kind in (
                "NOTE TRIANGLE HYPO HYPOEV TASK PLAN OBJECTIVE MEASURE STAGENOTE DECISION LANDLORD LLADDR CONTACT"
                " PPHONE PADDR PNOTES PPNOTE CANDTITLE CANDKEY CANDEVIDENCE CANDWHY"
            ).split()
        ]
        town.canaries.append(f"canary-pmail-{tag}")
        town.house_numbers += [str(64_400 + n), str(65_500 + n), str(66_500 + n)]
    town.canaries += ["CANARY-PROBTITLE", "CANARY-PROBSUMMARY"]
    # the public problem's evidence: a withheld request, an anonymous tip, a sensitive event
    withheld = next(r for r in town.seeded["requests"] if not r.public)
    RequestLink.objects.create(problem=public, request=withheld, note="CANARY-REQLINKNOTE")
    EventLink.objects.create(problem=public, event=town.seeded["sensitive_events"][0], note="CANARY-EVLINKNOTE")
    town.canaries += ["CANARY-REQLINKNOTE", "CANARY-EVLINKNOTE"]
    if tips:
        TipLink.objects.create(problem=public, tip=tips[0], note="CANARY-TIPLINKNOTE")
        town.canaries.append("CANARY-TIPLINKNOTE")
    town.seeded["problems"] = (public, private)
    return public.pk, private.pk, private.pk + 1000


def _seed_survey(town) -> None:
    """Survey free text, when community engagement is installed: a closed survey answered by 12
    browsers in beat A (enough for its results to be shown), with free texts waiting for review
    and rejected (never shown) and approved (shown, scrubbed of contacts and house numbers); an
    open survey; and an unpublished draft."""
    try:
        from copps.community.engagement.models.surveys import Answer, Question, Survey, SurveyResponse
    except ImportError:
        return
    today = timezone.localdate()
    survey = Survey.objects.create(
        title="Safety survey", opens_on=today - timedelta(days=30), closes_on=today - timedelta(days=10), published=True
    )
    survey.areas.add(town.beats["A"], town.beats["B"])
    question = Question.objects.create(survey=survey, text="Anything else?", kind="text", required=False)
    scale = Question.objects.create(survey=survey, text="How safe do you feel?", kind="scale", order=2)
    for i in range(12):
        # answered during the survey: public results count only answers sent before today
        response = SurveyResponse.objects.create(
            survey=survey, area=town.beats["A"], browser=f"b{i}", submitted_at=timezone.now() - timedelta(days=12)
        )
        Answer.objects.create(response=response, question=scale, number=1 + i % 5)
        if i < 3:
            Answer.objects.create(response=response, question=question, text=f"CANARY-SURVEY-{i}")
            town.canaries.append(f"CANARY-SURVEY-{i}")
        elif i < 5:
            Answer.objects.create(response=response, question=question, text=f"CANARY-SURVEYREJ-{i}", review="rejected")
            town.canaries.append(f"CANARY-SURVEYREJ-{i}")
        elif i == 5:
            text = "Better lighting by 73105 Elm St please, write to canary-approved@example.org"
            Answer.objects.create(response=response, question=question, text=text, review="approved")
            town.canaries.append("canary-approved")
            town.house_numbers.append("73105")
            town.expected["Better lighting by 731XX Elm St please, write to [removed]"] = "/community/engage/surveys/"
    running = Survey.objects.create(
        title="Parks survey", opens_on=today - timedelta(days=5), closes_on=today + timedelta(days=5), published=True
    )
    running.areas.add(town.beats["A"])
    Question.objects.create(survey=running, text="Is the park safe?", kind="yesno")
    draft = Survey.objects.create(
        title="CANARY-DRAFTSURVEY",
        intro="CANARY-DRAFTINTRO",
        opens_on=today - timedelta(days=5),
        closes_on=today + timedelta(days=5),
        published=False,
    )
    Question.objects.create(survey=draft, text="CANARY-DRAFTQUESTION", kind="yesno")
    town.canaries += ["CANARY-DRAFTSURVEY", "CANARY-DRAFTINTRO", "CANARY-DRAFTQUESTION"]
    town.seeded["surveys"] = [survey, running, draft]


def _seed_engagement(town) -> None:
    """Watch groups with members and requests to join, beat officers, public and private
    meetings, subscriptions: every private field a canary, with the links' signed tokens."""
    import uuid

    from django.contrib.auth import get_user_model

    from copps.community.engagement import joining, mailing
    from copps.community.engagement.models import (
        BeatAssignment,
        GazetteerBlock,
        Meeting,
        Subscription,
        WatchGroup,
        WatchJoinRequest,
        WatchMember,
    )

    beat_a, beat_b = town.beats["A"], town.beats["B"]
    groups = [
        WatchGroup.objects.create(name="Elm Street Watch", area=beat_a, notes="CANARY-GROUPNOTES-0"),
        WatchGroup.objects.create(name="Oak Avenue Business Watch", kind="business", area=beat_b, notes=""),
        WatchGroup.objects.create(name="Quiet Court Watch", area=beat_a, notes="CANARY-GROUPNOTES-2", active=False),
    ]
    town.canaries += ["CANARY-GROUPNOTES-0", "CANARY-GROUPNOTES-2"]
    town.expected["Elm Street Watch"] = "/community/engage/watch/"
    for i in range(3):
        WatchMember.objects.create(
            group=groups[i % 2],
            name=f"CANARY-MEMBER-{i}",
            email=f"canary-member-{i}@example.org",
            phone=f"CANARY-MPHONE-{i}",
            block=f"{67_700 + i} CANARY-MBLOCK-{i} ST",
            captain=i == 0,
        )
        town.canaries += [f"CANARY-MEMBER-{i}", f"canary-member-{i}", f"CANARY-MPHONE-{i}", f"CANARY-MBLOCK-{i}"]
        town.house_numbers.append(str(67_700 + i))
    joins = []
    for i, status in enumerate(("pending", "confirmed", "declined")):
        joins.append(
            WatchJoinRequest.objects.create(
                group=groups[0],
                status=status,
                name=f"CANARY-JOINER-{i}",
                email=f"canary-joiner-{i}@example.org",
                phone=f"CANARY-JPHONE-{i}",
                block=f"CANARY-JBLOCK-{i}",
            )
        )
        town.canaries += [f"CANARY-JOINER-{i}", f"canary-joiner-{i}", f"CANARY-JPHONE-{i}", f"CANARY-JBLOCK-{i}"]
    officer = get_user_model().objects.create_user(
        username="canary-beat-login",
        email="canary-beat-mail@example.org",
        first_name="CANARY-BEATFIRST",
        password="x",
        role="officer",
    )
    BeatAssignment.objects.create(beat=beat_a, officer=officer, display_name="Officer J. Ramos", work_contact="Desk")
    town.canaries += ["canary-beat-login", "canary-beat-mail", "CANARY-BEATFIRST"]
    # the gazetteer's point of the 473XX ELM ST block (inside beat A): "who is my beat officer"
    x, y = town.addresses[700]
    lon, lat = Projector(CRS).inverse(np.array([x]), np.array([y]))
    GazetteerBlock.objects.create(street="ELM ST", hundred=473, lon=float(lon[0]), lat=float(lat[0]), events=5)
    now = timezone.now()

    def meeting(n, title, *, days, public=True, cancelled=False, description="", place="Sunrise Library"):
        start = (now + timedelta(days=days)).replace(hour=18, minute=30, second=0, microsecond=0)
        # fixed UIDs: a random one could hold a house number's digits by chance
        return Meeting.objects.create(
            uid=uuid.UUID(int=n + 1),
            title=title,
            description=description,
            area=beat_a,
            place=place,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            public=public,
            cancelled=cancelled,
            created_by=officer,
        )

    meeting(0, "Beat A1 community meeting", days=5, description="Monthly beat meeting")
    meeting(1, "Spring clean-up", days=-30)
    meeting(2, "Cancelled walk", days=8, cancelled=True)
    meeting(
        3,
        "CANARY-MEETTITLE",
        days=6,
        public=False,
        description="CANARY-MEETDESC",
        place="68800 CANARY-MEETPLACE AVE",
    )
    town.canaries += ["CANARY-MEETTITLE", "CANARY-MEETDESC", "CANARY-MEETPLACE"]
    town.house_numbers.append("68800")
    town.expected["Beat A1 community meeting"] = "/community/engage/meetings.ics"
    subs = [
        Subscription.objects.create(email="canary-sub-pending@example.org", area=beat_a),
        Subscription.objects.create(email="canary-sub-active@example.org", area=beat_a, confirmed_at=now),
        Subscription.objects.create(
            email="canary-sub-gone@example.org", area=beat_b, confirmed_at=now, unsubscribed_at=now
        ),
    ]
    # alerts near a place (the point a public snap point) and a follower of an open public request
    open_public = next(r for r in town.seeded["requests"] if r.public and r.state in ("received", "in_progress"))
    open_withheld = next(r for r in town.seeded["requests"] if not r.public and r.state == "acknowledged")
    sx, sy = town.addresses[300]
    slon, slat = Projector(CRS).inverse(np.array([sx]), np.array([sy]))
    subs += [
        Subscription.objects.create(
            email="canary-sub-place@example.org", lon=float(slon[0]), lat=float(slat[0]), radius_m=1600,
            place="473XX ELM ST", incidents=True, requests=True, frequency="weekly", confirmed_at=now,
        ),
        Subscription.objects.create(email="canary-sub-follow@example.org", request=open_public, confirmed_at=now),
    ]
    town.canaries += ["canary-sub-pending", "canary-sub-active", "canary-sub-gone", "canary-sub-place"]
    town.canaries += ["canary-sub-follow"]
    town.seeded.update(
        groups=groups,
        confirm_tokens=[mailing.confirm_token(s) for s in subs],
        unsubscribe_tokens=[mailing.unsubscribe_token(s) for s in subs],
        join_tokens=[joining.confirm_token(j) for j in joins],
        open_public=open_public,
        open_withheld=open_withheld,
    )


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
