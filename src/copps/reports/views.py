"""Report pages and PDFs for department staff: the SARA report of a problem, the weekly
CompStat of a district, and an index of both. A PDF is drawn by a background job (``copps
worker``) and downloaded, audited, by the staff member who asked for it (``store.py``).
Residents, auditors and anonymous users get the same answers as on the problem pages (403,
audited, or the sign-in page) and nothing else."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from copps.accounts import audit
from copps.accounts.permissions import staff_required
from copps.incidents.models import Area
from copps.jobs import tasks
from copps.jobs.queue import enqueue
from copps.problems.models import Problem
from copps.problems.views.common import problem_view
from copps.reports.access import audit_compstat, audit_sara
from copps.reports.sara import sara_report
from copps.reports.store import ReportFile
from copps.reports.weekly import CITY, ReportError, compstat_report, default_week, find_district, parse_week

__all__ = [
    "index",
    "sara",
    "sara_pdf",
    "compstat",
    "compstat_pdf",
    "cocoon_pdf",
    "report_file",
    "workspace_png",
    "workspace_pdf",
]


@staff_required
def index(request):
    districts = Area.objects.filter(type=Area.Type.DISTRICT).order_by("code")
    problems = Problem.objects.open().select_related("owner").order_by("-opened_at", "-id")[:200]
    return render(
        request,
        "reports/index.html",
        {"districts": districts, "week": default_week(), "problems": problems, "city": CITY},
    )


@problem_view(work=False)
def sara(request, problem):
    report = sara_report(problem.pk)
    audit_sara(report, "html", request=request)
    return render(request, "reports/sara.html", {"r": report, "p": report.problem})


@problem_view(work=False)
def sara_pdf(request, problem):
    """GET: a button to make the PDF. POST: queue it as a job and show the job (the PDF is drawn by
    ``copps worker``, never inside the request)."""
    if request.method != "POST":
        return render(
            request,
            "reports/pdf_request.html",
            {"what": f"The SARA report of problem {problem.pk}: {problem.title}", "p": problem},
        )
    name = f"sara-{problem.pk}-{slugify(problem.title)[:40]}.pdf"
    return _queue(request, "sara", name, {"problem": problem.pk}, f"SARA report PDF of problem {problem.pk}")


@staff_required
def cocoon_pdf(request, pk: int):
    """The cocoon-notice letter of a near-repeat prevention window, in ``?lang=en|es``. GET: a
    button to make the PDF, or a plain statement that no address points are loaded. POST: queue it
    as a job (drawn by ``copps worker``; the letter's making and its download are audited)."""
    from django.shortcuts import get_object_or_404

    from copps.geo.gazetteer.models import AddressPoint
    from copps.problems.models import PreventionWindow

    window = get_object_or_404(PreventionWindow.objects.select_related("category"), pk=pk)
    lang = (request.POST if request.method == "POST" else request.GET).get("lang", "en")
    if lang not in LETTER_LANGUAGES:
        return render(request, "reports/error.html", {"message": f"lang={lang!r}: choose en or es"}, status=400)
    what = f"Cocoon-notice letter ({LETTER_LANGUAGES[lang]}) of prevention window {window.pk}: {window.category.name}"
    if not AddressPoint.objects.exists():
        return render(request, "reports/cocoon_request.html", {"what": what, "w": window, "lang": lang,
                                                                "no_addresses": True})
    if request.method != "POST":
        return render(request, "reports/cocoon_request.html", {"what": what, "w": window, "lang": lang})
    name = f"cocoon-{window.pk}-{lang}.pdf"
    return _queue(request, "cocoon", name, {"window": window.pk, "lang": lang}, f"Cocoon letter {window.pk} ({lang})")


#: the languages a cocoon-notice letter is written in
LETTER_LANGUAGES = {"en": "English", "es": "Spanish"}


def _queue(request, report: str, file_name: str, params: dict, label: str):
    username = request.user.get_username()
    made = ReportFile.create(username, report, file_name, params)
    link = reverse("reports:file", args=[made.token])
    job = enqueue(
        tasks.report_pdf,
        report,
        str(made.path),
        **params,
        requested_by=username,
        link=link,
        label=label,
        request=request,
    )
    made.job_id = str(job.id)
    made.save()
    return redirect(reverse("jobs:list") + f"#job-{job.id}")


@staff_required
def report_file(request, token: str):
    """A report file a job made for this user: audited download; 404 for anyone else or before it is done."""
    made = ReportFile.find(token, request.user.get_username())
    if made is None or not made.path.is_file():
        raise Http404("no such report file")
    audit.record(
        "report.download",
        request=request,
        object_type="report",
        object_id=made.token,
        params={"report": made.report, "file": made.file_name, "job": made.job_id, **made.params},
    )
    return FileResponse(
        made.path.open("rb"), as_attachment=True, filename=made.file_name, content_type="application/pdf"
    )


def _compstat(request):
    """The report for ``?district=&week=``, or the error page (400) naming what is valid."""
    try:
        return compstat_report(request.GET.get("district"), request.GET.get("week")), None
    except ReportError as exc:
        return None, render(request, "reports/error.html", {"message": str(exc)}, status=400)


@staff_required
def compstat(request):
    report, error = _compstat(request)
    if error:
        return error
    audit_compstat(report, "html", request=request)
    return render(request, "reports/compstat.html", {"r": report})


@staff_required
def compstat_pdf(request):
    """GET: a button to make the PDF of ``?district=&week=`` (400 naming what is valid when either is
    wrong). POST: queue it as a job and show the job."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        area = find_district(source.get("district"))
        week = (source.get("week") or default_week()).strip().upper()
        parse_week(week)
    except ReportError as exc:
        return render(request, "reports/error.html", {"message": str(exc)}, status=400)
    district = area.code if area else CITY
    name = area.name if area else "City-wide"
    if request.method != "POST":
        what = f"CompStat: {'district ' + name if area else name}, week {week}"
        return render(request, "reports/pdf_request.html", {"what": what, "district": district, "week": week})
    file_name = f"compstat-{slugify(district)}-{week}.pdf"
    return _queue(request, "compstat", file_name, {"district": district, "week": week}, f"CompStat PDF, {name}, {week}")

def _workspace(request):
    """The dashboard workspace's layers for the query string: ``(fc, outline)`` or an error page."""
    from copps.incidents.models import Site
    from copps.problems import hotspot_cache
    from copps.problems import hotspot_workspace as hw
    from copps.problems.views.dashboard import workspace_parameters

    form, params = workspace_parameters(request.GET)
    if params is None:
        return render(request, "reports/error.html", {"message": form.error_text()}, status=400)
    try:
        fc = hotspot_cache.layers(params)  # the map's own answer, kept
    except ValueError as exc:  # GridTooLarge, or no study area
        return render(request, "reports/error.html", {"message": str(exc)}, status=400)
    outline, _ = hw.study_zone(params)
    return fc, outline, Site.projector()


@staff_required
def workspace_png(request):
    """The workspace's current view (the same query string as the dashboard) as a PNG."""
    from django.http import HttpResponse

    from copps.reports import workspace_export

    found = _workspace(request)
    if not isinstance(found, tuple):
        return found
    fc, outline, projector = found
    data = workspace_export.png(workspace_export.panels(fc, projector), fc["sentence"], outline)
    response = HttpResponse(data, content_type="image/png")
    response["Content-Disposition"] = 'attachment; filename="hot-spots.png"'
    return response


@staff_required
def workspace_pdf(request):
    """The workspace's current view as a PDF: a panel per layer, the legend with every emerging
    class's definition, and the sentence saying what it rests on."""
    from django.http import HttpResponse
    from django.utils import timezone

    from copps.problems import hotspot_workspace as hw
    from copps.reports import workspace_export
    from copps.reports.pdf import render_pdf

    found = _workspace(request)
    if not isinstance(found, tuple):
        return found
    fc, outline, projector = found
    context = {
        "sentence": fc["sentence"],
        "panels": workspace_export.svgs(workspace_export.panels(fc, projector), outline),
        "summary": fc["summary"],
        "definitions": sorted(hw.EMERGING_DEFINITIONS.items()),
        "emerging": "emerging" in (fc["parameters"].get("layers") or []),
        "generated_at": timezone.localtime(),
    }
    response = HttpResponse(render_pdf("reports/workspace_print.html", context), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="hot-spots.pdf"'
    return response
