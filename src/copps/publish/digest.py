"""The subscribers' digest: what is new for each subscription, as residents may read it.

Problems reach residents only through ``publish/``: the digest lists public problems in their
public form (title and summary cleaned of numbers and contacts, :func:`public_problems`) and the
public meetings of the area. The digest records each item it sends per subscriber (``SentItem``),
inside the same transaction as the sending, so running ``copps notify`` again sends nothing twice
and a failed send leaves nothing marked as sent. The mail itself (signed links, the
List-Unsubscribe header) is :func:`copps.community.engagement.mailing.send`.

Three kinds of subscription (``engagement/models/subscriptions.py``):

- **area**: new public problems and upcoming meetings in the area, at every run;
- **place** (a public point and a radius), daily or weekly: the same for the areas within the
  radius, plus **incidents** — only the stored public rows (:func:`copps.publish.store.visible`:
  snap point, hundred block, public category, date), never an event — whose public point lies
  within the radius, and **community requests** and their **outcomes** whose public place
  (:func:`copps.community.open311.public.public_places`, Open311's snap point) lies within it.
  The subscriber's own point is a public snap point too, so every "is it near?" compares two
  published points. Incidents are sent by publication day: the public rows are rebuilt with new
  ids by each refresh, so the ``SentItem`` of an incident day is the day's ordinal. An event
  imported late, into a day already sent, is not sent (the map shows it);
- **request** ("Follow this report"): each state change of the request since confirming, at every
  run, in its public words: the state's label, and the current note and reason as Open311
  publishes them (scrubbed); the notes of past steps are the reporter's and staff's only. A change
  is keyed by its state and time, which an import re-deriving the history keeps.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from shapely import affinity
from shapely.geometry import Point, shape

from copps.community.engagement.conf import site_url
from copps.community.engagement.mailing import send
from copps.community.engagement.models import Meeting, NotifyRun, SentItem, Subscription
from copps.community.engagement.places import metres
from copps.community.models import ServiceRequest, StateChange
from copps.community.open311.public import public_places
from copps.community.states import CLOSED_STATES, State, public_label
from copps.geo.generalise import public_block
from copps.geo.text import clean_text
from copps.incidents.models import Area
from copps.problems.models import Problem
from copps.publish.problem_pages import public_problems
from copps.publish.store import cut_date, visible

__all__ = ["Digest", "digest_for", "due", "send_digests", "INCIDENT_LINES", "LOOKBACK_DAYS"]

# incident lines listed in one mail (the rest are counted, with a link to the map)
INCIDENT_LINES = 40
# how far back a place digest looks for incidents and requests
LOOKBACK_DAYS = 62
REQUEST_CANDIDATES = 5000
PERIOD_DAYS = {Subscription.Frequency.DAILY: 1, Subscription.Frequency.WEEKLY: 7}


def _area_ids(sub: Subscription) -> list[int]:
    """The subscribed area and the areas inside it (a district's beats)."""
    return [sub.area_id, *sub.area.children.values_list("pk", flat=True)]


def _circle(sub: Subscription):
    """The subscription's circle in lon/lat (an ellipse in degrees)."""
    r = float(sub.radius_m)
    xfact = r / (111_320 * math.cos(math.radians(sub.lat)))
    return affinity.scale(Point(sub.lon, sub.lat).buffer(1.0, 32), xfact=xfact, yfact=r / 110_574)


def _areas_near(sub: Subscription) -> list[int]:
    """Areas (not the city) whose outline meets the subscription's circle."""
    circle = _circle(sub)
    x0, y0, x1, y1 = circle.bounds
    boxes = Area.objects.exclude(type=Area.Type.CITY).filter(
        min_lon__lte=x1, max_lon__gte=x0, min_lat__lte=y1, max_lat__gte=y0
    )
    return [a.pk for a in boxes if shape(a.geometry).intersects(circle)]


def _url(name: str, *args) -> str:
    try:
        return site_url() + reverse(name, args=args)
    except NoReverseMatch:  # the page is not mounted: the portal's front page
        return site_url() + reverse("publish:map")


def _problem_url(pk: int) -> str:
    return _url("publish:problem", pk)


def _key(*parts) -> int:
    """A stable 63-bit number for a sent item that has no lasting id."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@dataclass
class Digest:
    problems: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    incidents: list = field(default_factory=list)  # PublicRecord rows
    incident_days: list = field(default_factory=list)  # date ordinals sent
    requests: list = field(default_factory=list)  # (ServiceRequest, block)
    outcomes: list = field(default_factory=list)  # (ServiceRequest, block)
    updates: list = field(default_factory=list)  # (key, StateChange)

    def __bool__(self) -> bool:
        return bool(self.problems or self.meetings or self.incidents or self.requests or self.outcomes or self.updates)

    @property
    def count(self) -> int:
        return sum(map(len, (self.problems, self.meetings, self.incidents, self.requests, self.outcomes, self.updates)))


def due(sub: Subscription, now) -> bool:
    """A daily or weekly subscription is due once a day or a week (site-local dates) has passed
    since its last digest (or since it was confirmed); the others at every run."""
    days = PERIOD_DAYS.get(sub.frequency)
    if days is None:
        return True
    since = sub.last_sent_at or sub.confirmed_at
    return (timezone.localdate(now) - timezone.localdate(since)).days >= days


def _problems(sub: Subscription, areas: list[int], sent) -> list:
    return list(
        Problem.objects.public().filter(areas__in=areas)
        .filter(Q(opened_at__gte=sub.confirmed_at) | Q(updated_at__gte=sub.confirmed_at))
        .exclude(pk__in=sent.filter(kind=SentItem.Kind.PROBLEM).values("object_id"))
        .distinct()
        .order_by("opened_at", "pk")
    )


def _meetings(areas: list[int], sent, now) -> list:
    return list(
        Meeting.objects.public().filter(cancelled=False, area__in=areas, starts_at__gte=now)
        .exclude(pk__in=sent.filter(kind=SentItem.Kind.MEETING).values("object_id"))
        .select_related("area")
        .order_by("starts_at", "pk")
    )


def _within(sub: Subscription, lon: float | None, lat: float | None) -> bool:
    return lon is not None and lat is not None and metres(sub.lon, sub.lat, lon, lat) <= sub.radius_m


def _incidents(sub: Subscription, sent, now) -> tuple[list, list[int]]:
    """Public incident rows within the radius, of publication days not yet sent: days that were
    not yet public when the subscription was confirmed, within ``LOOKBACK_DAYS``."""
    first = max(cut_date(now=sub.confirmed_at), timezone.localdate(now) - timedelta(days=LOOKBACK_DAYS))
    done = set(sent.filter(kind=SentItem.Kind.INCIDENT).values_list("object_id", flat=True))
    circle = _circle(sub)
    x0, y0, x1, y1 = circle.bounds
    rows = (
        visible(now=now).filter(sensitive=False, available_on__gte=first, lon__range=(x0, x1), lat__range=(y0, y1))
        .order_by("date", "category", "block", "id")
    )
    cut = cut_date(now=now)
    days = [d for d in range(first.toordinal(), cut.toordinal()) if d not in done]
    wanted = set(days)
    found = [r for r in rows if r.available_on.toordinal() in wanted and _within(sub, r.lon, r.lat)]
    return found, days


def _near_requests(sub: Subscription, qs) -> list[tuple[ServiceRequest, str]]:
    rows = list(qs.filter(lat__isnull=False, lon__isnull=False).select_related("service")
                .order_by("-requested_at", "-id")[:REQUEST_CANDIDATES])
    out = []
    for sr, place in zip(rows, public_places(rows), strict=True):
        if _within(sub, place.lon, place.lat):
            out.append((sr, place.block or ""))
    out.reverse()  # oldest first in the mail
    return out


def _updates(sub: Subscription, sent) -> list[tuple[int, StateChange]]:
    sr = sub.request
    if not sr.public:
        return []
    done = set(sent.filter(kind=SentItem.Kind.UPDATE).values_list("object_id", flat=True))
    out = []
    for change in StateChange.objects.filter(request=sr, at__gte=sub.confirmed_at).order_by("at", "id"):
        key = _key(sr.pk, change.to_state, change.at.isoformat())
        if key not in done:
            done.add(key)
            out.append((key, change))
    return out


def digest_for(sub: Subscription, now) -> Digest:
    """What ``sub`` has not been sent yet (the module's note)."""
    sent = SentItem.objects.filter(subscription=sub)
    digest = Digest()
    if sub.request_id:
        digest.updates = _updates(sub, sent)
        return digest
    areas = _area_ids(sub) if sub.area_id else _areas_near(sub)
    if sub.problems:
        digest.problems = _problems(sub, areas, sent)
    if sub.meetings:
        digest.meetings = _meetings(areas, sent, now)
    if sub.area_id:
        return digest
    if sub.incidents:
        digest.incidents, digest.incident_days = _incidents(sub, sent, now)
    if sub.requests:
        since = max(sub.confirmed_at, now - timedelta(days=LOOKBACK_DAYS))
        public = ServiceRequest.objects.public()
        digest.requests = _near_requests(
            sub,
            # a request already closed is told once, as an outcome
            public.filter(requested_at__gte=since).exclude(state__in=CLOSED_STATES)
            .exclude(pk__in=sent.filter(kind=SentItem.Kind.REQUEST).values("object_id")),
        )
        digest.outcomes = _near_requests(
            sub,
            public.filter(state__in=CLOSED_STATES, updated_at__gte=since)
            .exclude(pk__in=sent.filter(kind=SentItem.Kind.OUTCOME).values("object_id")),
        )
    return digest


def _record(sub: Subscription, digest: Digest) -> None:
    K = SentItem.Kind
    items = (
        [(K.PROBLEM, p.pk) for p in digest.problems]
        + [(K.MEETING, m.pk) for m in digest.meetings]
        + [(K.INCIDENT, d) for d in digest.incident_days]
        + [(K.REQUEST, sr.pk) for sr, _ in digest.requests]
        + [(K.OUTCOME, sr.pk) for sr, _ in digest.outcomes]
        + [(K.UPDATE, key) for key, _ in digest.updates]
    )
    SentItem.objects.bulk_create([SentItem(subscription=sub, kind=k, object_id=i) for k, i in items])


def _outcome_text(sr: ServiceRequest) -> str:
    text = public_label(sr.state)
    if sr.state == State.CLOSED_NOT_FIXED and sr.closed_reason:
        text = f"{text}: {clean_text(sr.closed_reason)}"
    return text


def _change_text(sr: ServiceRequest, change: StateChange) -> str:
    """A step as a follower may read it: the state in words (and the agency it went to). The
    notes of past steps stay with staff and the reporter; only the current note is public."""
    from django.utils.translation import gettext

    if change.to_state == State.REFERRED and sr.agency_responsible:
        return gettext("Referred to %(agency)s") % {"agency": sr.agency_responsible}
    return str(public_label(change.to_state))


def _place_context(sub: Subscription, digest: Digest) -> dict:
    incidents = [
        {"date": r.date, "category": r.category, "block": r.block} for r in digest.incidents[:INCIDENT_LINES]
    ]
    days = sorted(digest.incident_days)
    return {
        "incidents": incidents,
        "incidents_total": len(digest.incidents),
        "incidents_more": max(0, len(digest.incidents) - INCIDENT_LINES),
        "by_category": Counter(r.category for r in digest.incidents).most_common(),
        "last_day": date.fromordinal(days[-1]) if days else None,
        "map_url": _url("publish:map"),
        "requests": [
            {"service": sr.service.public_name, "block": block, "state": public_label(sr.state),
             "date": timezone.localdate(sr.requested_at),
             "follow_url": _url("engagement:follow", sr.public_id)}
            for sr, block in digest.requests
        ],
        "outcomes": [
            {"service": sr.service.public_name, "block": block, "outcome": _outcome_text(sr)}
            for sr, block in digest.outcomes
        ],
    }


def _send(sub: Subscription, digest: Digest, public: dict) -> None:
    from django.utils.translation import gettext

    with translation.override(sub.language):
        if sub.request_id:
            sr = sub.request
            subject = gettext("Report %(id)s: %(count)d update(s)") % {"id": sr.public_id, "count": digest.count}
            context = {
                "sr": sr,
                "service": sr.service.public_name,
                "place_block": public_block(sr.address or sr.block_address),
                "updates": [{"at": c.at, "text": _change_text(sr, c)} for _, c in digest.updates],
                # the current note and reason as Open311 publishes them (scrubbed), never past notes
                "note": clean_text(sr.status_notes),
                "reason": clean_text(sr.closed_reason) if sr.state == State.CLOSED_NOT_FIXED else "",
            }
            send(sub, subject, "engagement/mail/follow_update.txt", context)
            return
        subject = gettext("New in %(area)s: %(count)d update(s)") % {"area": sub.label, "count": digest.count}
        problems = [(public[p.pk], _problem_url(p.pk)) for p in digest.problems if p.pk in public]
        context = {"problems": problems, "meetings": digest.meetings}
        if not sub.area_id:
            context.update(_place_context(sub, digest))
        send(sub, subject, "engagement/mail/digest.txt", context)


def send_digests(now=None) -> NotifyRun:
    """Send each confirmed subscriber that is due one mail listing what is new for them; record it."""
    now = now or timezone.now()
    run = NotifyRun.objects.create(started_at=now)
    public = None  # the public form of each problem, looked up once per run (when needed)
    subs = (
        Subscription.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)
        .select_related("area", "request__service")
    )
    for sub in subs.order_by("pk"):
        if not due(sub, now):
            continue
        with transaction.atomic():
            # lock the subscriber's row so two overlapping runs cannot both send the same items
            locked = Subscription.objects.select_for_update().filter(pk=sub.pk).first()
            if locked is None or not due(locked, now):
                continue
            digest = digest_for(sub, now)
            if not digest:
                continue
            if public is None and digest.problems:
                public = {p.id: p for p in public_problems()}
            _record(sub, digest)
            _send(sub, digest, public or {})
            Subscription.objects.filter(pk=sub.pk).update(last_sent_at=now)
        run.mails += 1
        run.items += digest.count
    run.finished_at = timezone.now()
    run.save()
    return run
