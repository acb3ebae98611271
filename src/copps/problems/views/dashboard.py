"""The SARA dashboard of a city, district or beat, and its hot-spot layers as GeoJSON."""

from __future__ import annotations

from datetime import timedelta

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from copps.accounts.permissions import staff_required
from copps.geo.crs import Projector
from copps.geo.shapes import to_metres
from copps.incidents import coverage
from copps.incidents.models import Area, Site
from copps.incidents.scanning import ScanFilter, load_events
from copps.problems import dashboard
from copps.problems.hotspot_layers import layers
from copps.problems.scanning.base import latest_day

__all__ = ["dashboard_page", "hotspots_geojson"]

HOT_DAYS = 365


def _area(request) -> Area | None:
    raw = request.GET.get("area", "")
    if not raw.isdigit():
        return None
    return get_object_or_404(Area, pk=int(raw))


def _choices():
    return list(
        Area.objects.filter(type__in=[Area.Type.DISTRICT, Area.Type.BEAT])
        .order_by("type", "code")
        .values_list("pk", "type", "code", "name")
    )


@staff_required
def dashboard_page(request):
    area = _area(request)
    data = dashboard.area_events(area)
    problems = dashboard.open_problems(area)
    query = f"?area={area.pk}" if area else ""
    context = {
        "area": area,
        "choices": _choices(),
        "today": data.today,
        "data_span": coverage.describe(coverage.of("crime")),
        "compstat": dashboard.compstat_table(data),
        "alerts": dashboard.alerts_table(data),
        "problems": problems,
        "requests": dashboard.recent_requests(area),
        "hotspots_url": reverse("problems:hotspots") + query,
        "geo": {"areas": [{"name": str(area), "geometry": area.geometry}]} if area else {},
        "windows": ["Week", "28 days", "Year to date"],
    }
    return render(request, "problems/dashboard.html", context)


@staff_required
def hotspots_geojson(request):
    """KDE surface and Gi* classes of the last year's crimes (or collisions) in the area."""
    area = _area(request)
    kind = request.GET.get("kind", "crime")
    if kind not in ("crime", "collision", "call"):
        return JsonResponse({"detail": "kind must be crime, collision or call"}, status=400)
    crs = Site.get().crs
    today = latest_day(kind)
    if not crs or today is None:
        return JsonResponse({"type": "FeatureCollection", "features": [], "summary": {"events": 0}})
    f = ScanFilter(
        kind=kind, area=dashboard.scan_area(area), date_from=today - timedelta(days=HOT_DAYS - 1), date_to=today
    )
    loaded = load_events(f)
    ev = loaded.geocoded()
    projector = Projector(crs)
    outline = to_metres(area.geometry, projector) if area and area.type != Area.Type.CITY else None
    if outline is not None and not outline.is_valid:
        outline = outline.buffer(0)  # a self-touching beat outline still bounds its cells
    try:
        out = layers(ev.x, ev.y, projector, outline)
    except ValueError as exc:  # GridTooLarge, or no study area
        return JsonResponse({"detail": str(exc)}, status=400)
    out["parameters"] |= {"kind": kind, "days": HOT_DAYS, "last_day": today.isoformat(), "area": str(area or "city")}
    out["summary"]["left_out"] = loaded.left_out()
    out["summary"]["left_out_text"] = loaded.left_out_text()
    return JsonResponse(out)
