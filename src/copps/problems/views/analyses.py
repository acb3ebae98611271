"""Analyses of a problem's area and categories: run one (analysts), read it, re-run it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from copps.accounts import audit
from copps.charts import bars_svg
from copps.geo.shapes import GeometryError
from copps.incidents.models import Area, OffenseCategory
from copps.incidents.scanning import ScanError
from copps.problems import analyses, hotspot_workspace, presenting, workbench
from copps.problems.changes import record_change
from copps.problems.forms import AnalysisRunForm
from copps.problems.models import Problem, SavedAnalysis
from copps.problems.permissions import can_analyse, deny
from copps.problems.views.common import problem_view

__all__ = ["run_analysis", "analysis_detail", "rerun_analysis"]


def _record(request, problem: Problem, a: SavedAnalysis, action: str) -> None:
    record_change(
        request,
        problem,
        action,
        f"{a.title}: {a.result.get('events', 0)} events analysed",
        {"analysis": a.pk, "kind": a.kind, "parameters": {k: v for k, v in a.parameters.items() if k != "polygon"}},
    )


def _back(problem: Problem):
    return redirect(reverse("problems:detail", args=[problem.pk]) + "#analysis")


@require_POST
@problem_view(work=False)
def run_analysis(request, problem: Problem):
    if not can_analyse(request.user):
        return deny(request, "problem.analysis", "problem", problem.pk)
    form = AnalysisRunForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not run: {form.error_text()}")
        return _back(problem)
    kind, event_kind = form.cleaned_data["kind"], form.cleaned_data["event_kind"]
    params = analyses.with_choices(analyses.default_parameters(problem, kind, event_kind), kind, form.cleaned_data)
    reason = analyses.unrunnable(kind, params)
    if reason:
        messages.error(request, f"Not run: {reason}")
        return _back(problem)
    try:
        a = analyses.save(problem, kind, params, request.user)
    except (GeometryError, ScanError, ValueError) as exc:  # ValueError: a grid too large for the area
        messages.error(request, f"Not run: {exc}")
        return _back(problem)
    _record(request, problem, a, "analysis.run")
    return redirect("problems:analysis", problem.pk, a.pk)


@require_POST
@problem_view(work=False)
def rerun_analysis(request, problem: Problem, analysis_id: int):
    if not can_analyse(request.user):
        return deny(request, "problem.analysis", "problem", problem.pk)
    old = get_object_or_404(SavedAnalysis, pk=analysis_id, problem=problem, kind__in=list(analyses.KINDS))
    try:
        a = analyses.save(problem, old.kind, old.parameters, request.user, rerun_of=old)
    except (GeometryError, ScanError, ValueError) as exc:  # ValueError: a grid too large for the area
        messages.error(request, f"Not run: {exc}")
        return _back(problem)
    _record(request, problem, a, "analysis.rerun")
    same = a.result == old.result
    messages.success(request, "Re-run: the same result." if same else "Re-run: the result differs (the data changed).")
    return redirect("problems:analysis", problem.pk, a.pk)


def _index_chart(profile: dict, title: str):
    """The seasonal index of each month or week with data (a bucket the data does not cover is left
    out, never drawn as zero)."""
    pairs = [(v, label) for v, label, d in zip(profile["index"], profile["labels"], profile["days"], strict=True) if d]
    return bars_svg([v or 0 for v, _ in pairs], [label for _, label in pairs], title)


@problem_view(work=False)
def analysis_detail(request, problem: Problem, analysis_id: int):
    a = get_object_or_404(SavedAnalysis, pk=analysis_id, problem=problem)
    r = a.result
    chart = week_chart = None
    heat = None
    geo = {}
    if a.kind == SavedAnalysis.Kind.TEMPORAL and r.get("profile"):
        chart = bars_svg(r["by_hour"], [f"{h:02d}" for h in range(24)], "Events by hour of day")
        top = max(max(row) for row in r["profile"]) or 1
        heat = [
            (day, [(v, round(v / top, 2), presenting.heat_level(v / top)) for v in row])
            for day, row in zip(analyses.WEEKDAYS, r["profile"], strict=True)
        ]
    elif a.kind == SavedAnalysis.Kind.TREND and r.get("counts"):
        chart = bars_svg(
            r["counts"],
            [e[5:] for e in r["step_ends"]],
            "Events per week",
            marks={x["step_end"] for x in r.get("alerts", [])},
            keys=r["step_ends"],
        )
    elif a.kind == SavedAnalysis.Kind.PLACES and r.get("rows"):
        chart = bars_svg([x["events"] for x in r["rows"]], [x["place"] for x in r["rows"]], "Events per place")
    elif a.kind == SavedAnalysis.Kind.SEASONALITY and r.get("month"):
        chart = _index_chart(r["month"], "Seasonal index by month (1 = the average daily rate)")
        week_chart = _index_chart(r["week"], "Seasonal index by week of year")
    elif a.kind == SavedAnalysis.Kind.CRASHES and r.get("profile"):
        from copps.problems.views.crashes import corridor_map, heat_rows

        heat = heat_rows(r["profile"])
        geo = corridor_map(r, Area.objects.filter(pk__in=a.parameters.get("area_ids") or []).first())
    elif a.kind == SavedAnalysis.Kind.SEGMENTS and r.get("rows"):
        chart = bars_svg(
            [x["per_km"] for x in r["rows"]],
            [f"{x['street']} {x['block_range']}".strip() for x in r["rows"]],
            "Events per km of street",
        )
    if r.get("sensitive_event_ids"):  # repeat addresses of sensitive events: staff read them on the record
        audit.record_many(
            "event.list",
            request=request,
            object_type="event",
            object_ids=r["sensitive_event_ids"],
            params={"problem": problem.pk, "analysis": a.pk},
        )
    knox = None
    if a.kind == SavedAnalysis.Kind.NEAR_REPEAT and r.get("observed"):
        knox = [
            (
                presenting.band_label(label),
                [
                    (obs, ratio, p, presenting.knox_significant(ratio, p))
                    for obs, ratio, p in zip(r["observed"][i], r["ratio"][i], r["p"][i], strict=True)
                ],
            )
            for i, label in enumerate(r["distance_labels"])
        ]
    params = {k: v for k, v in a.parameters.items() if k != "polygon"}
    names = dict(
        OffenseCategory.objects.filter(code__in=a.parameters.get("categories") or []).values_list("code", "name")
    )
    areas = Area.objects.filter(pk__in=a.parameters.get("area_ids") or []).order_by("name")
    sentence = workbench.parameters_sentence(a.kind, a.parameters, names, [str(x) for x in areas])
    return render(
        request,
        "problems/analysis_detail.html",
        {
            "problem": problem,
            "a": a,
            "r": r,
            "chart": chart,
            "week_chart": week_chart,
            "seasons": [
                (
                    name,
                    r[name],
                    zip(r[name]["labels"], r[name]["counts"], r[name]["days"], r[name]["index"], strict=True),
                )
                for name in ("month", "week")
                if a.kind == SavedAnalysis.Kind.SEASONALITY and r.get(name)
            ],
            "sentence": sentence,
            "finding": analyses.summary(a.kind, r) if a.kind in analyses.KINDS else "",
            "heat": heat,
            "geo": geo,
            "knox": knox,
            "time_labels": [presenting.band_label(t) for t in r.get("time_labels", [])],
            "knox_marked": any(cell[3] for _, cells in knox or [] for cell in cells),
            "knox_alpha": presenting.KNOX_ALPHA,
            "heat_scale": range(1, presenting.HEAT_LEVELS + 1),
            "params": params,
            "can_analyse": can_analyse(request.user),
            "rerunnable": a.kind in analyses.KINDS,
            "definitions": [
                (code, gettext(text)) for code, text in sorted(hotspot_workspace.EMERGING_DEFINITIONS.items())
            ],
        },
    )
