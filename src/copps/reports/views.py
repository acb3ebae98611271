"""Report pages and PDFs for department staff: the SARA report of a problem, the weekly
CompStat of a district, and an index of both. Residents, auditors and anonymous users get the
same answers as on the problem pages (403, audited, or the sign-in page) and nothing else."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from copps.accounts.permissions import staff_required
from copps.incidents.models import Area
from copps.problems.models import Problem
from copps.problems.views.common import problem_view
from copps.reports.access import audit_compstat, audit_sara
from copps.reports.pdf import render_pdf
from copps.reports.sara import sara_report
from copps.reports.weekly import CITY, ReportError, compstat_report, default_week

__all__ = ["index", "sara", "sara_pdf", "compstat", "compstat_pdf"]


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
    report = sara_report(problem.pk)
    audit_sara(report, "pdf", request=request)
    content = render_pdf("reports/sara_print.html", {"r": report, "p": report.problem})
    return _pdf(content, f"sara-{problem.pk}-{slugify(problem.title)[:40]}.pdf")


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
    report, error = _compstat(request)
    if error:
        return error
    audit_compstat(report, "pdf", request=request)
    content = render_pdf("reports/compstat_print.html", {"r": report})
    district = report.district.code if report.district else CITY
    return _pdf(content, f"compstat-{slugify(district)}-{report.week}.pdf")
