"""An OpenAPI 3.0 description of copps's Open311 GeoReport v2 server, served at
``/open311/v2/openapi.json``: for client developers, and for the schemathesis run of
``tests/security/test_schemathesis.py``, which checks every answer against it.

Built here from the same names the views use (the filters of ``filters.py``, the POST fields of
``submit.py``, the service types and attribute datatypes of the models, the rate-limit and
error codes), so a field added there shows up in the tests' checks when it is missing here.
Each resource is described in both formats: the JSON paths with schemas for every element, the
XML paths with the same parameters and codes (their shape is checked against the real San
Francisco answers by ``tests/community/test_open311_conformance.py``). POST links its answer to
the request it made (realtime services), so a stateful run follows submit → request.
"""

from __future__ import annotations

from copps.community.models import Service, ServiceAttribute
from copps.community.states import State

from .filters import MAX_IDS, MAX_PAGE, MAX_PAGE_SIZE
from .render import FORMATS
from .submit import MAX_DESCRIPTION

__all__ = ["schema", "POST_FIELDS"]

# The form fields of POST requests, with the limits submit.py enforces.
# What submit.py refuses in any text field: control characters other than tab and line breaks.
_CLEAN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"
# Ids and codes the views look up: no NUL character (PostgreSQL cannot compare text holding one;
# copps.community.open311.views.endpoint answers 400).
_NO_NUL = "^[^\\x00]*$"


def _text_field(limit: int, **more) -> dict:
    return {"type": "string", "maxLength": limit, "pattern": _CLEAN, **more}


# The form fields of POST requests, with the limits submit.py enforces. Rules across fields
# (lat with long; some location; the service's required questions) are in the descriptions:
# OpenAPI 3.0 cannot state them.
POST_FIELDS: dict[str, dict] = {
    "api_key": {"type": "string", "minLength": 1, "pattern": _NO_NUL,
                "description": "issued by the department (Django admin)"},
    "service_code": {"type": "string", "pattern": "^[^\\x00]*\\S[^\\x00]*$", "description": "from services.json"},
    "lat": {"type": "number", "minimum": -90, "maximum": 90, "description": "WGS 84; sent with long"},
    "long": {"type": "number", "minimum": -180, "maximum": 180, "description": "WGS 84; sent with lat"},
    "address_string": _text_field(300, description="a location is lat and long, address_string or address_id"),
    "address_id": _text_field(64),
    "zipcode": _text_field(16),
    "email": {
        "type": "string",
        "maxLength": 254,
        "pattern": "^[a-z0-9]+([._-][a-z0-9]+)*@[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*\\.[a-z]{2,}$",
    },
    "device_id": _text_field(200),
    "account_id": _text_field(200),
    "first_name": _text_field(100),
    "last_name": _text_field(100),
    "phone": _text_field(40),
    "description": _text_field(MAX_DESCRIPTION),
    "media_url": {
        "type": "string",
        "maxLength": 1000,
        "pattern": "^https?://[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*\\.[a-z]{2,}(/[A-Za-z0-9._~-]*)*$",
    },
}

_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": "string", "nullable": True}
_WHEN = {"type": "string", "format": "date-time", "nullable": True, "description": "ISO 8601 with offset"}
_ERRORS = {"$ref": "#/components/schemas/Errors"}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


