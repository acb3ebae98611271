"""Asking to join a watch group: the request, its confirmation (double opt-in), the decision.

A request from the public page is stored *pending* and mailed a confirmation link; only the
button behind the link (a POST) confirms it, so mail scanners that follow links do not. The
link carries a signed token, as subscription links do (``django.core.signing``, keyed by the
secret key, valid ``mailing.CONFIRM_DAYS``): nothing secret is stored, and an expired or
altered link reads as no request at all. Pending requests older than that are deleted the
next time anyone asks to join, since their details were never confirmed.

Staff decide only confirmed requests. A decision clears the request's contact details: an
accepted person's live on in the new ``WatchMember``, a declined person's nowhere.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from copps.community.engagement.conf import site_url
from copps.community.engagement.mailing import CONFIRM_DAYS
from copps.community.engagement.models import WatchGroup, WatchJoinRequest, WatchMember

__all__ = [
    "CONFIRM_DAYS",
    "accept",
    "ask",
    "confirm",
    "confirm_token",
    "decline",
    "from_link",
    "purge_expired",
    "read_confirm_token",
]

Status = WatchJoinRequest.Status
_CONFIRM = signing.TimestampSigner(salt="copps.engagement.watchjoin.confirm")


def confirm_token(join: WatchJoinRequest) -> str:
    return _CONFIRM.sign(str(join.pk))


def read_confirm_token(token: str) -> int | None:
    try:
        return int(_CONFIRM.unsign(token, max_age=CONFIRM_DAYS * 86400))
    except (signing.BadSignature, ValueError):
        return None


def _lapsed_before(now: datetime) -> datetime:
    return now - timedelta(days=CONFIRM_DAYS)


def purge_expired(now: datetime | None = None) -> int:
    """Delete the pending requests whose link has lapsed; return how many."""
    now = now or timezone.now()
    deleted, _ = WatchJoinRequest.objects.filter(status=Status.PENDING, requested_at__lt=_lapsed_before(now)).delete()
    return deleted


def send_confirmation(join: WatchJoinRequest) -> None:
    confirm_url = site_url() + reverse("engagement:watch_confirm", args=[confirm_token(join)])
    with translation.override(join.language):
        subject = gettext("Confirm your request to join %(group)s") % {"group": join.group.name}
        body = render_to_string(
            "engagement/mail/watch_join_confirm.txt",
            {"group": join.group, "confirm_url": confirm_url, "days": CONFIRM_DAYS, "site": site_url()},
        )
    EmailMessage(subject=subject, body=body, to=[join.email]).send(fail_silently=False)


def ask(
    group: WatchGroup, *, name: str, email: str, phone: str = "", block: str = "", language: str = "en"
) -> WatchJoinRequest | None:
    """Record a request to join ``group`` and mail its confirmation link; return it.

    Nothing is stored or sent (``None``) when the address is a member of the group already or
    its request is confirmed and waiting for staff; asking again while pending refreshes the
    details and sends a new link. The caller answers the same in every case, so the form
    tells no one who is in a group. ``block`` must already be generalised (the form does it).
    """
    email = email.strip().lower()
    now = timezone.now()
    purge_expired(now)
    if WatchMember.objects.filter(group=group, email__iexact=email).exists():
        return None
    try:
        with transaction.atomic():
            join = (
                WatchJoinRequest.objects.select_for_update()
                .filter(group=group, email=email, status__in=WatchJoinRequest.OPEN)
                .first()
            )
            if join is not None and join.status == Status.CONFIRMED:
                return None
            join = join or WatchJoinRequest(group=group, email=email)
            join.name, join.phone, join.block = name.strip(), phone.strip(), block
            join.language, join.requested_at = language, now
            join.save()
            # inside the transaction: a mail that cannot be sent leaves no request behind
            send_confirmation(join)
    except IntegrityError:  # the same address asked twice at once: the other request is mailed
        return None
    return join


def from_link(token: str, now: datetime | None = None) -> WatchJoinRequest | None:
    """The request a confirmation link stands for, or ``None`` when the link is altered or
    lapsed, or its request is gone or declined (all look alike to the person holding it)."""
    pk = read_confirm_token(token)
    join = WatchJoinRequest.objects.filter(pk=pk).select_related("group").first() if pk else None
    if join is None or join.status == Status.DECLINED:
        return None
    if join.status == Status.PENDING and join.requested_at < _lapsed_before(now or timezone.now()):
        return None
    return join


def confirm(join: WatchJoinRequest, now: datetime | None = None) -> None:
    """Mark a pending request confirmed: from now on staff see it on the group's page."""
    if join.status != Status.PENDING:
        return
    now = now or timezone.now()
    WatchJoinRequest.objects.filter(pk=join.pk, status=Status.PENDING).update(status=Status.CONFIRMED, confirmed_at=now)
    join.status, join.confirmed_at = Status.CONFIRMED, now


def _close(join: WatchJoinRequest, status: str, by, member: WatchMember | None = None) -> None:
    join.status, join.decided_at, join.decided_by, join.member = status, timezone.now(), by, member
    join.name = join.email = join.phone = join.block = ""
    join.save()


def accept(join: WatchJoinRequest, *, by, captain: bool = False) -> WatchMember:
    """Make a confirmed request a member of its group (a block captain if ``captain``).
    The caller holds the request's row lock and audits the decision."""
    if join.status != Status.CONFIRMED:
        raise ValueError(f"only a confirmed request can be accepted, not a {join.status} one")
    member = WatchMember.objects.create(
        group=join.group,
        name=join.name,
        email=join.email,
        phone=join.phone,
        block=join.block,
        captain=captain,
        joined_on=timezone.localdate(),
    )
    _close(join, Status.ACCEPTED, by, member)
    return member


def decline(join: WatchJoinRequest, *, by) -> None:
    """Turn a confirmed request down; its contact details are cleared."""
    if join.status != Status.CONFIRMED:
        raise ValueError(f"only a confirmed request can be declined, not a {join.status} one")
    _close(join, Status.DECLINED, by)
