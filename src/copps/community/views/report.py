"""Report a concern: step one (what and where), step two (nearby duplicates, details, photo,
contact), then the new request's track page. A JSON endpoint offers the nearby duplicates to
the page's script before step two; without script, step two shows them."""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from copps.accounts.ratelimit import rate_limited
from copps.community.conf import RATE_LIMITS
from copps.community.forms import DetailsForm, WhereForm
from copps.community.intake import NewRequest, create_request, public_block
from copps.community.models import Service, ServiceRequest
from copps.community.nearby import RADIUS_M, nearby_open
from copps.community.photos import upload_refused
from copps.community.states import State

__all__ = ["report_start", "report_details", "nearby", "already_reported"]


def _map_context(request: HttpRequest) -> dict:
    """The map's areas, and the hundred block of a place already marked (coming back to change it)."""
    block = _marked_block(_float(request.GET.get("lat")), _float(request.GET.get("lon")))
    # not "block": Django's {% block %} tag keeps its own node under that name in the context
    return {"areas_url": reverse("publish:map") + "api/areas?type=district", "marked_block": block}


def report_start(request: HttpRequest) -> HttpResponse:
    form = WhereForm(request.GET or None, auto_id="id_%s")
    return render(
        request,
        "community/report_where.html",
        {"form": form, "services": Service.objects.filter(active=True), **_map_context(request)},
    )


def _service_from(data) -> Service | None:
    code = (data.get("service") or "").strip()
    if not code.isdigit():
        return None
    return Service.objects.filter(pk=int(code), active=True).prefetch_related("attributes").first()


@rate_limited("report", RATE_LIMITS["report"], methods=("POST",))
# Step two's GET lists nearby requests, as the JSON endpoint does: the same limit for both.
@rate_limited("lookup", RATE_LIMITS["lookup"], methods=("GET",))
def report_details(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        service = _service_from(request.POST)
        form = DetailsForm(request.POST, request.FILES, service=service, photo_refused=upload_refused(request))
        if form.is_valid():
            data = form.cleaned_data
            first, last = form.split_name()
            sr = create_request(
                NewRequest(
                    service=data["service"],
                    description=data["description"].strip(),
                    lat=data["lat"],
                    lon=data["lon"],
                    address=data["address"].strip(),
                    attributes=data.get("answers", {}),
                    first_name=first,
                    last_name=last,
                    email=data["email"],
                    name_private=data["keep_private"],
                    photo=data["photo"],
                    language=translation.get_language() or "",
                ),
                source="web",
            )
            return redirect(reverse("community:track", args=[sr.track_key]) + "?new=1")
        status = 400
    else:
        where = WhereForm(request.GET)
        if not where.is_valid():
            return render(
                request,
                "community/report_where.html",
                {"form": where, "services": Service.objects.filter(active=True), **_map_context(request)},
                status=400,
            )
        service = _service_from(request.GET)
        form = DetailsForm(initial={**where.cleaned_data, "service": service, "keep_private": True}, service=service)
        status = 200
    where_data = form.data if form.is_bound else form.initial
    duplicates = []
    lat, lon = _float(where_data.get("lat")), _float(where_data.get("lon"))
    if service is not None:
        duplicates = nearby_open(service, lat=lat, lon=lon, address=str(where_data.get("address") or ""))
    return render(
        request,
        "community/report_details.html",
        {
            "form": form,
            "service": service,
            "duplicates": duplicates,
            "radius": int(RADIUS_M),
            # the block the request will be filed under, for the resident to check before sending
            "place_block": _marked_block(lat, lon),
        },
        status=status,
    )


def _marked_block(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return ""
    return public_block("", lat, lon)


def _float(value) -> float | None:
    """A finite number from a re-shown form's raw field, else None ("inf", "1e309", "nan")."""
    try:
        number = float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and math.isfinite(number) else None


@rate_limited("lookup", RATE_LIMITS["lookup"])
def nearby(request: HttpRequest) -> JsonResponse:
    """``?service=<id>&lat=..&lon=..`` (or ``&address=..``): open requests of that kind nearby."""
    form = WhereForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
    data = form.cleaned_data
    found = nearby_open(data["service"], lat=data["lat"], lon=data["lon"], address=data["address"])
    return JsonResponse({"radius_m": int(RADIUS_M), "nearby": [n.as_json() for n in found]})


def already_reported(request: HttpRequest, public_id: str) -> HttpResponse:
    """The resident found their concern among the open ones: nothing new is filed."""
    sr = (
        ServiceRequest.objects.public().filter(public_id=public_id)
        .exclude(state__in=[State.CLOSED_FIXED, State.CLOSED_NOT_FIXED])
        .select_related("service")
        .first()
    )
    return render(request, "community/already_reported.html", {"sr": sr}, status=200 if sr else 404)
