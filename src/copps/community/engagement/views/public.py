"""Public engagement pages (no sign-in): surveys, meetings and their calendar, beat officers."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from copps.accounts.ratelimit import rate_limited
from copps.community.engagement import gazetteer, ical
from copps.community.engagement.browser import browser_key, browser_token, remember
from copps.community.engagement.conf import survey_min_n
from copps.community.engagement.forms import AddressForm, SurveyAnswerForm
from copps.community.engagement.models import BeatAssignment, Meeting, Survey, SurveyResponse
from copps.community.engagement.results import public_as_of, survey_results
from copps.incidents.models import Area


@require_GET
def home(request: HttpRequest):
    today = timezone.localdate()
    surveys = Survey.objects.filter(published=True, opens_on__lte=today).order_by("-opens_on")[:20]
    meetings = _upcoming().select_related("area")[:5]
    return render(request, "engagement/home.html", {"surveys": surveys, "meetings": meetings, "today": today})


def _public_survey(pk: int) -> Survey:
    survey = get_object_or_404(Survey, pk=pk, published=True)
    if survey.opens_on > timezone.localdate():
        raise Http404("not open yet")
    return survey


@require_http_methods(["GET", "POST"])
@rate_limited("survey", per_minute=10, methods=["POST"])
def survey_answer(request: HttpRequest, pk: int):
    survey = _public_survey(pk)
    token, new = browser_token(request)
    key = browser_key(token)
    already = not new and SurveyResponse.objects.filter(survey=survey, browser=key).exists()
    context = {"survey": survey, "already": already, "open": survey.is_open()}
    if already or not context["open"]:
        return render(request, "engagement/survey_answer.html", context)
    form = SurveyAnswerForm(survey, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # With invitation codes, the code is what answers once (``invitations.py``).
                response = SurveyResponse.objects.create(
                    survey=survey, area=form.cleaned_data["area"], browser=form.code_key or key
                )
                answers = form.answers()
                for a in answers:
                    a.response = response
                response.answers.model.objects.bulk_create(answers)
        except IntegrityError:  # a double submit from the same browser: the first one counts
            pass
        page = render(request, "engagement/survey_thanks.html", context)
        remember(page, token)
        return page
    context["form"] = form
    return render(request, "engagement/survey_answer.html", context, status=400 if request.method == "POST" else 200)


@require_GET
def survey_results_public(request: HttpRequest, pk: int):
    survey = _public_survey(pk)
    as_of = public_as_of()
    results = survey_results(survey, public=True, as_of=as_of)
    return render(
        request,
        "engagement/survey_results.html",
        {"survey": survey, "results": results, "min_n": survey_min_n(), "as_of": as_of},
    )


def _upcoming():
    return Meeting.objects.public().filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")


def _area_filter(request: HttpRequest):
    raw = request.GET.get("area", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("no such area")
    return get_object_or_404(Area, pk=int(raw))


@require_GET
def meetings(request: HttpRequest):
    area = _area_filter(request)
    qs = _upcoming().select_related("area")
    if area is not None:
        qs = qs.filter(area__in=[area.pk, *area.children.values_list("pk", flat=True)])
    ics = reverse("engagement:meetings_ics") + (f"?area={area.pk}" if area else "")
    areas = Area.objects.filter(meetings__public=True).distinct().order_by("name")
    return render(request, "engagement/meetings.html", {"meetings": qs, "area": area, "areas": areas, "ics": ics})


@require_GET
def meetings_ics(request: HttpRequest):
    area = _area_filter(request)
    qs = Meeting.objects.public().select_related("area").order_by("starts_at", "pk")
    if area is not None:
        qs = qs.filter(area__in=[area.pk, *area.children.values_list("pk", flat=True)])
    name = _("Community meetings") + (f" — {area.name}" if area else "")
    host = request.get_host().split(":")[0] or "copps"
    body = ical.calendar(
        qs, name=name, uid_domain=host, url_for=lambda m: request.build_absolute_uri(reverse("engagement:meetings"))
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response


@require_http_methods(["GET", "POST"])
@rate_limited("beat", per_minute=20, methods=["POST"])
def beat_officer(request: HttpRequest):
    """Who is my beat officer: address -> gazetteer block -> beat polygon -> assignments.

    The address is POSTed, not put in the URL, so it stays out of access logs and history."""
    form = AddressForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        found = gazetteer.geocode(form.cleaned_data["address"])
        if found is None:
            context["not_found"] = True
        else:
            beat = gazetteer.beat_at(found.lon, found.lat)
            if beat is None:
                context["outside"] = True
            else:
                context["beat"] = beat
                context["found_block"] = found.block
                context["form"] = AddressForm()  # the page shows the block, not the house number typed
                # only the public fields: the template never sees the officer's account
                context["officers"] = list(
                    BeatAssignment.objects.filter(beat=beat, active=True).values("display_name", "role", "work_contact")
                )
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "engagement/beat_officer.html", context, status=status)
