"""JSON API for staff: events as GeoJSON for the map."""

from __future__ import annotations

from typing import Literal

from django.db.models import Count
from django.http import HttpRequest, JsonResponse
from ninja import Router

from copps.accounts import audit
from copps.accounts.permissions import record_denial, refused_path
from copps.incidents.filters import EventFilterForm
from copps.incidents.models import Area, Location

router = Router(tags=["events"])

MAP_LIMIT = 5000


def _refuse(request: HttpRequest) -> JsonResponse | None:
    """401 without a session; 403, audited as denied, to a signed-in user who is not staff."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"detail": "Staff sign-in required"}, status=401)
    if not getattr(user, "is_department_staff", False):
        record_denial(request, "api.access", **refused_path(request))
        return JsonResponse({"detail": "Staff sign-in required"}, status=403)
    return None


@router.get("/areas", summary="Area outlines of one type (beat, district, neighbourhood) as GeoJSON (staff only)")
def areas_geojson(request: HttpRequest, type: Literal["city", "district", "beat", "neighbourhood"] = "beat"):
    refused = _refuse(request)
    if refused:
        return refused
    if type not in Area.Type.values:
        return JsonResponse({"detail": f"type must be one of {', '.join(Area.Type.values)}"}, status=400)
    features = [
        {"type": "Feature", "geometry": geometry, "properties": {"id": pk, "code": code, "name": name}}
        for pk, code, name, geometry in Area.objects.filter(type=type).values_list("id", "code", "name", "geometry")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@router.get("/geojson", summary="Events matching the filters as a GeoJSON FeatureCollection (staff only)")
def events_geojson(request: HttpRequest):
    refused = _refuse(request)
    if refused:
        return refused
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"detail": "Invalid filters", "errors": form.errors}, status=400)
    qs = form.filter().filter(lat__isnull=False)
    left_out = {}
    if not form.cleaned_data.get("location"):
        # "Anywhere" on the map: a stray geocode would zoom the map out to the whole world. The
        # misplaced events are counted and left out; the Place filter shows them on request.
        misplaced = dict(
            qs.filter(location__in=[Location.OUTSIDE, Location.INVALID])
            .values_list("location")
            .annotate(n=Count("id"))
            .values_list("location", "n")
        )
        left_out = {Location(k).label: v for k, v in misplaced.items() if v}
        qs = qs.exclude(location__in=[Location.OUTSIDE, Location.INVALID])
    total = qs.count()
    rows = list(
        qs.order_by("-occurred_from").values_list(
            "id", "lat", "lon", "kind", "category__name", "offense", "occurred_from", "block_address", "sensitive"
        )[:MAP_LIMIT]
    )
    sensitive = [r[0] for r in rows if r[8]]
    if sensitive:
        audit.record_many(
            "event.map", request=request, object_type="event", object_ids=sensitive, params=request.GET.dict()
        )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {
                "id": pk,
                "kind": kind,
                "category": cat or "",
                "offense": offense,
                "occurred": occurred.isoformat(),
                "block": block,
                "sensitive": sens,
            },
        }
        for pk, lat, lon, kind, cat, offense, occurred, block, sens in rows
    ]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features, "total": total, "limit": MAP_LIMIT, "left_out": left_out}
    )
