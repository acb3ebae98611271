"""The weekly CompStat report of a district (or the whole city).

Counts of crimes by category for the ISO week, the 28 days and the year to date ending on the
week's Sunday, each against the same dates a year earlier (``copps.analysis.compstat``). Only
changes that the exact Poisson rate-ratio test finds significant are flagged; every percentage
is printed with its confidence interval and p. A map shows the week's crimes and the Gi* hot
spots of the last :data:`HOT_DAYS` days; then every open problem in the district with its
stage, days open and plan.

Only windows the data covers in full are compared (``copps.incidents.coverage``): the default
week is the last ISO week the crime data covers in full, and a window the data covers in part
or not at all gives the counts with "partial" or "no data" instead of a change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import shapely
from django.db.models import Prefetch
from django.utils import timezone
from shapely.geometry import shape

from copps.analysis import compstat as stats
from copps.analysis import coverage as cov
from copps.geo.shapes import to_metres
from copps.incidents import coverage
from copps.incidents.models import Area, OffenseCategory, Site
from copps.incidents.scanning import ScanFilter, load_events
from copps.problems.models import Problem
from copps.problems.scanning.clusters import hot_clusters, snapped_grid
from copps.reports.sara import sensitive_among
from copps.reports.svgmap import Dots, Shape, map_svg

__all__ = [
    "ALPHA",
    "CITY",
    "HOT_CELL_M",
    "HOT_DAYS",
    "CompStatReport",
    "ReportError",
    "compstat_report",
    "default_week",
    "find_district",
    "parse_week",
    "percent",
]

CITY = "city"
ALPHA = 0.05
HOT_DAYS = 91  # a quarter: enough crimes in one district for Gi* to find stable hot spots
HOT_CELL_M = 150.0
WINDOWS = ("week", "28 days", "year to date")
WEEK_RE = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


class ReportError(ValueError):
    """A report request that names nothing: the message says what is expected."""


def parse_week(text: str) -> tuple[date, date]:
    """``"2026-W47"`` -> (its Monday, its Sunday)."""
    m = WEEK_RE.match((text or "").strip())
    try:
        if not m:
            raise ValueError
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ReportError(
            f"week {text!r} is not an ISO week: expected YYYY-Www, e.g. 2026-W47 (weeks run Monday to Sunday)"
        ) from None
    return monday, monday + timedelta(days=6)


def default_week() -> str:
    """The last ISO week (Monday to Sunday) the crime data covers in full: the latest event's day
    counts as partial, so data ending on a Wednesday gives the week that ended the Sunday before.
    Today's week when the data covers no whole week."""
    sunday = coverage.as_date(cov.last_complete_week(coverage.of("crime")))
    day = sunday or timezone.localdate()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def district_names() -> list[str]:
    return [CITY] + [f"{a.name} ({a.code})" for a in Area.objects.filter(type=Area.Type.DISTRICT).order_by("code")]


def find_district(text: str | None) -> Area | None:
    """A district by code or name (any case); ``city`` (or nothing) is the whole city, None."""
    key = (text or CITY).strip()
    if key.lower() in (CITY, "all", ""):
        return None
    qs = Area.objects.filter(type=Area.Type.DISTRICT)
    found = list(qs.filter(code__iexact=key)) or list(qs.filter(name__iexact=key))
    if len(found) != 1:
        raise ReportError(f"unknown district {key!r}; valid names: {', '.join(district_names())}")
    return found[0]


def percent(ratio: float) -> str:
    """A rate ratio as a signed percent change ("+25%", "−40%")."""
    if not np.isfinite(ratio):
        return "n/a"
    change = round(100 * (ratio - 1))
    return "0%" if change == 0 else f"{'+' if change > 0 else '−'}{abs(change)}%"


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


@dataclass
class CompStatReport:
    district: Area | None
    week: str
    monday: date
    sunday: date
    windows: dict = field(default_factory=dict)  # window -> list of row dicts (the total first)
    significant: list = field(default_factory=list)
    tested: int = 0  # comparisons actually tested (both windows covered in full)
    problems: list = field(default_factory=list)
    hot_spots: int = 0
    left_out: str = ""  # events of the map's window left out of it, and why
    week_events: int = 0
    map_svg: str = ""
    sensitive_event_ids: list[int] = field(default_factory=list)
    generated_at: object = None
    data_span: str = ""  # the days the crime data covers, said in the report

    @property
    def name(self) -> str:
        return f"District {self.district.name}" if self.district else "City-wide"


def _row(label: str, res, k: int, window: str, missing: str = "") -> dict:
    """One table row; ``missing`` ("no data" or "partial") when the windows are not both covered."""
    sig = bool(res.significant[k])
    direction = int(res.direction[k])
    pct = missing or (percent(res.ratio[k]) if res.before[k] > 0 else "new")
    ci = "n/a" if missing or res.before[k] == 0 else f"{percent(res.lower[k])} to {percent(res.upper[k])}"
    return {
        "label": label,
        "window": window,
        "now": int(res.now[k]),
        "before": "no data" if missing == "no data" else int(res.before[k]),
        "change": pct,
        "ci": ci,
        "p": "" if missing else p_text(float(res.p[k])),
        "significant": sig,
        "flag": ("▲ significant rise" if direction > 0 else "▼ significant fall") if sig else "",
    }


