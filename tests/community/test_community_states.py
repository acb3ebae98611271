"""The request state machine: every allowed step works and is recorded, every other is refused."""

from __future__ import annotations

import itertools

import pytest

from copps.accounts.models import AuditLog
from copps.community.models import StateChange
from copps.community.states import CLOSED_STATES, TRANSITIONS, State, TransitionError, advance, public_note

STEPS = [(a, b) for a, b in itertools.product(State.values, State.values)]
ALLOWED = [(a, b) for a, b in STEPS if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in STEPS if b not in TRANSITIONS[a]]


def needs(to: str) -> dict:
    return {"referred": {"agency": "County Roads"}, "closed_not_fixed": {"reason": "Private land"}}.get(to, {})


def test_every_state_has_its_transitions_and_every_target_is_a_state():
    assert set(TRANSITIONS) == set(State.values)
    assert all(targets <= set(State.values) for targets in TRANSITIONS.values())


def test_the_life_of_a_request_from_received_to_reopened_and_closed():
    path = ["received", "acknowledged", "in_progress", "referred", "in_progress", "closed_fixed", "reopened",
            "closed_not_fixed", "reopened", "acknowledged"]
    assert all(b in TRANSITIONS[a] for a, b in zip(path, path[1:], strict=False))


def test_closed_requests_only_reopen():
    for state in CLOSED_STATES:
        assert TRANSITIONS[state] == {State.REOPENED}


@pytest.mark.parametrize("origin,to", ALLOWED)
def test_allowed_step_changes_state_status_and_is_recorded(make_request, django_user_model, origin, to):
    officer = django_user_model.objects.create(username="officer", role="officer")  # no password: fast
    sr = make_request(state=origin)
    before = sr.updated_at
    advance(sr, to, notes="Crew booked", user=officer, **needs(to))
    sr.refresh_from_db()
    assert sr.state == to
    assert sr.status == ("closed" if to in CLOSED_STATES else "open")
    assert sr.updated_at > before
    change = StateChange.objects.get(request=sr)
    assert (change.from_state, change.to_state, change.notes, change.user) == (origin, to, "Crew booked", officer)
    audit = AuditLog.objects.get(action="service_request.state")
    assert (audit.object_id, audit.params, audit.username) == (sr.public_id, {"from": origin, "to": to}, "officer")


@pytest.mark.parametrize("origin,to", REFUSED)
def test_refused_step_changes_nothing(make_request, origin, to):
    sr = make_request(state=origin)
    with pytest.raises(TransitionError):
        advance(sr, to, **needs(to))
    sr.refresh_from_db()
    assert sr.state == origin
    assert not StateChange.objects.exists()


def test_referring_needs_the_agency_and_closing_unfixed_needs_the_reason(make_request):
    sr = make_request()
    with pytest.raises(TransitionError, match="agency"):
        advance(sr, "referred", agency="  ")
    with pytest.raises(TransitionError, match="reason"):
        advance(sr, "closed_not_fixed")
    advance(sr, "referred", agency="Code Enforcement")
    assert sr.agency_responsible == "Code Enforcement"
    assert public_note(sr) == "Referred to Code Enforcement"


def test_unknown_state_is_refused(make_request):
    with pytest.raises(ValueError):
        advance(make_request(), "lost")


def test_status_notes_say_the_state_then_the_note(make_request):
    sr = make_request()
    assert public_note(sr) == "Received"
    advance(sr, "closed_not_fixed", reason="Private property", notes="Owner told")
    assert public_note(sr) == "Closed – not fixed: Private property. Owner told"
    advance(sr, "reopened")
    assert (sr.closed_reason, public_note(sr), sr.status) == ("", "Reopened", "open")
