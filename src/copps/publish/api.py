"""The public JSON API (no sign-in): generalised events, the grid, count tables, areas, rules.

Every handler renders what :mod:`copps.publish.published` returns; none touches an
Event row itself.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import NinjaAPI, Router

from copps.accounts.api import document_refusals, refuse_invalid_parameters
from copps.incidents.models import Area
from copps.publish import feedback, problem_pages, published, service, trends
from copps.publish.cache import cached
from copps.publish.conf import rules as current_rules
from copps.publish.counts import CITY, table_rows
from copps.publish.export import events_geojson
from copps.publish.forms import CountFilterForm, PublicFilterForm, TrendForm

__all__ = ["public_api", "router", "select_counts"]

router = Router(tags=["public"])
_COMPACT = {"separators": (",", ":")}  # 5,000 map points: a fifth less to send without the spaces


def _bad(form) -> JsonResponse:
    return JsonResponse({"detail": "Invalid filters", "errors": form.errors}, status=400)


@router.get("/events", summary="Published events (generalised, delayed, non-sensitive) as GeoJSON")
@cached
def events(request: HttpRequest):
    form = PublicFilterForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    pts = published.points(form.records(), limit=published.MAP_LIMIT)
    return JsonResponse(
        events_geojson(pts.events, limit=published.MAP_LIMIT, truncated=pts.truncated, snapped=pts.snapped),
        json_dumps_params=_COMPACT,
    )


@router.get("/grid", summary="Published events counted per square grid cell, as GeoJSON polygons")
@cached
def grid(request: HttpRequest):
    form = PublicFilterForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    return JsonResponse(published.grid_geojson(form), json_dumps_params=_COMPACT)


def select_counts(params) -> tuple[dict | None, dict | None]:
    """(response body, None) or (None, form errors) for a count query."""
    tables = published.count_tables()
    all_categories = sorted(
        {c for cats in tables.categories.values() for c in cats} | {r for t in tables.tables for r in t.rows}
    )
    form = CountFilterForm(params, districts=[c for c, _ in tables.districts], categories=all_categories)
    if not form.is_valid():
        return None, form.errors
    data = form.cleaned_data
    rows = []
    for table in tables.tables:
        if data["kind"] and table.kind not in data["kind"]:
            continue
        if data["month_from"] and table.month < data["month_from"]:
            continue
        if data["month_to"] and table.month > data["month_to"]:
            continue
        rows += table_rows(table, districts=data["district"] or None, categories=data["category"] or None)
    rules = current_rules()
    return {
        "k": rules.k,
        "sensitive": rules.sensitive,
        "months": tables.months,
        "districts": [{"code": c, "name": n} for c, n in tables.districts] + [{"code": CITY, "name": CITY}],
        "cells": rows,
    }, None


@router.get("/counts", summary="Monthly counts by category and district, small counts suppressed")
@cached
def counts(request: HttpRequest):
    body, errors = select_counts(request.GET)
    if errors is not None:
        return JsonResponse({"detail": "Invalid filters", "errors": errors}, status=400)
    return JsonResponse(body)


@router.get("/areas", summary="Outlines of districts, beats or neighbourhoods as GeoJSON")
def areas(request: HttpRequest, type: Literal["district", "beat", "neighbourhood"] = "district"):
    if type not in (Area.Type.DISTRICT, Area.Type.BEAT, Area.Type.NEIGHBOURHOOD):
        return JsonResponse({"detail": "type must be district, beat or neighbourhood"}, status=400)
    features = [
        {"type": "Feature", "geometry": geometry, "properties": {"code": code, "name": name}}
        for code, name, geometry in Area.objects.filter(type=type).values_list("code", "name", "geometry")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@router.get(
    "/trends", url_name="trends", summary="Monthly counts by category for an area, with changes against last year"
)
@cached
def trends_api(request: HttpRequest):
    form = TrendForm(request.GET, areas=trends.areas())
    if not form.is_valid():
        return _bad(form)
    area = trends.find_area(form.cleaned_data["area"])
    result = trends.trend(area, form.cleaned_data["kind"])
    return JsonResponse(
        {
            "area": asdict(area),
            "kind": result.kind,
            "k": result.k,
            "months": result.months,
            "rows": [asdict(r) for r in result.rows],
        }
    )


@router.get(
    "/problems",
    url_name="problems",
    summary="Public problems: plain-words summary, stage, actions, partner organisations",
)
def problems_api(request: HttpRequest):
    problems = problem_pages.public_problems()
    answers = feedback.results_for([p.id for p in problems])
    return JsonResponse({"problems": [{**asdict(p), "improved": _improved(answers[p.id])} for p in problems]})


def _improved(res) -> dict:
    if not res.shown:
        return {"shown": False, "k": res.k}
    return {
        "shown": True,
        "k": res.k,
        "n": res.n,
        "yes": res.yes,
        "no": res.no,
        "not_sure": res.not_sure,
        "share_yes": res.share_yes,
        "lower": res.lower,
        "upper": res.upper,
    }


@router.get(
    "/service",
    url_name="service",
    summary="How quickly community requests are acknowledged, closed and fixed, by district",
)
def service_api(request: HttpRequest):
    return JsonResponse(
        {"k": current_rules().k, "window_days": service.WINDOW_DAYS, "areas": [asdict(f) for f in service.figures()]}
    )


@router.get("/rules", summary="The privacy rules in force")
def rules(request: HttpRequest):
    return JsonResponse(asdict(current_rules()))


class _PublicAPI(NinjaAPI):
    """Mounted inside the ``publish`` namespace, which ninja's root lookup does not know about."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_invalid_parameters(self)

    def get_root_path(self, path_params):
        return reverse(f"publish:{self.urls_namespace}:api-root", kwargs=path_params)

    def get_openapi_schema(self, *args, **kwargs):
        return document_refusals(super().get_openapi_schema(*args, **kwargs), ("400",))


# No Swagger UI page: it would load its scripts from a CDN. The schema is at openapi.json.
public_api = _PublicAPI(title="copps public API", version="1", urls_namespace="public_api", docs_url=None)
public_api.add_router("/", router)
