"""Writing audit rows. Callers write the row before they return sensitive data, so a failed
write means the data is not returned (the exception propagates: fail closed).

Every row joins the hash chain (``copps.accounts.chain``)."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar

from django.http import HttpRequest

from copps.accounts import chain
from copps.accounts.models import AuditLog, User

__all__ = ["current_request", "record", "record_many"]

# The request being served, so that changes made deep inside (model signals) are audited with
# who made them and from where. Set by copps.accounts.middleware.SessionSecurityMiddleware.
_current_request: ContextVar[HttpRequest | None] = ContextVar("copps_audit_request", default=None)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def _client_addr(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _actor(request: HttpRequest | None) -> User | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None  # type: ignore[return-value]


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str | None = None,
    object_type: str = "",
    object_id: object = "",
    outcome: str = AuditLog.Outcome.ALLOWED,
    params: dict | None = None,
) -> AuditLog:
    """Write one audit row (``user`` defaults to the request's user; ``username`` to the
    user's, and names an account that may not exist for failed sign-ins)."""
    if user is None:
        user = _actor(request)
    if username is None:
        username = user.get_username() if user else ""
    row = AuditLog(
        user=user,
        username=username,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        remote_addr=_client_addr(request),
        params=params or {},
    )
    return chain.append([row])[0]


def record_many(
    action: str, *, request: HttpRequest, object_type: str, object_ids: Iterable[object],
    params: dict | None = None,
) -> None:
    """One row per object, e.g. every sensitive event shown on a list page."""
    user = _actor(request)
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
    chain.append(rows)
