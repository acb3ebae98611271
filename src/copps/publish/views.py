"""Public pages and downloads (no sign-in). Each renders only what the pipeline returned."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from copps.publish import published
from copps.publish.api import select_counts
from copps.publish.conf import RULES
from copps.publish.conf import rules as current_rules
from copps.publish.export import COUNT_COLUMNS, EVENT_COLUMNS, events_geojson, geojson_text, write_csv
from copps.publish.forms import PublicFilterForm


def _context(request: HttpRequest) -> dict:
    return {"rules": current_rules(), "grid_m": int(published.GRID_M)}


@require_GET
def public_map(request: HttpRequest):
    form = PublicFilterForm(request.GET or None)
    return render(request, "publish/map.html", {**_context(request), "form": form,
                                                "query": request.GET.urlencode()})


@require_GET
def about(request: HttpRequest):
    rules = current_rules()
    values = [rules.snap_min_addresses, rules.min_offset_m, rules.k, rules.delay_days, rules.sensitive]
    rows = [(rule.setting, value, rule.help) for rule, value in zip(RULES.values(), values, strict=True)]
    return render(request, "publish/about.html", {**_context(request), "rule_rows": rows})


def _download(body: str, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _events(request: HttpRequest):
    form = PublicFilterForm(request.GET)
    if not form.is_valid():
        return None, JsonResponse({"detail": "Invalid filters", "errors": form.errors}, status=400)
    return published.points(form.filter(), limit=None).events, None


@require_GET
def events_csv(request: HttpRequest):
    events, error = _events(request)
    if error:
        return error
    return _download(write_csv(events, EVENT_COLUMNS, EVENT_COLUMNS), "events.csv", "text/csv; charset=utf-8")


@require_GET
def events_geojson_download(request: HttpRequest):
    events, error = _events(request)
    if error:
        return error
    return _download(geojson_text(events_geojson(events)), "events.geojson", "application/geo+json")


@require_GET
def counts_csv(request: HttpRequest):
    body, errors = select_counts(request.GET)
    if errors is not None:
        return JsonResponse({"detail": "Invalid filters", "errors": errors}, status=400)
    return _download(write_csv(body["cells"], COUNT_COLUMNS, COUNT_COLUMNS), "counts.csv", "text/csv; charset=utf-8")
