"""The Open311 GeoReport v2 endpoints. Plain Django views: each resource answers in JSON or
XML by its suffix (``services.json``, ``services.xml``), which a function per resource with a
``fmt`` argument expresses more directly than an API framework built around JSON bodies.

No endpoint reads or sets a session: GET is public, and POST is authenticated by ``api_key``
alone. ``jurisdiction_id`` is accepted and ignored: copps serves one jurisdiction.
"""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from copps.accounts.input_guard import bad_input
from copps.accounts.ratelimit import client_key, seconds_to_wait
from copps.community.conf import RATE_LIMITS
from copps.community.models import Service, ServiceRequest, ServiceRequestToken

from . import documents
from .errors import Open311Error, not_found
from .filters import parse_query
from .openapi import schema as openapi_schema
from .public import public_places
from .render import render
from .submit import submit

__all__ = ["discovery", "services", "service_definition", "requests", "request_detail", "token", "openapi", "unknown"]


def _limit(request: HttpRequest) -> None:
    """Count the call against its client's allowance (``open311_get`` or ``open311_post``);
    past it, the spec's error list with 429 and ``Retry-After``, in the format asked for."""
    scope = "open311_post" if request.method == "POST" else "open311_get"
    wait = seconds_to_wait(scope, RATE_LIMITS[scope], client_key(request))
    if wait:
        raise Open311Error(
            429,
            f"too many requests from this client: wait {wait} seconds and try again",
            headers={"Retry-After": str(wait)},
        )


# The parameters Open311 looks things up by; a NUL in one is refused (400) before the database sees it.
LOOKED_UP = frozenset({"api_key", "service_code", "service_request_id", "address_id"})


def endpoint(*methods: str, takes_input: bool = False):
    """Answer only ``methods``, within the client's rate limit; turn any ``Open311Error`` into
    the spec's error list. An id in the path holding a NUL character names nothing (404); a
    view that ``takes_input`` refuses a NUL or an unreadable charset in its parameters (400):
    PostgreSQL cannot compare text holding a NUL, so it would otherwise be a server error."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str = "xml", **kwargs) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise Open311Error(
                        405,
                        f"{request.method} is not allowed here; use {' or '.join(methods)}",
                        headers={"Allow": ", ".join(methods)},
                    )
                if any("\x00" in str(value) for value in (*args, *kwargs.values())):
                    raise not_found("that resource")
                problem = bad_input(request, numbers=False, fields=LOOKED_UP) if takes_input else None
                if problem:
                    raise Open311Error(400, problem)
                _limit(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return render(exc.items(), root="errors", fmt=fmt, status=exc.status, headers=exc.headers)

        return wrapper

    return decorate


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    changeset = Service.objects.aggregate(at=Max("updated_at"))["at"]
    url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    doc = documents.discovery(url=url, changeset=changeset, production=settings.MODE == "production")
    return render(doc, root="discovery", fmt=fmt)


@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = Service.objects.filter(active=True).prefetch_related("attributes")
    return render([documents.service_item(s) for s in rows], root="services", fmt=fmt)


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    service = Service.objects.filter(service_code=code, active=True).prefetch_related("attributes").first()
    if service is None:
        raise not_found(f"service_code {code!r}")
    return render(documents.service_definition(service), root="service_definition", fmt=fmt)


# Open311's POST comes from third-party clients that hold an api_key, not from a browser
# session, so there is no cookie for a cross-site forgery to ride on: CSRF is exempted on
# purpose, and these views never look at request.user or the session.
@csrf_exempt
@endpoint("GET", "POST", takes_input=True)
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        sr, created = submit(request)
        return render([documents.post_item(sr)], root="service_requests", fmt=fmt, status=201 if created else 200)
    query = parse_query(request.GET)
    rows = list(query.queryset[query.offset : query.offset + query.limit])
    places = public_places(rows)
    items = [
        documents.request_item(sr, place, extensions=query.extensions) for sr, place in zip(rows, places, strict=True)
    ]
    return render(items, root="service_requests", fmt=fmt)


@endpoint("GET")
def request_detail(request: HttpRequest, public_id: str, fmt: str) -> HttpResponse:
    extensions = request.GET.get("extensions", "").strip().lower() == "true"
    # A withheld request answers exactly as one that never existed.
    sr = (
        ServiceRequest.objects.public().filter(public_id=public_id)
        .select_related("service", "beat", "district")
        .first()
    )
    if sr is None:
        raise not_found("service_request_id")
    [place] = public_places([sr])
    return render([documents.request_item(sr, place, extensions=extensions)], root="service_requests", fmt=fmt)


@endpoint("GET")
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    found = ServiceRequestToken.objects.filter(token=token).select_related("request").first()
    if found is None or (found.request is not None and not found.request.public):
        raise not_found("token")
    return render([documents.token_item(found.token, found.request)], root="service_requests", fmt=fmt)


@endpoint("GET")
def openapi(request: HttpRequest, fmt: str) -> HttpResponse:
    """The OpenAPI 3.0 description of this server (``openapi.json``; an extension of the spec)."""
    return HttpResponse(json.dumps(openapi_schema()), content_type="application/json; charset=utf-8")


@csrf_exempt
def unknown(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: the spec's 404, in JSON if the path asked for it."""
    fmt = "json" if path.endswith(".json") else "xml"
    try:
        _limit(request)  # probing for resources counts too
    except Open311Error as exc:
        return render(exc.items(), root="errors", fmt=fmt, status=exc.status, headers=exc.headers)
    error = Open311Error(404, f"/open311/v2/{path} is not an Open311 resource (they end in .json or .xml)")
    return render(error.items(), root="errors", fmt=fmt, status=404)
