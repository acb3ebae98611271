"""The subscribers' digest: what is new in their area, as residents may read it.

Problems reach residents only through ``publish/``: the digest lists public problems in their
public form (title and summary cleaned of numbers and contacts, :func:`public_problems`) and the
public meetings of the area. The digest records each item it sends per subscriber (``SentItem``),
inside the same transaction as the sending, so running ``copps notify`` again sends nothing twice
and a failed send leaves nothing marked as sent. The mail itself (signed links, the
List-Unsubscribe header) is :func:`copps.community.engagement.mailing.send`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from copps.community.engagement.conf import site_url
from copps.community.engagement.mailing import send
from copps.community.engagement.models import Meeting, NotifyRun, SentItem, Subscription
from copps.problems.models import Problem
from copps.publish.problem_pages import public_problems

__all__ = ["Digest", "digest_for", "send_digests"]


def _area_ids(sub: Subscription) -> list[int]:
    """The subscribed area and the areas inside it (a district's beats)."""
    return [sub.area_id, *sub.area.children.values_list("pk", flat=True)]


def _problem_url(pk: int) -> str:
    try:
        return site_url() + reverse("publish:problem", args=[pk])
    except NoReverseMatch:  # the public problem page is not mounted: the portal's front page
        return site_url() + reverse("publish:map")


@dataclass
class Digest:
    problems: list
    meetings: list

    def __bool__(self) -> bool:
        return bool(self.problems or self.meetings)


def digest_for(sub: Subscription, now) -> Digest:
    """What ``sub`` has not been sent yet: public problems in its area opened or changed since
    it was confirmed, and public meetings in its area still to come."""
    sent = SentItem.objects.filter(subscription=sub)
    areas = _area_ids(sub)
    problems: list = []
    meetings: list = []
    if sub.problems:
        problems = list(
            Problem.objects.public().filter(areas__in=areas)
            .filter(Q(opened_at__gte=sub.confirmed_at) | Q(updated_at__gte=sub.confirmed_at))
            .exclude(pk__in=sent.filter(kind=SentItem.Kind.PROBLEM).values("object_id"))
            .distinct()
            .order_by("opened_at", "pk")
        )
    if sub.meetings:
        meetings = list(
            Meeting.objects.public().filter(cancelled=False, area__in=areas, starts_at__gte=now)
            .exclude(pk__in=sent.filter(kind=SentItem.Kind.MEETING).values("object_id"))
            .select_related("area")
            .order_by("starts_at", "pk")
        )
    return Digest(problems, meetings)


def send_digests(now=None) -> NotifyRun:
    """Send each confirmed subscriber one mail listing what is new for them; record it."""
    from django.utils.translation import gettext

    # the public form of each problem, looked up once per run
    now = now or timezone.now()
    run = NotifyRun.objects.create(started_at=now)
    public = {p.id: p for p in public_problems()}
    subs = Subscription.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True).select_related("area")
    for sub in subs.order_by("pk"):
        with transaction.atomic():
            # lock the subscriber's row so two overlapping runs cannot both send the same items
            Subscription.objects.select_for_update().filter(pk=sub.pk).first()
            digest = digest_for(sub, now)
            if not digest:
                continue
            SentItem.objects.bulk_create(
                [SentItem(subscription=sub, kind=SentItem.Kind.PROBLEM, object_id=p.pk) for p in digest.problems]
                + [SentItem(subscription=sub, kind=SentItem.Kind.MEETING, object_id=m.pk) for m in digest.meetings]
            )
            with translation.override(sub.language):
                subject = gettext("New in %(area)s: %(count)d update(s)") % {
                    "area": sub.area.name,
                    "count": len(digest.problems) + len(digest.meetings),
                }
            problems = [(public[p.pk], _problem_url(p.pk)) for p in digest.problems if p.pk in public]
            send(sub, subject, "engagement/mail/digest.txt", {"problems": problems, "meetings": digest.meetings})
        run.mails += 1
        run.items += len(digest.problems) + len(digest.meetings)
    run.finished_at = timezone.now()
    run.save()
    return run
