"""Staff pages for police events: the filtered table, its exports, the map, one event."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from copps.accounts import audit
from copps.accounts.permissions import staff_required
from copps.incidents import exports
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


def _export(request, fmt: str):
    """The events the list's filters select, audited before a byte is sent (fail closed): one
    row with the format, the filters and the row count, and one row per sensitive event, as the
    list writes for the sensitive events it shows. Invalid filters: 400, nothing exported."""
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse("Invalid filters: " + "; ".join(
            f"{k}: {' '.join(v)}" for k, v in form.errors.items()), status=400, content_type="text/plain")
    filters = form.describe()
    qs = form.filter().order_by("-occurred_from", "-id")
    count = qs.count()
    sensitive = list(qs.filter(sensitive=True).values_list("id", flat=True))
    params = {"format": fmt, "filters": filters, "rows": count, "sensitive": len(sensitive)}
    audit.record("event.export", request=request, object_type="event", params=params)
    if sensitive:
        audit.record_many("event.export", request=request, object_type="event", object_ids=sensitive,
                          params={"format": fmt, "filters": filters})
    name = exports.file_name(filters, fmt)
    if fmt == "gpkg":
        with exports.temporary_folder() as folder:
            path = exports.write_geopackage(qs, filters, Path(folder))
            fh = path.open("rb")  # still readable once the folder is gone (POSIX)
        response = FileResponse(fh, content_type="application/geopackage+sqlite3")
    elif fmt == "geojson":
        chunks = exports.geojson_chunks(qs, filters, count)
        response = StreamingHttpResponse(chunks, content_type="application/geo+json")
    else:
        response = StreamingHttpResponse(exports.csv_lines(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Copps-Filters"] = urlencode(filters)
    response["X-Copps-Rows"] = str(count)
    return response


@staff_required
def export_csv(request):
    return _export(request, "csv")


@staff_required
def export_geojson(request):
    return _export(request, "geojson")


@staff_required
def export_gpkg(request):
    return _export(request, "gpkg")
