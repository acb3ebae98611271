"""The SARA dashboard of a city, district or beat with its analysis workspace (the hot-spot layers
of the kind, categories, dates, zone, cell and bandwidth an analyst chooses), the layers as
GeoJSON, and saving what the workspace shows to a problem as an "Emerging hot spots" analysis."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from copps.accounts.permissions import staff_required
from copps.incidents import coverage
from copps.incidents.models import Area
from copps.problems import analyses, dashboard, hotspot_cache
from copps.problems import hotspot_workspace as hw
from copps.problems.changes import record_change
from copps.problems.forms import WorkspaceForm
from copps.problems.models import Problem, SavedAnalysis
from copps.problems.permissions import can_analyse, deny
from copps.problems.presenting import EVENT_KINDS

__all__ = ["dashboard_page", "hotspots_geojson", "save_workspace", "workspace_parameters"]

#: the query-string names of the workspace (the page passes them through to every link)
FIELDS = (
    "kind",
    "category",
    "severity",
    "date_from",
    "date_to",
    "area",
    "zone_of",
    "cell",
    "bandwidth",
    "permutations",
    "layer",
)


def _area(data) -> Area | None:
    raw = data.get("area", "")
    if not (raw.isascii() and raw.isdigit()):
        return None
    return get_object_or_404(Area, pk=int(raw))


def _zone(data) -> Problem | None:
    raw = data.get("zone_of", "")
    return get_object_or_404(Problem, pk=int(raw)) if raw.isascii() and raw.isdigit() else None


def with_defaults(data) -> QueryDict:
    """``data`` with every blank workspace field at its default (shown in the form, carried by
    every link): the last 365 days ending at the data's last complete day of the kind."""
    q = QueryDict(mutable=True)
    for k in FIELDS:
        values = [v for v in data.getlist(k) if v != ""]
        if values:
            q.setlist(k, values)
    if "kind" not in q:  # crimes, or the first kind the site has data of (a collisions-only site)
        q["kind"] = next((k for k in ("crime", "collision", "call") if coverage.of(k) is not None), "crime")
    if "date_to" not in q:  # the data's last complete day of the kind (one query; the rest are constants)
        kind = q.get("kind", "crime")
        q["date_to"] = hw.defaults(kind if kind in EVENT_KINDS else "crime")["date_to"]
    for k, v in {"severity": "all", "cell": 150, "bandwidth": 300, "permutations": 0}.items():
        q.setdefault(k, str(v))
    if "date_from" not in q:
        try:
            q["date_from"] = (date.fromisoformat(q["date_to"]) - timedelta(days=364)).isoformat()
        except ValueError:
            pass  # the form names the bad end date
    if "layer" not in q:
        q.setlist("layer", list(hw.LAYERS))
    return q


def workspace_parameters(data) -> tuple[WorkspaceForm, dict | None]:
    """The workspace form bound to ``data`` (a query string or a POST; blanks at their defaults)
    and its parameters, or None when a field is wrong (``form.errors`` names it). An unknown area
    or problem is a 404."""
    _area(data)
    zone = _zone(data)
    form = WorkspaceForm(with_defaults(data))
    return form, (form.parameters(zone) if form.is_valid() else None)


def _query(data) -> str:
    data = with_defaults(data)
    pairs = [(k, v) for k in FIELDS for v in data.getlist(k) if v != ""]
    return "?" + urlencode(pairs) if pairs else ""


@staff_required
def dashboard_page(request):
    area = _area(request.GET)
    zone = _zone(request.GET)
    filled = with_defaults(request.GET)
    form = WorkspaceForm(filled, auto_id="%s")  # ids are the field names (#area, #kind, #date_from ...)
    params = form.parameters(zone) if form.is_valid() else None
    data = dashboard.area_events(area)
    problems = dashboard.open_problems(area)
    query = _query(filled)
    kind = (params or {}).get("event_kind") or request.GET.get("kind") or "crime"
    geo = {"palette": hw.palette()}
    if area:
        geo["areas"] = [{"name": str(area), "geometry": area.geometry}]
    elif zone is not None:
        geo["areas"] = [{"name": str(a), "geometry": a.geometry} for a in zone.areas.all()]
        if zone.polygon:
            geo["areas"].append({"name": zone.title, "geometry": zone.polygon})
    context = {
        "area": area,
        "zone": zone,
        "form": form,
        "params": params,
        "query": query,
        "today": data.today,
        "data_span": coverage.describe(coverage.of("crime")),
        "kind_span": coverage.describe(coverage.of(kind if kind in EVENT_KINDS else "crime")),
        "compstat": dashboard.compstat_table(data),
        "alerts": dashboard.alerts_table(data),
        "problems": problems,
        "open_problems": Problem.objects.open().order_by("title").only("pk", "title"),
        "can_analyse": can_analyse(request.user),
        "requests": dashboard.recent_requests(area),
        "hotspots_url": reverse("problems:hotspots") + query,
        "geo": geo,
        "windows": ["Week", "28 days", "Year to date"],
        "definitions": [(code, gettext(text)) for code, text in sorted(hw.EMERGING_DEFINITIONS.items())],
        "save_fields": [(k, filled.getlist(k)) for k in FIELDS if filled.getlist(k)],
    }
    return render(request, "problems/dashboard.html", context)


@staff_required
def hotspots_geojson(request):
    """The workspace's layers (KDE, Gi* classes, emerging classes) as GeoJSON; 400 naming the field
    when a parameter is wrong, or saying why the grid does not fit. Read from the shared cache when
    kept (the standard views are kept after each import: ``copps.problems.hotspot_cache``)."""
    form, params = workspace_parameters(request.GET)
    if params is None:
        return JsonResponse({"detail": form.error_text(), "errors": form.errors}, status=400)
    try:
        out = hotspot_cache.layers(params)
    except ValueError as exc:  # GridTooLarge, or no study area
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse(out)


@require_POST
@staff_required
def save_workspace(request):
    """Save the workspace's parameters and its emerging hot-spot result to a problem (analysts, as
    for any analysis of a problem); the analysis page follows."""
    raw = request.POST.get("problem", "")
    if not can_analyse(request.user):
        return deny(request, "problem.analysis", "problem", raw[:20])
    problem = get_object_or_404(Problem, pk=int(raw)) if raw.isascii() and raw.isdigit() else None
    back = reverse("problems:dashboard") + _query(request.POST)
    if problem is None:
        messages.error(request, "Not saved: problem: choose the problem to save the analysis to.")
        return redirect(back)
    form, params = workspace_parameters(request.POST)
    if params is None:
        messages.error(request, f"Not saved: {form.error_text()}")
        return redirect(back)
    try:
        a = analyses.save(problem, SavedAnalysis.Kind.EMERGING, params, request.user)
    except ValueError as exc:
        messages.error(request, f"Not saved: {exc}")
        return redirect(back)
    record_change(
        request,
        problem,
        "analysis.run",
        f"{a.title}: {a.result.get('events', 0)} events analysed",
        {"analysis": a.pk, "kind": a.kind, "parameters": {k: v for k, v in a.parameters.items() if k != "polygon"}},
    )
    return redirect("problems:analysis", problem.pk, a.pk)
