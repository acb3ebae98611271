"""DDACTS pages: the crime × collision overlay, opening a zone, a zone's dosage log and outcomes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from copps.accounts import audit
from copps.accounts.permissions import staff_required
from copps.problems import ddacts
from copps.problems.changes import record_change
from copps.problems.forms import DosageForm, ZoneForm
from copps.problems.models import DdactsZone
from copps.problems.permissions import can_assign, can_create, can_work, deny

__all__ = ["overlay_page", "overlay_geojson", "zone_new", "zone_detail", "log_dosage"]


@staff_required
def overlay_page(request):
    ov = ddacts.overlay()
    zones = DdactsZone.objects.select_related("problem").order_by("-created_at")
    return render(
        request,
        "problems/ddacts.html",
        {
            "overlay": ov,
            "candidates": list(enumerate(ov.zones[:20])) if ov else [],
            "zones": zones,
            "can_create": can_create(request.user),
            "form": ZoneForm(),
        },
    )


@staff_required
def overlay_geojson(request):
    ov = ddacts.overlay()
    if ov is None:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    return JsonResponse({"type": "FeatureCollection", "features": ov.features, "parameters": ov.parameters})


@require_POST
@staff_required
def zone_new(request):
    if not can_create(request.user):
        return deny(request, "ddacts.zone_create", "ddacts_zone")
    form = ZoneForm(request.POST)
    ov = ddacts.overlay()
    if form.is_valid() and (ov is None or form.cleaned_data["zone"] >= len(ov.zones)):
        form.add_error("zone", "That zone is no longer in the overlay: reload the page.")
    if not form.is_valid():
        messages.error(request, "Not opened: " + " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("problems:ddacts")
    d = form.cleaned_data
    zone = ddacts.create_zone(
        ov.zones[d["zone"]], ov.parameters, d["name"], d["start"], request.user, open_problem=d["open_problem"]
    )
    audit.record(
        "ddacts.zone_create",
        request=request,
        object_type="ddacts_zone",
        object_id=zone.pk,
        params={"cells": len(zone.cells), "problem": zone.problem_id, "start": d["start"].isoformat()},
    )
    if zone.problem_id:
        record_change(request, zone.problem, "ddacts.zone", f"DDACTS zone opened: {zone.name}", {"zone": zone.pk})
    messages.success(request, "Zone opened." + (" A traffic problem was opened for it." if zone.problem_id else ""))
    return redirect("problems:ddacts_zone", zone.pk)


def _may_log(user, zone: DdactsZone) -> bool:
    return can_work(user, zone.problem) if zone.problem_id else bool(getattr(user, "is_department_staff", False))


def _officers(user):
    qs = get_user_model().objects.filter(is_active=True)
    return qs.filter(role__in=["officer", "analyst", "supervisor"]) if can_assign(user) else qs.filter(pk=user.pk)


@staff_required
def zone_detail(request, pk: int, form: DosageForm | None = None, status: int = 200):
    zone = get_object_or_404(DdactsZone.objects.select_related("problem", "problem__owner"), pk=pk)
    may_log = _may_log(request.user, zone)
    return render(
        request,
        "problems/ddacts_zone.html",
        {
            "zone": zone,
            "dosage": zone.dosage.select_related("officer").all()[:100],
            "outcomes": ddacts.outcomes(zone),
            "may_log": may_log,
            "form": form
            or (
                DosageForm(officers=_officers(request.user), initial={"officer": request.user.pk}) if may_log else None
            ),
            "geo": {"candidate": zone.polygon},
        },
        status=status,
    )


@require_POST
@staff_required
def log_dosage(request, pk: int):
    zone = get_object_or_404(DdactsZone.objects.select_related("problem"), pk=pk)
    if zone.problem_id:
        zone.problem = type(zone.problem).objects.prefetch_related("officers").get(pk=zone.problem_id)
    if not _may_log(request.user, zone):
        return deny(request, "ddacts.dosage", "ddacts_zone", zone.pk)
    form = DosageForm(request.POST, officers=_officers(request.user))
    if not form.is_valid():
        return zone_detail.__wrapped__(request, pk, form=form, status=400)
    with transaction.atomic():
        spell = form.save(commit=False)
        spell.zone, spell.logged_by = zone, request.user
        spell.save()
        audit.record(
            "ddacts.dosage",
            request=request,
            object_type="ddacts_zone",
            object_id=zone.pk,
            params={"dosage": spell.pk, "officer": spell.officer_id, "minutes": spell.minutes, "kind": spell.kind},
        )
    messages.success(request, f"Logged {spell.minutes} minutes in the zone.")
    return redirect("problems:ddacts_zone", zone.pk)
