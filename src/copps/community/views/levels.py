"""The staff page of service-level figures (computed by ``copps.community.service_levels``)."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from copps.accounts.permissions import staff_required
from copps.community.models import ServiceRequest
from copps.community.service_levels import service_levels

__all__ = ["levels"]

PERIODS = {"30": 30, "90": 90, "365": 365}


@staff_required
def levels(request: HttpRequest) -> HttpResponse:
    days = PERIODS.get(request.GET.get("days", "90"), 90)
    by = "beat" if request.GET.get("by") == "beat" else "district"
    since = timezone.now() - timedelta(days=days)
    rows = service_levels(ServiceRequest.objects.filter(requested_at__gte=since), by=by)
    return render(request, "community/staff_levels.html", {"rows": rows, "days": days, "by": by})
