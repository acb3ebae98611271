"""How a service request moves from received to closed: the states and the allowed steps.

Open311 knows only ``open`` and ``closed``; the department tracks more. A request is
received, acknowledged, worked on, perhaps referred to another agency (which one is
recorded), then closed as fixed or not fixed (with the reason); a closed request can be
reopened. ``advance`` is the one way to change a request's state: it checks the step,
records it (``StateChange`` and the audit log) and keeps ``updated_at`` current.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from copps.geo.text import clean_text

if TYPE_CHECKING:
    from django.http import HttpRequest

    from copps.community.models import ServiceRequest

__all__ = ["State", "CLOSED_STATES", "TRANSITIONS", "TransitionError", "allowed", "advance", "public_note"]


class State(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    REFERRED = "referred", "Referred"
    CLOSED_FIXED = "closed_fixed", "Closed – fixed"
    CLOSED_NOT_FIXED = "closed_not_fixed", "Closed – not fixed"
    REOPENED = "reopened", "Reopened"


# The states as residents read them on the public pages, in their language. (The labels above
# stay English: staff pages, the admin and Open311's status_notes use them.)
_PUBLIC_LABELS = {
    State.RECEIVED: pgettext_lazy("state of a concern", "Received"),
    State.ACKNOWLEDGED: pgettext_lazy("state of a concern", "Acknowledged"),
    State.IN_PROGRESS: pgettext_lazy("state of a concern", "In progress"),
    State.REFERRED: pgettext_lazy("state of a concern", "Referred"),
    State.CLOSED_FIXED: pgettext_lazy("state of a concern", "Closed – fixed"),
    State.CLOSED_NOT_FIXED: pgettext_lazy("state of a concern", "Closed – not fixed"),
    State.REOPENED: pgettext_lazy("state of a concern", "Reopened"),
}


def public_label(state: str) -> str:
    """A state's name on a public page, in the active language."""
    return str(_PUBLIC_LABELS[State(state)])


CLOSED_STATES = frozenset({State.CLOSED_FIXED, State.CLOSED_NOT_FIXED})
_WORK = frozenset({State.IN_PROGRESS, State.REFERRED, State.CLOSED_FIXED, State.CLOSED_NOT_FIXED})

# state -> the states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.RECEIVED: _WORK | {State.ACKNOWLEDGED},
    State.ACKNOWLEDGED: _WORK,
    State.IN_PROGRESS: _WORK - {State.IN_PROGRESS},
    # Another agency may hand it back (in progress) or close it.
    State.REFERRED: _WORK - {State.REFERRED},
    State.CLOSED_FIXED: frozenset({State.REOPENED}),
    State.CLOSED_NOT_FIXED: frozenset({State.REOPENED}),
    State.REOPENED: _WORK | {State.ACKNOWLEDGED},
}


class TransitionError(ValueError):
    """A step the state machine does not allow, or one missing what it needs."""


def allowed(state: str) -> frozenset[str]:
    return TRANSITIONS[state]


def public_note(request: ServiceRequest) -> str:
    """What Open311's ``status_notes`` says: the state in words, then the staff note, scrubbed of
    e-mail addresses, phone numbers and house numbers like any published free text."""
    label = State(request.state).label
    if request.state == State.REFERRED and request.agency_responsible:
        label = f"Referred to {request.agency_responsible}"
    elif request.state == State.CLOSED_NOT_FIXED and request.closed_reason:
        label = f"{label}: {request.closed_reason}"
    return clean_text(f"{label}. {request.status_notes}" if request.status_notes else label)


def advance(
    request: ServiceRequest,
    to: str,
    *,
    notes: str = "",
    agency: str = "",
    reason: str = "",
    user=None,
    http_request: HttpRequest | None = None,
    at=None,
) -> ServiceRequest:
    """Move ``request`` to state ``to``.

    Referring needs the ``agency`` it goes to; closing as not fixed needs the ``reason``.
    ``notes`` replaces the public status note. Raises ``TransitionError`` for a step not in
    ``TRANSITIONS``.
    """
    from copps.accounts import audit
    from copps.community.models import StateChange

    to = State(to)
    if to not in TRANSITIONS[request.state]:
        raise TransitionError(f"cannot go from {State(request.state).label.lower()} to {to.label.lower()}")
    if to == State.REFERRED and not agency.strip():
        raise TransitionError("referring a request needs the agency it is referred to")
    if to == State.CLOSED_NOT_FIXED and not reason.strip():
        raise TransitionError("closing a request as not fixed needs the reason")
    at = at or timezone.now()
    previous = request.state
    request.state = to
    request.status_notes = notes.strip()
    if to == State.REFERRED:
        request.agency_responsible = agency.strip()
    request.closed_reason = reason.strip() if to == State.CLOSED_NOT_FIXED else ""
    request.updated_at = at
    with transaction.atomic():
        request.save(update_fields=["state", "status_notes", "agency_responsible", "closed_reason", "updated_at"])
        StateChange.objects.create(
            request=request, at=at, from_state=previous, to_state=to, notes=request.status_notes, user=user
        )
        audit.record(
            "service_request.state",
            request=http_request,
            user=user,
            object_type="service_request",
            object_id=request.public_id,
            params={"from": previous, "to": to},
        )
    return request
