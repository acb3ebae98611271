"""Candidate problems from scanning: the list, one candidate's evidence, promote, dismiss, scan."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from copps.accounts import audit
from copps.accounts.permissions import staff_required
from copps.charts import bars_svg
from copps.jobs.queue import enqueue
from copps.problems import promotion
from copps.problems.forms import DismissForm
from copps.problems.models import Candidate
from copps.problems.permissions import can_analyse, deny
from copps.problems.presenting import corroboration_text, evidence_rows
from copps.problems.scanning import SCANNERS, ScanOptions
from copps.problems.scanning.background import candidate_scan

__all__ = ["candidate_list", "candidates_geojson", "candidate_detail", "promote", "dismiss", "scan_now"]


#: the colour of each kind of candidate on the map (Okabe & Ito's colour-blind-safe palette)
KIND_COLOURS = {
    Candidate.Kind.HOT_SPOT: "#d55e00",
    Candidate.Kind.RISKY_PLACE: "#0072b2",
    Candidate.Kind.NEAR_REPEAT: "#cc79a7",
    Candidate.Kind.COLLISION_CORRIDOR: "#e69f00",
    Candidate.Kind.REQUEST_CLUSTER: "#009e73",
}


def _filters(request) -> tuple[str, str]:
    """The list's filters: status (default open; "all" for every one) and kind (blank: all)."""
    return request.GET.get("status", "open"), request.GET.get("kind", "")


def _filtered(qs, status: str, kind: str):
    if status in Candidate.Status.values:
        qs = qs.filter(status=status)
    if kind in Candidate.Kind.values:
        qs = qs.filter(kind=kind)
    return qs


@staff_required
def candidate_list(request):
    status, kind = _filters(request)
    qs = _filtered(
        Candidate.objects.select_related("problem").defer("geometry", "evidence", "parameters"), status, kind
    )
    query = urlencode({"status": status, "kind": kind})
    return render(
        request,
        "problems/candidate_list.html",
        {
            "candidates": qs.order_by("-corroborated", "-score", "-id")[:300],
            "status": status,
            "kind": kind,
            "statuses": Candidate.Status.choices,
            "kinds": Candidate.Kind.choices,
            "can_analyse": can_analyse(request.user),
            "geojson_url": reverse("problems:candidates_geojson") + "?" + query,
            "legend": Candidate.Kind.choices,
        },
    )


@staff_required
def candidates_geojson(request):
    """The candidates the list shows, as GeoJSON for its map: each one's outline (WGS 84), kind,
    colour, title and page; nothing the list does not already show."""
    status, kind = _filters(request)
    if status not in [*Candidate.Status.values, "all"]:
        return JsonResponse(
            {"detail": f"status must be one of {', '.join(Candidate.Status.values)} or all"}, status=400
        )
    if kind and kind not in Candidate.Kind.values:
        return JsonResponse({"detail": f"kind must be one of {', '.join(Candidate.Kind.values)}"}, status=400)
    qs = _filtered(
        Candidate.objects.only("pk", "kind", "title", "status", "score", "corroborated", "geometry", "lon", "lat"),
        status,
        kind,
    )
    features = [
        {
            "type": "Feature",
            "geometry": c.geometry or {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "id": c.pk,
                "title": c.title,
                "kind": c.kind,
                "kind_label": c.get_kind_display(),
                "status": c.status,
                "score": round(c.score, 1),
                "corroborated": c.corroborated,
                "colour": KIND_COLOURS.get(c.kind, "#4a5b70"),
                "url": reverse("problems:candidate", args=[c.pk]),
            },
        }
        for c in qs.order_by("-score", "-id")
    ]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features, "filters": {"status": status, "kind": kind or "all"}}
    )


def evidence_chart(evidence: dict):
    """The candidate's numbers as a small bar chart: events per quarter when the scanner kept them,
    else its commonest categories, services or severities."""
    if evidence.get("events_by_period"):
        values = evidence["events_by_period"]
        return bars_svg(values, [f"Q{i + 1}" for i in range(len(values))], "Events per quarter of the year scanned")
    for key, title in (
        ("top_categories", "Commonest categories"),
        ("services", "Requests by service"),
        ("severity", "Collisions by severity"),
    ):
        pairs = evidence.get(key)
        if pairs:
            return bars_svg([n for _, n in pairs], [str(k) for k, _ in pairs], title)
    return None


def _detail_context(c: Candidate, can: bool, form) -> dict:
    return {
        "c": c,
        "can_analyse": can,
        "dismiss_form": form,
        "geo": {"candidate": c.geometry},
        "evidence": evidence_rows(c.evidence),
        "chart": evidence_chart(c.evidence),
        "corroboration": corroboration_text(c.evidence, c.corroborated),
    }


@staff_required
def candidate_detail(request, pk: int):
    c = get_object_or_404(Candidate.objects.select_related("problem", "decided_by"), pk=pk)
    return render(
        request, "problems/candidate_detail.html", _detail_context(c, can_analyse(request.user), DismissForm())
    )


@require_POST
@staff_required
def promote(request, pk: int):
    if not can_analyse(request.user):
        return deny(request, "candidate.promote", "candidate", pk)
    get_object_or_404(Candidate, pk=pk)
    try:
        problem = promotion.promote(pk, request.user, request)
    except promotion.AlreadyDecided:
        messages.error(request, "This candidate has already been decided.")
        return redirect("problems:candidate", pk)
    messages.success(
        request,
        "Promoted with the candidate's area, categories and evidence. Check the summary and ask a supervisor to "
        "assign an owner.",
    )
    return redirect("problems:detail", problem.pk)


@require_POST
@staff_required
def dismiss(request, pk: int):
    if not can_analyse(request.user):
        return deny(request, "candidate.dismiss", "candidate", pk)
    c = get_object_or_404(Candidate, pk=pk)
    form = DismissForm(request.POST, instance=c)
    if c.status != Candidate.Status.OPEN:
        messages.error(request, "This candidate has already been decided.")
        return redirect("problems:candidate", c.pk)
    if not form.is_valid():
        return render(request, "problems/candidate_detail.html", _detail_context(c, True, form), status=400)
    with transaction.atomic():
        c = form.save(commit=False)
        c.status, c.decided_by, c.decided_at = Candidate.Status.DISMISSED, request.user, timezone.now()
        c.save()
        audit.record(
            "candidate.dismiss",
            request=request,
            object_type="candidate",
            object_id=c.pk,
            params={"reason": c.reason[:500]},
        )
    messages.success(request, "Dismissed.")
    return redirect("problems:candidates")


@require_POST
@staff_required
def scan_now(request):
    if not can_analyse(request.user):
        return deny(request, "candidates.scan", "candidate")
    # a scan takes minutes on a big city: it runs as a background job (copps worker), not here
    options = ScanOptions()
    job = enqueue(candidate_scan, list(SCANNERS), label="Candidate scan", request=request)
    audit.record(
        "candidates.scan",
        request=request,
        object_type="candidate",
        params={"options": options.as_dict(), "job": str(job.id)},
    )
    messages.success(request, "Scan queued: it runs in the background; its progress is on this page.")
    return redirect("jobs:list")
