"""The crash analysis page (staff): collisions of an area and period by severity, hour of the
week, primary factor and corridor, savable to a problem as a ``crashes`` analysis."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from copps.accounts.permissions import staff_required
from copps.geo.shapes import GeometryError
from copps.incidents import coverage
from copps.incidents.scanning import ScanError
from copps.problems import analyses, hotspot_cache, presenting, workbench
from copps.problems.forms import CrashForm
from copps.problems.models import Problem, SavedAnalysis
from copps.problems.permissions import can_analyse, deny
from copps.problems.scanning.base import latest_day
from copps.problems.views.analyses import _record

__all__ = ["crash_page", "save_crashes", "heat_rows", "corridor_map"]

K = SavedAnalysis.Kind


def heat_rows(profile: list[list[float]]) -> list:
    """The hour × weekday profile as the heat-coloured table's rows: ``(day, [(value, share of the
    busiest cell, colour step)])``."""
    top = max((max(row) for row in profile), default=0) or 1
    return [
        (day, [(v, round(v / top, 2), presenting.heat_level(v / top)) for v in row])
        for day, row in zip(analyses.WEEKDAYS, profile, strict=True)
    ]


def corridor_map(result: dict, area=None) -> dict:
    """What the page's map draws (``problem_map.js``): the area's outline and the corridors."""
    geo = {
        "corridors": [
            {"name": f"{c['street']}: {c['collisions']} collisions, {c['per_km']} per km", "geometry": c["geometry"]}
            for c in result.get("corridors") or []
        ]
    }
    if area is not None:
        geo["areas"] = [{"name": str(area), "geometry": area.geometry}]
    return geo


def _problems():
    return Problem.objects.open().order_by("title")


def _context(request, form, params, result, area) -> dict:
    return {
        "form": form,
        "area": area,
        "params": params,
        "r": result,
        "sentence": workbench.parameters_sentence(K.CRASHES, params or {}, {}, [str(area)] if area else []),
        "finding": analyses.summary(K.CRASHES, result) if result else "",
        "heat": heat_rows(result["profile"]) if result else None,
        "heat_scale": range(1, presenting.HEAT_LEVELS + 1),
        "geo": corridor_map(result, area) if result else {},
        "data_span": coverage.describe(coverage.of("collision")),
        "last_day": latest_day("collision"),
        "can_analyse": can_analyse(request.user),
        "problems": _problems() if can_analyse(request.user) else [],
        "query": request.GET.urlencode(),
    }


@staff_required
def crash_page(request):
    form = CrashForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "problems/crashes.html", _context(request, form, None, None, None), status=400)
    if not request.GET:
        form = CrashForm({})
        form.is_valid()
    params = form.parameters(latest_day("collision"))
    try:
        # every collision row of the period is read to count it: kept until the data changes
        result = hotspot_cache.remember("crashes", params, lambda: analyses.run(K.CRASHES, params))
    except (GeometryError, ScanError) as exc:
        form.add_error(None, str(exc))
        return render(request, "problems/crashes.html", _context(request, form, None, None, None), status=400)
    return render(request, "problems/crashes.html", _context(request, form, params, result, form.cleaned_data["area"]))


@require_POST
@staff_required
def save_crashes(request):
    if not can_analyse(request.user):
        asked = request.POST.get("problem", "")
        return deny(request, "problem.analysis", "problem", asked if asked.isdigit() and len(asked) < 12 else "")
    form = CrashForm(request.POST, problems=_problems())
    if not form.is_valid():
        return render(request, "problems/crashes.html", _context(request, form, None, None, None), status=400)
    problem = form.cleaned_data["problem"]
    params = form.parameters(latest_day("collision"))
    try:
        a = analyses.save(problem, K.CRASHES, params, request.user)
    except (GeometryError, ScanError) as exc:
        form.add_error(None, str(exc))
        return render(request, "problems/crashes.html", _context(request, form, None, None, None), status=400)
    _record(request, problem, a, "analysis.run")
    messages.success(request, f"Crash analysis saved to {problem.title}.")
    return redirect("problems:analysis", problem.pk, a.pk)