def _components() -> dict:
    value = _object({"key": _TEXT, "name": _TEXT})
    attribute = _object(
        {
            "variable": {"type": "boolean"},
            "code": _TEXT,
            "datatype": {"type": "string", "enum": list(ServiceAttribute.Datatype.values)},
            "required": {"type": "boolean"},
            "datatype_description": _MAYBE_TEXT,
            "order": {"type": "integer"},
            "description": _TEXT,
            "values": {"type": "array", "items": value},
        }
    )
    request = _object(
        {
            "service_request_id": _TEXT,
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": _TEXT,
            "service_name": _TEXT,
            "service_code": _TEXT,
            "description": _TEXT,
            "agency_responsible": _TEXT,
            "service_notice": _TEXT,
            "requested_datetime": _WHEN,
            "updated_datetime": _WHEN,
            "expected_datetime": _WHEN,
            "address": {"type": "string", "nullable": True, "description": "the hundred block, never a house number"},
            "address_id": _MAYBE_TEXT,
            "zipcode": _MAYBE_TEXT,
            "lat": {"type": "number", "nullable": True, "description": "generalised, never the reported point"},
            "long": {"type": "number", "nullable": True},
            "media_url": _TEXT,
            "extended_attributes": _object(
                {
                    "state": {"type": "string", "enum": list(State.values)},
                    "state_label": _TEXT,
                    "closed_reason": _MAYBE_TEXT,
                    "beat": _MAYBE_TEXT,
                    "district": _MAYBE_TEXT,
                }
            ),
        }
    )
    request["required"].remove("extended_attributes")  # only with extensions=true
    posted = {
        "type": "object",
        "properties": {"service_request_id": _TEXT, "token": _TEXT, "service_notice": _TEXT, "account_id": _MAYBE_TEXT},
        "required": ["service_notice", "account_id"],
    }
    return {
        "schemas": {
            "Error": _object({"code": {"type": "integer"}, "description": _TEXT}),
            "Errors": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Error"}},
            "Discovery": _object(
                {
                    "changeset": _TEXT,
                    "contact": _TEXT,
                    "key_service": _TEXT,
                    "endpoints": {
                        "type": "array",
                        "items": _object(
                            {
                                "specification": _TEXT,
                                "url": _TEXT,
                                "changeset": _TEXT,
                                "type": {"type": "string", "enum": ["production", "test"]},
                                "formats": {"type": "array", "items": _TEXT},
                            }
                        ),
                    },
                }
            ),
            "Service": _object(
                {
                    "service_code": _TEXT,
                    "service_name": _TEXT,
                    "description": _TEXT,
                    "metadata": {"type": "boolean"},
                    "type": {"type": "string", "enum": list(Service.Type.values)},
                    "keywords": _TEXT,
                    "group": _TEXT,
                }
            ),
            "ServiceDefinition": _object({"service_code": _TEXT, "attributes": {"type": "array", "items": attribute}}),
            "Request": request,
            "Posted": posted,
            "Token": _object({"service_request_id": _MAYBE_TEXT, "token": _TEXT}),
        }
    }


def _query(name: str, schema: dict, description: str = "") -> dict:
    # An empty value (``?status=``) is taken as the parameter not sent.
    return {
        "name": name,
        "in": "query",
        "required": False,
        "allowEmptyValue": True,
        "schema": schema,
        "description": description,
    }


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}


def _answers(fmt: str, ok: dict | None, *codes: int, ok_code: str = "200", extra: dict | None = None) -> dict:
    """The responses of one operation: its success (with ``ok``'s schema in JSON) and each error."""

    def body(schema: dict | None) -> dict:
        if fmt == "json":
            return {"application/json": {"schema": schema}} if schema else {"application/json": {}}
        return {"text/xml": {}}

    responses = {ok_code: {"description": "the document", "content": body(ok)}}
    responses.update(extra or {})
    reasons = {
        400: "bad input, one error per problem",
        403: "api_key missing, unknown or revoked",
        404: "no such resource",
        405: "method not allowed",
        422: "Idempotency-Key reused for another request",
        429: "rate limit: wait Retry-After seconds",
    }
    for code in (*codes, 405, 429):
        responses[str(code)] = {"description": reasons[code], "content": body(_ERRORS)}
    return responses


