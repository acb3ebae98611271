"""Public problem pages: what a public problem may show, and nothing more.

A problem appears when staff marked it ``public``. Its page shows the title and the summary
("in plain words"; house numbers, e-mail addresses and phone numbers are taken out in case
one slipped in), its SARA stage in plain words, a generalised outline of its area, the
response techniques chosen (a fixed vocabulary: Cornish & Clarke's 25), how many of its
planned actions are done, and the partner *organisations* taking part (names only).

Never shown: task titles, notes, activities, the problem triangle (offenders, victims,
places), hypotheses, evidence, linked events or requests, officers, partners' contacts,
landlords and other partners who may be private persons, and the drawn polygon itself
(it can be drawn round one house): the outline is the problem's areas, or the polygon's
bounding box widened to whole squares of the public grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from copps.geo.crs import Projector
from copps.geo.text import clean_text
from copps.language import localized
from copps.problems.models import Partner, Problem, Stage
from copps.problems.models.response import Task
from copps.problems.techniques import by_code
from copps.publish.store import GRID_M

__all__ = [
    "STAGE_TEXT",
    "STAGE_NAME",
    "PUBLIC_PARTNER_KINDS", "PublicProblem", "public_problems", "public_problem", "clean_text"]

# What each stage means, said once after the stage's name ("Assessment: checking whether ...").
STAGE_TEXT = {
    Stage.SCANNING: _("the problem has been spotted and is being checked."),
    Stage.ANALYSIS: _("working out why it keeps happening."),
    Stage.RESPONSE: _("the department and its partners are acting on it."),
    Stage.ASSESSMENT: _("checking whether what was done has worked."),
    Stage.CLOSED: _("the work on this problem has ended."),
}
# The stages' names as residents read them (``Stage``'s own labels stay English for staff).
STAGE_NAME = {
    Stage.SCANNING: pgettext_lazy("SARA stage", "Scanning"),
    Stage.ANALYSIS: pgettext_lazy("SARA stage", "Analysis"),
    Stage.RESPONSE: pgettext_lazy("SARA stage", "Response"),
    Stage.ASSESSMENT: pgettext_lazy("SARA stage", "Assessment"),
    Stage.CLOSED: pgettext_lazy("SARA stage", "Closed"),
}
# Organisations only: a landlord or an "other" partner may be a private person.
PUBLIC_PARTNER_KINDS = (
    Partner.Kind.CITY_DEPARTMENT,
    Partner.Kind.BUSINESS,
    Partner.Kind.SCHOOL,
    Partner.Kind.WATCH_GROUP,
    Partner.Kind.COMMUNITY,
)

@dataclass(frozen=True)
class PublicProblem:
    id: int
    title: str
    summary: str
    problem_type: str
    stage: str
    stage_text: str
    opened: str  # YYYY-MM
    areas: list[str]
    techniques: list[str]
    actions_done: int
    actions_planned: int
    partners: list[str]


def _queryset():
    return Problem.objects.public()


def _build(p: Problem, tasks: dict[str, int]) -> PublicProblem:
    techniques = by_code()
    plan = getattr(p, "plan", None)
    codes = plan.techniques if plan is not None else []
    return PublicProblem(
        id=p.pk,
        # in the visitor's language where staff wrote it (``title_es``...), cleaned the same way
        title=clean_text(localized(p, "title")),
        summary=clean_text(localized(p, "summary")),
        problem_type=p.get_problem_type_display(),
        stage=str(STAGE_NAME.get(p.stage, p.get_stage_display())),
        stage_text=str(STAGE_TEXT.get(p.stage, "")),
        opened=f"{p.opened_at:%Y-%m}",
        areas=sorted(a.name for a in p.areas.all()),
        techniques=[techniques[c].name for c in codes if c in techniques],
        actions_done=tasks.get("done", 0),
        actions_planned=tasks.get("all", 0),
        partners=sorted(
            {link.partner.name for link in p.partner_links.all() if link.partner.kind in PUBLIC_PARTNER_KINDS}
        ),
    )


def public_problems() -> list[PublicProblem]:
    """Every public problem, newest first (a fixed number of queries, whatever the count)."""
    problems = list(_queryset().select_related("plan").prefetch_related("areas", "partner_links__partner"))
    counts = (
        Task.objects.filter(problem__in=[p.pk for p in problems])
        .values("problem")
        .annotate(all=Count("id"), done=Count("id", filter=Q(status="done")))
    )
    tasks = {row["problem"]: row for row in counts}
    return [_build(p, tasks.get(p.pk, {})) for p in problems]


def public_problem(pk: int) -> PublicProblem | None:
    p = _queryset().select_related("plan").prefetch_related("areas", "partner_links__partner").filter(pk=pk).first()
    if p is None:
        return None
    row = Task.objects.filter(problem=p).aggregate(all=Count("id"), done=Count("id", filter=Q(status="done")))
    return _build(p, row)


def outline(pk: int) -> dict:
    """The generalised outline of a public problem's area, as GeoJSON (empty if not public)."""
    p = _queryset().prefetch_related("areas").filter(pk=pk).first()
    features = []
    if p is not None:
        for a in p.areas.all():
            features.append({"type": "Feature", "geometry": a.geometry, "properties": {"name": a.name}})
        if not features and p.polygon:
            features.append(_grid_box(p.polygon))
    return {"type": "FeatureCollection", "features": [f for f in features if f]}


def _grid_box(polygon: dict) -> dict | None:
    """The polygon's bounding box, widened to whole public grid squares (never the drawn shape)."""
    from copps.publish.snaps import site_crs

    crs = site_crs()
    coords = np.array([pt for ring in _rings(polygon) for pt in ring], float)
    if crs is None or not len(coords):
        return None
    proj = Projector(crs)
    x, y = proj.forward(coords[:, 0], coords[:, 1])
    x0, y0 = np.floor(x.min() / GRID_M) * GRID_M, np.floor(y.min() / GRID_M) * GRID_M
    x1, y1 = (np.floor(x.max() / GRID_M) + 1) * GRID_M, (np.floor(y.max() / GRID_M) + 1) * GRID_M
    lon, lat = proj.inverse(np.array([x0, x1, x1, x0, x0]), np.array([y0, y0, y1, y1, y0]))
    ring = [[round(float(a), 5), round(float(b), 5)] for a, b in zip(lon, lat, strict=True)]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"name": "the problem's area (generalised)"},
    }


def _rings(geometry: dict) -> list:
    if geometry.get("type") == "Polygon":
        return geometry["coordinates"]
    if geometry.get("type") == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []
