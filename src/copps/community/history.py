"""A request's state history as an import knows it.

An Open311 feed or a 311 export says only where a request stands now (open or closed, or the
source's own status) and when it was opened, last updated and perhaps closed. Service levels
(``copps.community.service_levels``) read the history of steps, so without one an imported
closed request is "fixed" but never "acknowledged". The import therefore records the one step
the data shows: from received to the current state, at the close time (closed requests) or the
last update (others). Those steps are marked ``imported`` and replaced whenever the import
changes the request; steps staff record in copps are never touched.
"""

from __future__ import annotations

from datetime import datetime

from copps.community.models import ServiceRequest, StateChange
from copps.community.states import CLOSED_STATES, State

__all__ = ["imported_steps", "replace_imported"]


def imported_steps(request: ServiceRequest, closed_at: datetime | None) -> list[StateChange]:
    """The steps the data shows for ``request`` (none while it is still received)."""
    if request.state == State.RECEIVED:
        return []
    at = closed_at if request.state in CLOSED_STATES and closed_at else request.updated_at
    at = max(at or request.requested_at, request.requested_at)  # never before it was made
    return [
        StateChange(request=request, at=at, from_state=State.RECEIVED, to_state=request.state, imported=True)
    ]


def replace_imported(requests: list[tuple[ServiceRequest, datetime | None]]) -> None:
    """Replace the imported steps of these (new or changed) requests with what the data shows now."""
    ids = [r.pk for r, _ in requests]
    for start in range(0, len(ids), 5000):  # bounded IN lists for SQLite's variable limit
        StateChange.objects.filter(request_id__in=ids[start : start + 5000], imported=True).delete()
    StateChange.objects.bulk_create(
        [step for request, closed_at in requests for step in imported_steps(request, closed_at)], batch_size=1000
    )
