"""Writing audit rows. Callers write the row before they return sensitive data, so
a failed write means the data is not returned (the exception propagates)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from copps.accounts.models import AuditLog, User

__all__ = ["record", "record_many"]


def _client_addr(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    object_type: str = "",
    object_id: object = "",
    outcome: str = AuditLog.Outcome.ALLOWED,
    params: dict | None = None,
) -> AuditLog:
    """Write one audit row (``user`` defaults to the request's user)."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user  # type: ignore[assignment]
    return AuditLog.objects.create(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        remote_addr=_client_addr(request),
        params=params or {},
    )


def record_many(
    action: str, *, request: HttpRequest, object_type: str, object_ids: Iterable[object],
    params: dict | None = None,
) -> None:
    """One row per object, e.g. every sensitive event shown on a list page."""
    user = request.user if request.user.is_authenticated else None
    rows = [
        AuditLog(
            user=user,
            username=user.get_username() if user else "",
            action=action,
            object_type=object_type,
            object_id=str(oid),
            remote_addr=_client_addr(request),
            params=params or {},
        )
        for oid in object_ids
    ]
    AuditLog.objects.bulk_create(rows)
