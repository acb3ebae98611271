"""An anonymous tip's conversation, the one way every caller changes it (the tipster's pages,
staff triage, the demo): a new tip, the tipster's answer, a staff reply.

A send of the same form twice (a retry after a dropped connection) stores one tip or answer:
each carries the hash of its form's nonce (``submission``, unique), and the loser of that race
gets what the winner stored. Forms and pages are the views' (``views/tips.py``,
``views/triage.py``); nothing here knows who the tipster is.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from copps.accounts import audit
from copps.community.models import Tip, TipMessage
from copps.community.models.tips import coarse_now

__all__ = ["new_tip", "tipster_answer", "staff_reply"]


def new_tip(*, passphrase: str, topic: str, where: str, message: str, digest: str | None = None) -> Tip:
    """Store a tip and its first message, or, when the same form is being stored at this
    moment by another send of it, the tip that send stored."""
    try:
        with transaction.atomic():
            tip = Tip(topic=topic, where=where, submission=digest)
            tip.set_passphrase(passphrase)
            tip.save()
            TipMessage.objects.create(tip=tip, from_tipster=True, body=message)
    except IntegrityError:
        return Tip.objects.get(submission=digest)
    return tip


def tipster_answer(tip: Tip, body: str, *, digest: str | None = None) -> TipMessage:
    """Store the tipster's answer (or the one another send of the same form just stored). An
    answer to a closed tip opens it again: it is new information and goes back to the queue."""
    try:
        with transaction.atomic():
            message = TipMessage.objects.create(tip=tip, from_tipster=True, body=body, submission=digest)
            changes = {"updated_at": coarse_now()}
            if tip.state == Tip.State.CLOSED:
                changes["state"] = Tip.State.OPEN
            Tip.objects.filter(pk=tip.pk).update(**changes)
    except IntegrityError:
        return TipMessage.objects.get(submission=digest)
    return message


def staff_reply(tip: Tip, body: str, *, by, request: HttpRequest | None = None) -> TipMessage:
    """A staff member's reply (shown to the tipster as "the department"); a new tip becomes open.
    Audited as ``tip.reply``."""
    with transaction.atomic():
        message = TipMessage.objects.create(tip=tip, from_tipster=False, author=by, body=body, at=timezone.now())
        if tip.state == Tip.State.NEW:
            tip.state = Tip.State.OPEN
            tip.save(update_fields=["state"])
        audit.record("tip.reply", request=request, user=by, object_type="tip", object_id=tip.public_id)
    return message