def _format_paths(fmt: str) -> dict:
    item = {"$ref": "#/components/schemas/Request"}
    listed = {"type": "array", "items": item}
    posted_ok = {"type": "array", "minItems": 1, "maxItems": 1, "items": {"$ref": "#/components/schemas/Posted"}}
    filters = [
        _query(
            "service_request_id", {"type": "string", "pattern": _NO_NUL},
            f"comma-separated ids (at most {MAX_IDS}); overrides the rest",
        ),
        _query("service_code", {"type": "string", "pattern": _NO_NUL}, "comma-separated service codes"),
        _query("start_date", {"type": "string", "format": "date-time"}, "W3C datetime; the window is at most 90 days"),
        _query("end_date", {"type": "string", "format": "date-time"}),
        _query("status", {"type": "string", "enum": ["open", "closed", "open,closed"]}),
        _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "paging extension, from 1"),
        _query("page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
        _query("extensions", {"type": "string"}, "true adds extended_attributes; anything else does not"),
        _query("jurisdiction_id", {"type": "string"}, "accepted and ignored: one jurisdiction"),
    ]
    form = {"type": "object", "properties": POST_FIELDS, "required": ["api_key", "service_code"]}
    array_of = {
        "services": {"type": "array", "items": {"$ref": "#/components/schemas/Service"}},
        "definition": {"$ref": "#/components/schemas/ServiceDefinition"},
        "token": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}},
    }
    return {
        f"/open311/v2/discovery.{fmt}": {
            "get": {
                "operationId": f"discovery_{fmt}",
                "summary": "where and how to reach this server",
                "responses": _answers(fmt, {"$ref": "#/components/schemas/Discovery"}),
            }
        },
        f"/open311/v2/services.{fmt}": {
            "get": {
                "operationId": f"services_{fmt}",
                "summary": "the kinds of request residents can make",
                "parameters": [filters[-1]],
                "responses": _answers(fmt, array_of["services"]),
            }
        },
        f"/open311/v2/services/{{service_code}}.{fmt}": {
            "get": {
                "operationId": f"service_{fmt}",
                "summary": "a service's questions (attributes)",
                "parameters": [_path("service_code")],
                "responses": _answers(fmt, array_of["definition"], 404),
            }
        },
        f"/open311/v2/requests.{fmt}": {
            "get": {
                "operationId": f"requests_{fmt}",
                "summary": "public requests, newest first",
                "parameters": filters,
                "responses": _answers(fmt, listed, 400),
            },
            "post": {
                "operationId": f"submit_{fmt}",
                "summary": "submit a request (third-party clients, with an api_key)",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 200},
                    }
                ],
                "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": form}}},
                "responses": _answers(
                    fmt,
                    posted_ok,
                    400,
                    403,
                    404,
                    422,
                    ok_code="201",
                    extra={
                        "200": {
                            "description": "a retry with the same Idempotency-Key: the first answer",
                            "content": _answers(fmt, posted_ok)["200"]["content"],
                        }
                    },
                ),
            },
        },
        f"/open311/v2/requests/{{service_request_id}}.{fmt}": {
            "get": {
                "operationId": f"request_{fmt}",
                "summary": "one public request",
                "parameters": [_path("service_request_id"), filters[-2]],
                "responses": _answers(fmt, listed, 404),
            }
        },
        f"/open311/v2/tokens/{{token}}.{fmt}": {
            "get": {
                "operationId": f"token_{fmt}",
                "summary": "the request a batch token became",
                "parameters": [_path("token")],
                "responses": _answers(fmt, array_of["token"], 404),
            }
        },
    }


def schema() -> dict:
    """The OpenAPI 3.0 document of the Open311 server."""
    paths: dict = {}
    for fmt in FORMATS:
        paths.update(_format_paths(fmt))
    submit_json = paths["/open311/v2/requests.json"]["post"]["responses"]
    submit_json["201"]["links"] = {
        "GetRequest": {
            "operationId": "request_json",
            "parameters": {"service_request_id": "$response.body#/0/service_request_id"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "copps Open311 GeoReport v2",
            "version": "v2",
            "description": "GeoReport v2 (http://wiki.open311.org/GeoReport_v2) in JSON and XML, with the "
            "paging and extensions extensions. See docs/open311.md.",
        },
        "paths": paths,
        "components": _components(),
    }
