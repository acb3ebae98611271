"""The JSON API's plumbing for access: the staff API documents the refusals every staff
operation can give, so that its OpenAPI schema tells clients (and schemathesis) the truth.

Every staff operation answers 401 to a request without a signed-in session (with both factors),
403 to one signed in without a staff role, and 400 when its parameters are invalid; django-ninja
documents only the success answer, so this adds the others to each operation of the schema.

The staff API's schema itself is for staff too (it maps the staff operations and their filters):
it answers the same 401 and 403 as the operations (issue 13).
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, JsonResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from copps.accounts.permissions import record_denial, refused_path, signed_in_fully

__all__ = ["ERROR_SCHEMA", "StaffAPI", "document_refusals", "staff_schema_required"]

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_WHY = {
    "400": "The parameters are invalid; `detail` says which and why.",
    "401": "No signed-in staff session (password and second factor).",
    "403": "Signed in, but not as department staff.",
}


def document_refusals(schema: dict, codes: tuple[str, ...]) -> dict:
    """Add the refusal answers ``codes`` to every operation of ``schema`` (400 only where the
    operation takes parameters or a body)."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
            # django-ninja keys responses by int: compare as text so a declared code is kept
            declared = {str(code) for code in operation["responses"]}
            for code in codes:
                if code in declared or (code == "400" and not takes_input):
                    continue
                operation["responses"][code] = {
                    "description": _WHY[code],
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                }
    return schema


def refuse_invalid_parameters(api: NinjaAPI) -> NinjaAPI:
    """Answer a parameter that fails validation (a value outside its declared choices, say) with
    400 and a one-line ``detail``, as the hand-written checks do, instead of ninja's 422 list."""

    def handler(request, exc: ValidationError):
        reasons = "; ".join(
            f"{'.'.join(str(part) for part in error.get('loc', ())[1:]) or 'request'}: {error.get('msg', 'invalid')}"
            for error in exc.errors
        )
        return api.create_response(request, {"detail": reasons or "invalid parameters"}, status=400)

    api.add_exception_handler(ValidationError, handler)
    return api


def staff_schema_required(view):
    """The schema view for department staff signed in with both factors: 401 without such a
    session, 403 (audited as denied) to a signed-in user who is not staff."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not signed_in_fully(request):
            return JsonResponse({"detail": "Staff sign-in required"}, status=401)
        if not getattr(request.user, "is_department_staff", False):
            record_denial(request, "api.schema", **refused_path(request))
            return JsonResponse({"detail": "Staff sign-in required"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


class StaffAPI(NinjaAPI):
    """A NinjaAPI for staff operations; its schema documents 400, 401 and 403, and only staff
    signed in with both factors may read it."""

    refusal_codes = ("400", "401", "403")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("docs_decorator", staff_schema_required)
        super().__init__(*args, **kwargs)
        refuse_invalid_parameters(self)

    def get_openapi_schema(self, *args, **kwargs):
        return document_refusals(super().get_openapi_schema(*args, **kwargs), self.refusal_codes)
