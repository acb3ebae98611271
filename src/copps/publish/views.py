"""Public pages and downloads (no sign-in). Each renders only what the pipeline returned."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from copps.accounts.landing import landing_url
from copps.accounts.ratelimit import rate_limited
from copps.publish import feedback, problem_pages, published, service, trends
from copps.publish.api import select_counts
from copps.publish.cache import cached
from copps.publish.conf import rule_variables
from copps.publish.conf import rules as current_rules
from copps.publish.export import COUNT_COLUMNS, EVENT_COLUMNS, events_geojson, geojson_text, write_csv
from copps.publish.forms import ImprovementForm, PublicFilterForm, TrendForm


def _context(request: HttpRequest) -> dict:
    return {"rules": current_rules(), "grid_m": int(published.GRID_M)}


@require_GET
def home(request: HttpRequest):
    """The residents' front door: what they can do here. Signed-in staff go on to their work."""
    user = request.user
    if user.is_authenticated and (user.is_department_staff or user.role == "auditor"):
        return redirect(landing_url(user))
    return render(request, "publish/home.html", _context(request))


@require_GET
def public_map(request: HttpRequest):
    form = PublicFilterForm(request.GET or None)
    first, last = trends.data_span(None)
    context = {"form": form, "query": request.GET.urlencode(), "data_from": first, "data_to": last}
    return render(request, "publish/map.html", {**_context(request), **context})


@require_GET
def about(request: HttpRequest):
    rules = current_rules()
    values = [rules.snap_min_addresses, rules.min_offset_m, rules.k, rules.delay_days, rules.sensitive]
    rows = [(var.name, value, var.help) for var, value in zip(rule_variables(), values, strict=True)]
    return render(request, "publish/about.html", {**_context(request), "rule_rows": rows})


def _download(body: str, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _events(request: HttpRequest):
    form = PublicFilterForm(request.GET)
    if not form.is_valid():
        return None, JsonResponse({"detail": "Invalid filters", "errors": form.errors}, status=400)
    return published.points(form.records(), limit=None).events, None


@require_GET
@cached
def events_csv(request: HttpRequest):
    events, error = _events(request)
    if error:
        return error
    return _download(write_csv(events, EVENT_COLUMNS, EVENT_COLUMNS), "events.csv", "text/csv; charset=utf-8")


@require_GET
@cached
def events_geojson_download(request: HttpRequest):
    events, error = _events(request)
    if error:
        return error
    return _download(geojson_text(events_geojson(events)), "events.geojson", "application/geo+json")


@require_GET
@cached
def counts_csv(request: HttpRequest):
    body, errors = select_counts(request.GET)
    if errors is not None:
        return JsonResponse({"detail": "Invalid filters", "errors": errors}, status=400)
    return _download(write_csv(body["cells"], COUNT_COLUMNS, COUNT_COLUMNS), "counts.csv", "text/csv; charset=utf-8")


# -- trend dashboards and the CompStat table ---------------------------------------------------


def _trend_form(request: HttpRequest):
    choices = trends.areas()
    form = TrendForm(request.GET or None, areas=choices)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {"area": "city", "kind": "crime"}
    return form, trends.trend(trends.find_area(data["area"]), data["kind"])


@require_GET
def trend_page(request: HttpRequest):
    form, trend = _trend_form(request)
    status = 400 if trend is None else 200
    return render(request, "publish/trends.html", {**_context(request), "form": form, "trend": trend}, status=status)


@require_GET
def compstat_page(request: HttpRequest):
    form, trend = _trend_form(request)
    status = 400 if trend is None else 200
    return render(request, "publish/compstat.html", {**_context(request), "form": form, "trend": trend}, status=status)


# -- public problems and "has it improved?" ----------------------------------------------------


@require_GET
def problem_list(request: HttpRequest):
    return render(request, "publish/problems.html", {**_context(request), "problems": problem_pages.public_problems()})


def _problem_response(request: HttpRequest, problem, form, status=200, thanks=False):
    cookie = request.COOKIES.get(feedback.COOKIE)
    response = render(
        request,
        "publish/problem.html",
        {
            **_context(request),
            "problem": problem,
            "form": form,
            "thanks": thanks,
            "answered": feedback.has_answered(problem.id, cookie),
            "results": feedback.results(problem.id),
        },
        status=status,
    )
    if not cookie:
        response.set_cookie(
            feedback.COOKIE,
            feedback.new_cookie(),
            max_age=3 * 365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def problem_detail(request: HttpRequest, pk: int):
    problem = problem_pages.public_problem(pk)
    if problem is None:
        raise Http404("No such public problem")
    if request.method == "POST":
        return _answer(request, problem)
    return _problem_response(request, problem, ImprovementForm())


@rate_limited("improved", per_minute=10, methods=["POST"])
def _answer(request: HttpRequest, problem):
    form = ImprovementForm(request.POST)
    cookie = request.COOKIES.get(feedback.COOKIE)
    if not cookie:
        form.add_error(None, "Your browser must accept cookies to answer (one answer per browser).")
    if not form.is_valid():
        return _problem_response(request, problem, form, status=400)
    if not feedback.answer(problem.id, cookie, form.cleaned_data["answer"], form.cleaned_data["comment"]):
        form.add_error(None, "This browser has already answered for this problem.")
        return _problem_response(request, problem, form, status=409)
    return _problem_response(request, problem, ImprovementForm(), thanks=True)


@require_GET
def problem_area(request: HttpRequest, pk: int):
    if problem_pages.public_problem(pk) is None:
        raise Http404("No such public problem")
    return JsonResponse(problem_pages.outline(pk))


# -- service figures ---------------------------------------------------------------------------


@require_GET
def service_page(request: HttpRequest):
    # each kind of request by the name a resident reads (the Spanish one where staff wrote it)
    names = service.public_names()
    rows = [(f, names.get(f.category, f.category)) for f in service.figures()]
    return render(request, "publish/service.html", {**_context(request), "rows": rows})
