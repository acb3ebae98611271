"""The SARA report of one problem, laid out like a problem-solving award submission
(Goldstein Award): summary, scanning, analysis, response, assessment.

:func:`sara_report` gathers everything the page and the PDF show, with the map and the monthly
chart already drawn as SVG. It reads; it does not audit: the caller (view or command) writes the
audit rows before it hands the report out, so that a failed audit write returns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.utils import timezone

from copps.analysis import coverage as cov
from copps.charts import bars_svg
from copps.geo.shapes import GeometryError, contains, to_metres, union_of
from copps.incidents import coverage
from copps.incidents.models import Area, OffenseCategory, Site
from copps.incidents.scanning import ScanFilter, load_events, queryset
from copps.problems import analyses, assessing, stages, techniques, workbench
from copps.problems.models import Problem
from copps.problems.presenting import evidence_rows
from copps.reports.svgmap import Dots, Shape, map_svg

__all__ = ["SaraReport", "sara_report", "sensitive_among", "CHART_MONTHS", "EVENTS_LISTED"]

#: months shown in the chart when the problem has no assessment yet
CHART_MONTHS = 24
#: linked events listed in the scanning section (the latest)
EVENTS_LISTED = 50


@dataclass
class SaraReport:
    """What a SARA report shows; ``sensitive_event_ids`` are the sensitive events it reveals
    (listed or plotted), which the caller audits."""

    problem: Problem
    candidates: list = field(default_factory=list)
    analyses: list = field(default_factory=list)  # (SavedAnalysis, its finding, its parameters, in sentences)
    links: list = field(default_factory=list)
    links_total: int = 0
    techniques: list[str] = field(default_factory=list)
    assessments: list[dict] = field(default_factory=list)
    process_now: dict = field(default_factory=dict)
    response_started: date | None = None
    map_svg: str = ""
    chart_svg: str = ""
    chart_note: str = ""
    map_note: str = ""
    sensitive_event_ids: list[int] = field(default_factory=list)
    generated_at: object = None


def sensitive_among(scan: ScanFilter, ids: np.ndarray) -> list[int]:
    """The sensitive events among ``ids`` (events that ``scan`` loaded), found without sending
    every id to the database: there may be more of them than a query may carry."""
    sensitive = np.fromiter(queryset(scan).filter(sensitive=True).values_list("pk", flat=True), dtype=np.int64)
    return [int(i) for i in np.intersect1d(sensitive, np.asarray(ids, np.int64))]


def _load(problem_id: int) -> Problem:
    return Problem.objects.with_record().get(pk=problem_id)


def _months(first: date, last: date) -> np.ndarray:
    return np.arange(np.datetime64(first, "M"), np.datetime64(last, "M") + 1)


def _monthly(ev, inside: np.ndarray, months: np.ndarray) -> list[int]:
    return [int(v) for v in assessing.monthly_counts(ev, inside, months)]


def _draw(report: SaraReport, p: Problem) -> None:
    """The map and the monthly chart: the latest assessment's zones and periods when there is one,
    otherwise the problem's area over the last :data:`CHART_MONTHS` months."""
    try:
        areas = list(p.areas.all())
        target = union_of(areas, p.polygon, Site.projector()) if areas or p.polygon else None
    except GeometryError as exc:
        report.map_note = f"No map: {exc}."
        return
    if target is None:
        report.map_note = "No map: the problem has no area yet."
        return
    latest = p.assessments.all()[0] if p.assessments.all() else None
    control = buffer = None
    categories = tuple(c.code for c in p.categories.all())
    kind = None
    if latest is not None:
        projector = Site.projector()
        target = to_metres(latest.target, projector)
        control = to_metres(latest.control, projector)
        buffer = to_metres(latest.buffer, projector) if latest.buffer else None
        first, last, split_day = latest.before_start, latest.after_end, latest.after_start
        categories, kind = tuple(latest.categories), latest.kind
    else:
        # the chart ends with the last month the data covers in full: a month holding a few days
        # of data would show as a drop
        month = cov.last_complete_month(coverage.of())
        end = (month + 1).astype("datetime64[D]") - np.timedelta64(1, "D") if month is not None else None
        last = coverage.as_date(end) or timezone.localdate()
        first = date(last.year - CHART_MONTHS // 12, last.month, 1)
        split_day = report.response_started
    scan = ScanFilter(kind=kind, categories=categories, date_from=first, date_to=last)
    ev = load_events(scan).geocoded()
    months = _months(first, last)
    in_target = contains(target, ev.x, ev.y)
    in_control = contains(control, ev.x, ev.y) if control is not None else np.zeros(len(ev), bool)
    split = None
    if split_day is not None and first <= split_day <= last:
        split = int((np.datetime64(split_day, "M") - months[0]).astype(int))
    what = f"{kind or 'event'}s" + (f" ({', '.join(categories)})" if categories else "")
    report.chart_svg = bars_svg(
        _monthly(ev, in_target, months),
        [str(m) for m in months],
        f"{what.capitalize()} in the problem area per month",
        split=split,
        control=_monthly(ev, in_control, months) if control is not None else None,
        css_class="report-chart",
    )
    report.chart_note = f"{first:%Y-%m-%d} to {last:%Y-%m-%d}" + (
        f"; the response began {split_day:%Y-%m-%d}" if split is not None else ""
    )
    linked = [link.event for link in report.links if link.event.x is not None]
    frame = target.union(control) if control is not None else target
    context = [to_metres(a.geometry, Site.projector()) for a in Area.objects.filter(type=Area.Type.BEAT)]
    shapes = [Shape(g, stroke="#bbbbbb", width=0.6) for g in context if g.intersects(frame.buffer(2000))]
    shapes += [
        Shape(buffer, "buffer (displacement zone)", fill="#f2c14e", stroke="#b8860b", opacity=0.25, dash="4 3"),
        Shape(control, "control area", fill="#8e8e8e", stroke="#444", opacity=0.25),
        Shape(target, "problem area (target)", fill="#d9534f", stroke="#a30000", opacity=0.25, width=1.6),
    ]
    shown = in_target | in_control
    if buffer is not None:
        shown |= contains(buffer, ev.x, ev.y)
    dots = [
        Dots(ev.x[shown], ev.y[shown], f"{what} {first:%Y-%m-%d} to {last:%Y-%m-%d}", fill="#1f4e8c", radius=1.6),
        Dots(
            np.array([e.x for e in linked]),
            np.array([e.y for e in linked]),
            "linked evidence",
            fill="#a30000",
            radius=3,
        ),
    ]
    report.map_svg = map_svg(shapes, dots, title=f"Map of the problem area: {p.title}", frame=frame, margin_m=250)
    report.sensitive_event_ids += sensitive_among(scan, ev.ids[shown])


def sara_report(problem_id: int) -> SaraReport:
    """Gather the SARA report of a problem (``Problem.DoesNotExist`` when there is none)."""
    p = _load(problem_id)
    links = list(p.event_links.select_related("event__category")[:EVENTS_LISTED])
    report = SaraReport(problem=p, links=links, links_total=p.event_links.count(), generated_at=timezone.now())
    report.candidates = [(c, evidence_rows(c.evidence)) for c in p.candidates.all()]
    saved = list(p.analyses.all())
    wanted = {c for an in saved for c in (an.parameters or {}).get("categories") or []}
    names = dict(OffenseCategory.objects.filter(code__in=wanted).values_list("code", "name"))
    areas = {
        a.pk: str(a)
        for a in Area.objects.filter(pk__in={i for an in saved for i in (an.parameters or {}).get("area_ids") or []})
    }
    report.analyses = [
        (
            an,
            analyses.summary(an.kind, an.result or {}),
            workbench.parameters_sentence(
                an.kind,
                an.parameters or {},
                names,
                [areas[i] for i in (an.parameters or {}).get("area_ids") or [] if i in areas],
            ),
        )
        for an in saved
    ]
    plan = getattr(p, "plan", None)
    known = techniques.by_code()
    codes = plan.techniques if plan else []
    report.techniques = [f"{known[c].number}. {known[c].name} ({known[c].group})" for c in codes if c in known]
    for a in p.assessments.all():
        ba = (a.result or {}).get("before_after")
        w = (a.result or {}).get("wdq")
        report.assessments.append(
            {
                "a": a,
                "effect": assessing.effect_statement(ba, (a.parameters or {}).get("alpha", 0.05)) if ba else "",
                "ba": ba or {},
                "wdq": w,
                "wdq_reading": assessing.wdq_reading(w) if w else "",
            }
        )
    report.process_now = assessing.process_evaluation(p)
    report.response_started = stages.response_started(p)
    report.sensitive_event_ids = [link.event_id for link in links if link.event.sensitive]
    # a repeat-victimisation analysis lists the addresses of its sensitive events
    report.sensitive_event_ids += [i for an in saved for i in (an.result or {}).get("sensitive_event_ids") or []]
    _draw(report, p)
    report.sensitive_event_ids = sorted(set(report.sensitive_event_ids))
    return report