def _tables(report: CompStatReport, ev, covered: cov.Coverage | None) -> None:
    days = ev.start.astype("datetime64[D]")
    codes, groups = np.unique(ev.category, return_inverse=True)
    names = dict(OffenseCategory.objects.filter(code__in=list(codes)).values_list("code", "name"))
    periods = stats.period_counts(days, report.sunday, groups=groups, ngroups=len(codes))
    status = stats.period_status(report.sunday, covered)
    for window in WINDOWS:
        now, now_days = periods[window]["now"]
        before, before_days = periods[window]["prior year"]
        s_now, s_before = status[window]["now"], status[window]["prior year"]
        missing = "" if stats.comparable(s_now, s_before) else "no data" if cov.NONE in (s_now, s_before) else "partial"
        total = stats.covered_compare([now.sum()], [before.sum()], now_days, before_days, s_now, s_before, ALPHA)
        res = stats.covered_compare(now, before, now_days, before_days, s_now, s_before, ALPHA)
        rows = [_row("All crime", total, 0, window, missing)]
        order = sorted(range(len(codes)), key=lambda k: (-now[k], names.get(codes[k], codes[k])))
        rows += [
            _row(names.get(codes[k], codes[k] or "unclassified"), res, k, window, missing)
            for k in order
            if now[k] or before[k]
        ]
        if s_now == cov.NONE:  # a week past (or before) the data: its count is unknown, not 0
            for row in rows:
                row["now"] = "no data"
        report.windows[window] = rows
        report.significant += [r for r in rows if r["significant"]]
        if not missing:
            report.tested += len(rows)


def _in_district(problem: Problem, district: Area, outline) -> bool:
    for a in problem.areas.all():
        if a.pk == district.pk or a.parent_id == district.pk:
            return True
    if problem.polygon:
        try:
            return outline.contains(shape(problem.polygon).representative_point())
        except (ValueError, TypeError, AttributeError):
            return False
    return False


def _problems(report: CompStatReport) -> None:
    qs = (
        Problem.objects.open()
        .select_related("owner", "plan")
        .prefetch_related(Prefetch("areas", queryset=Area.objects.only("id", "parent_id", "type", "name", "code")))
        .order_by("opened_at", "id")
    )
    if report.district is None:
        report.problems = list(qs)
        return
    outline = shape(report.district.geometry)
    shapely.prepare(outline)
    report.problems = [p for p in qs if _in_district(p, report.district, outline)]


def _map(report: CompStatReport) -> None:
    scope = f"district:{report.district.code}" if report.district else None
    first = report.sunday - timedelta(days=HOT_DAYS - 1)
    scan = ScanFilter(kind="crime", area=scope, date_from=first, date_to=report.sunday)
    loaded = load_events(scan)
    report.left_out = loaded.left_out_text(what=f"the map of these {HOT_DAYS} days")
    ev = loaded.geocoded()
    week = ev.start.astype("datetime64[D]") >= np.datetime64(report.monday)
    if report.district is not None:
        frame = to_metres(report.district.geometry, Site.projector())
        beats = Area.objects.filter(type=Area.Type.BEAT, parent=report.district)
    else:
        districts = [to_metres(a.geometry, Site.projector()) for a in Area.objects.filter(type=Area.Type.DISTRICT)]
        frame = shapely.union_all(districts) if districts else None
        beats = Area.objects.filter(type=Area.Type.BEAT)
    if frame is None and len(ev):
        frame = shapely.MultiPoint(np.column_stack([ev.x, ev.y])).envelope
    if frame is None:
        return
    shapes = [Shape(to_metres(b.geometry, Site.projector()), stroke="#aaaaaa", width=0.6) for b in beats]
    if len(ev) >= 30:
        district = frame if report.district is not None else None  # Gi* over the district's cells
        clusters, _ = hot_clusters(snapped_grid(ev.x, ev.y, HOT_CELL_M, district), min_class=2)
        report.hot_spots = len(clusters)
        shapes += [
            Shape(c.polygon, "Gi* hot spot (95%, FDR 0.05)" if i == 0 else "", fill="#d9534f", stroke="#a30000")
            for i, c in enumerate(clusters)
        ]
    shapes.append(Shape(frame, report.name, stroke="#222", width=1.6))
    drawn = [p for p in report.problems if p.polygon]
    for i, p in enumerate(drawn):
        label = "open problem area" if i == 0 else ""
        outline = to_metres(p.polygon, Site.projector())
        shapes.append(Shape(outline, label, fill="#6a3d9a", stroke="#6a3d9a", opacity=0.15, dash="5 3"))
    report.week_events = int(week.sum())
    report.map_svg = map_svg(
        shapes,
        [Dots(ev.x[week], ev.y[week], f"mapped crimes of the week ({report.week_events})", radius=2.0)],
        title=f"{report.name}: crimes of {report.week} and hot spots of the last {HOT_DAYS} days",
        frame=frame,
        margin_m=100,
    )
    report.sensitive_event_ids = sensitive_among(scan, ev.ids[week])


def compstat_report(district: str | None, week: str | None) -> CompStatReport:
    """Build the report; :class:`ReportError` names a bad district or week."""
    area = find_district(district)
    week = (week or default_week()).strip().upper()
    monday, sunday = parse_week(week)
    report = CompStatReport(area, week, monday, sunday, generated_at=timezone.now())
    year_start = date(sunday.year - 1, 1, 1)
    scope = f"district:{area.code}" if area else None
    first = min(year_start, monday - timedelta(days=400))
    ev = load_events(ScanFilter(kind="crime", area=scope, date_from=first, date_to=sunday))
    whole = coverage.of("crime")
    report.data_span = coverage.describe(whole)
    _tables(report, ev, cov.clip(whole, first, sunday + timedelta(days=1)))
    _problems(report)
    _map(report)
    return report
