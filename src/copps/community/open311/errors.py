"""Open311 errors: a list of ``{code, description}`` with the HTTP status the spec asks for.

The spec's rule: 404 for a resource that does not exist, 403 for a missing or wrong
``api_key``, 400 for any other request that cannot be fulfilled. copps adds 405 (wrong
method on an existing resource) and 422 (an ``Idempotency-Key`` reused for a different
request, as the IETF idempotency-key draft recommends).
"""

from __future__ import annotations

__all__ = ["Open311Error", "bad_request", "not_found", "forbidden"]


class Open311Error(Exception):
    """Raised anywhere in the Open311 views; rendered as the spec's error list."""

    def __init__(self, status: int, errors: list[str] | str, *, headers: dict | None = None):
        self.status = status
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        self.headers = headers or {}
        super().__init__("; ".join(self.errors))

    def items(self) -> list[dict]:
        return [{"code": self.status, "description": text} for text in self.errors]


def bad_request(*errors: str) -> Open311Error:
    return Open311Error(400, list(errors))


def not_found(what: str) -> Open311Error:
    return Open311Error(404, f"{what} was not found")


def forbidden(text: str) -> Open311Error:
    return Open311Error(403, text)
