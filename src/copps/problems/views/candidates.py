"""Candidate problems from scanning: the list, one candidate's evidence, promote, dismiss, scan."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
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

__all__ = ["candidate_list", "candidate_detail", "promote", "dismiss", "scan_now"]


@staff_required
def candidate_list(request):
    status = request.GET.get("status", "open")
    kind = request.GET.get("kind", "")
    qs = Candidate.objects.select_related("problem").defer("geometry", "evidence", "parameters")
    if status in Candidate.Status.values:
        qs = qs.filter(status=status)
    if kind in Candidate.Kind.values:
        qs = qs.filter(kind=kind)
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
        },
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
