"""Staff pages for police events: the filtered table, the map, one event."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from copps.accounts import audit
from copps.accounts.permissions import staff_required
from copps.incidents.filters import EventFilterForm
from copps.incidents.models import Event

PAGE_SIZE = 50


@staff_required
def event_list(request):
    form = EventFilterForm(request.GET or None)
    qs = form.filter() if request.GET else Event.objects.all()
    qs = qs.select_related("category", "beat", "district")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    sensitive = [e.pk for e in page.object_list if e.sensitive]
    if sensitive:
        audit.record_many(
            "event.list", request=request, object_type="event", object_ids=sensitive, params=request.GET.dict()
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "incidents/event_list.html", {"form": form, "page": page, "query": query.urlencode()})


@staff_required
def event_map(request):
    form = EventFilterForm(request.GET or None)
    return render(request, "incidents/event_map.html", {"form": form, "query": request.GET.urlencode()})


@staff_required
def event_detail(request, pk: int):
    event = get_object_or_404(
        Event.objects.select_related("category", "beat", "district", "neighbourhood", "batch"), pk=pk
    )
    audit.record("event.read", request=request, object_type="event", object_id=event.pk)
    return render(request, "incidents/event_detail.html", {"event": event, "raw": sorted(event.raw.items())})
