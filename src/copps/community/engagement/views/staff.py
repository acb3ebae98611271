"""Staff engagement pages: surveys (set-up, results, free-text review), watch groups and requests to join
them, meetings."""

from __future__ import annotations

from functools import wraps

from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from copps.accounts import audit
from copps.accounts.models import Role
from copps.accounts.permissions import deny_path, staff_required
from copps.community.engagement import joining
from copps.community.engagement.conf import survey_min_n
from copps.community.engagement.forms import MeetingForm, QuestionForm, SurveyForm
from copps.community.engagement.models import Answer, Meeting, Survey, WatchGroup, WatchJoinRequest
from copps.community.engagement.results import survey_results

# Who may set surveys up and publish residents' words: not every officer on patrol.
SURVEY_ROLES = {Role.ANALYST, Role.SUPERVISOR, Role.ADMIN}


def survey_staff_required(view):
    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.role not in SURVEY_ROLES:
            return deny_path(request, who="crime analysts, supervisors and administrators")
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@staff_required
def survey_list(request: HttpRequest):
    surveys = Survey.objects.annotate(n=Count("responses", distinct=True)).order_by("-opens_on")
    can_edit = request.user.role in SURVEY_ROLES
    return render(request, "engagement/staff/survey_list.html", {"surveys": surveys, "can_edit": can_edit})


@require_http_methods(["GET", "POST"])
@survey_staff_required
def survey_new(request: HttpRequest):
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = form.save(commit=False)
        survey.created_by = request.user
        survey.save()
        form.save_m2m()
        return redirect("engagement:staff_survey", pk=survey.pk)
    return render(request, "engagement/staff/survey_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@survey_staff_required
def survey_detail(request: HttpRequest, pk: int):
    """The survey's questions, with a form to add one (while no one has answered)."""
    survey = get_object_or_404(Survey, pk=pk)
    answered = survey.responses.exists()
    form = QuestionForm(request.POST or None, initial={"order": survey.questions.count() + 1})
    if request.method == "POST" and not answered and form.is_valid():
        question = form.save(commit=False)
        question.survey = survey
        question.save()
        return redirect("engagement:staff_survey", pk=survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "engagement/staff/survey_detail.html",
        {"survey": survey, "form": form, "answered": answered, "questions": survey.questions.all()},
        status=status,
    )


@require_GET
@staff_required
def survey_results_staff(request: HttpRequest, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    results = survey_results(survey, public=False)
    return render(
        request, "engagement/staff/survey_results.html", {"survey": survey, "results": results, "min_n": survey_min_n()}
    )


@require_http_methods(["GET", "POST"])
@survey_staff_required
def text_review(request: HttpRequest, pk: int):
    """Free-text answers waiting for review: approve (published) or reject (kept, never shown)."""
    survey = get_object_or_404(Survey, pk=pk)
    if request.method == "POST":
        decision = request.POST.get("decision")
        ids = [int(i) for i in request.POST.getlist("answer") if i.isdigit()]
        if decision in (Answer.Review.APPROVED, Answer.Review.REJECTED) and ids:
            changed = Answer.objects.filter(pk__in=ids, response__survey=survey, question__kind="text").update(
                review=decision, reviewed_by=request.user, reviewed_at=timezone.now()
            )
            audit.record(
                f"engagement.text.{decision}",
                request=request,
                object_type="survey",
                object_id=survey.pk,
                params={"answers": ids[:100], "changed": changed},
            )
        return redirect("engagement:staff_review", pk=survey.pk)
    pending = (
        Answer.objects.filter(response__survey=survey, question__kind="text")
        .filter(~Q(text=""))
        .select_related("question", "response__area")
        .order_by("review", "id")
    )
    return render(request, "engagement/staff/text_review.html", {"survey": survey, "answers": pending})


@require_GET
@staff_required
def group_list(request: HttpRequest):
    groups = WatchGroup.objects.select_related("area").annotate(
        n_members=Count("members"), n_captains=Count("members", filter=Q(members__captain=True))
    )
    return render(request, "engagement/staff/group_list.html", {"groups": groups})


@require_GET
@staff_required
def group_detail(request: HttpRequest, pk: int):
    """Members, and confirmed requests to join, with their contact details: private, so each
    read is audited (with the requests it shows) before it is shown. Requests not yet
    confirmed from their mail are never listed."""
    group = get_object_or_404(WatchGroup.objects.select_related("area"), pk=pk)
    requests = list(group.join_requests.filter(status=WatchJoinRequest.Status.CONFIRMED).order_by("confirmed_at", "pk"))
    audit.record(
        "engagement.watchgroup.read",
        request=request,
        object_type="watchgroup",
        object_id=group.pk,
        params={"join_requests": [r.pk for r in requests]} if requests else None,
    )
    return render(
        request,
        "engagement/staff/group_detail.html",
        {
            "group": group,
            "members": group.members.all(),
            "requests": requests,
            "meetings": group.meetings.order_by("-starts_at")[:10],
        },
    )


@require_POST
@staff_required
def join_decide(request: HttpRequest, pk: int, join_pk: int):
    """Accept a confirmed request (it becomes a member, a block captain if ticked) or decline
    it. The decision and its audit row are written together; a request decided already (a
    second click, a colleague first) is left as it is."""
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        return HttpResponseBadRequest("decision must be accept or decline")
    group = get_object_or_404(WatchGroup, pk=pk)
    with transaction.atomic():
        join = get_object_or_404(WatchJoinRequest.objects.select_for_update(), pk=join_pk, group=group)
        if join.status == WatchJoinRequest.Status.CONFIRMED:
            params: dict = {"join_request": join.pk}
            if decision == "accept":
                captain = request.POST.get("captain") == "on"
                member = joining.accept(join, by=request.user, captain=captain)
                params |= {"member": member.pk, "captain": captain}
            else:
                joining.decline(join, by=request.user)
            audit.record(
                f"engagement.watchjoin.{decision}",
                request=request,
                object_type="watchgroup",
                object_id=group.pk,
                params=params,
            )
    return redirect("engagement:staff_group", pk=group.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def meeting_new(request: HttpRequest):
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        meeting.created_by = request.user
        meeting.save()
        return redirect("engagement:staff_meetings")
    return render(request, "engagement/staff/meeting_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@staff_required
def meeting_list(request: HttpRequest):
    meetings = Meeting.objects.select_related("area", "group").order_by("-starts_at")[:200]
    return render(request, "engagement/staff/meeting_list.html", {"meetings": meetings})


@require_POST
@survey_staff_required
def survey_toggle(request: HttpRequest, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    survey.published = not survey.published
    survey.save(update_fields=["published"])
    return redirect("engagement:staff_survey", pk=survey.pk)
