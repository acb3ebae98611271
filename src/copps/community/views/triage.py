"""Staff triage: the queue of new requests and tips, routing, replies, state changes, links
to problems. Department staff only (``staff_required``); every read of the queue, of a tip, of a
request's reporter details or of its photo is audited before it is shown (fail closed)."""

from __future__ import annotations

import logging

from django.apps import apps
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from copps.accounts import audit
from copps.accounts.permissions import staff_required
from copps.community import hooks, tipping
from copps.community.areas import AreaLookup
from copps.community.forms import ReplyForm, RouteForm, StateForm, TipStateForm
from copps.community.models import RequestReply, Routing, ServiceRequest, Tip, TipMessage
from copps.community.states import CLOSED_STATES, TRANSITIONS, State, TransitionError, advance
from copps.incidents.models import Area

__all__ = ["queue", "request_detail", "request_photo", "tip_detail", "problem_link_url", "problem_choices"]

log = logging.getLogger(__name__)
QUEUE_LIMIT = 200
PROBLEM_CHOICES = 25


def problem_link_url(name: str, problem_pk: int) -> str | None:
    """The problems app's link target for one problem, or None while that URL does not exist."""
    try:
        return reverse(name, args=[problem_pk])
    except NoReverseMatch:
        return None


def problem_choices(name: str) -> list[tuple[str, str]]:
    """(link URL, label) for the open problems a request or tip could be linked to, newest first;
    empty when the problems app offers no such link. Problems come after community in the loop,
    so community never imports them: ``problems/`` offers its open problems through
    :mod:`copps.community.hooks` (docs/architecture.md)."""
    if problem_link_url(name, 1) is None:
        return []
    return [(problem_link_url(name, pk) or "", f"#{pk} {title}") for pk, title in hooks.open_problems(PROBLEM_CHOICES)]


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    requests = ServiceRequest.objects.select_related("service", "beat", "district", "assigned_to")
    last_word = TipMessage.objects.filter(tip=OuterRef("pk")).order_by("-id").values("from_tipster")[:1]
    tips = Tip.objects.select_related("beat", "assigned_to").annotate(
        n_messages=Count("messages"),
        n_from_tipster=Count("messages", filter=Q(messages__from_tipster=True)),
        awaiting_answer=Subquery(last_word),  # the tipster wrote last: staff owe an answer
    )
    if show == "open":
        requests = requests.exclude(state__in=CLOSED_STATES)
        tips = tips.exclude(state=Tip.State.CLOSED)
    elif show == "new":
        requests = requests.filter(state__in=[State.RECEIVED, State.REOPENED])
        tips = tips.filter(state=Tip.State.NEW)
    elif show == "mine":  # open work routed to this officer
        requests = requests.filter(assigned_to=request.user).exclude(state__in=CLOSED_STATES)
        tips = tips.filter(assigned_to=request.user).exclude(state=Tip.State.CLOSED)
    requests = list(requests.order_by("requested_at", "id")[:QUEUE_LIMIT])
    tips = list(tips.order_by("created_at", "id")[:QUEUE_LIMIT])
    # Which tips and requests were listed to whom, with the filter: audited before the page is
    # rendered (fail closed), like a tip's own page.
    audit.record(
        "triage.queue",
        request=request,
        object_type="tip",
        params={
            **request.GET.dict(),
            "tips": [t.public_id for t in tips],
            "requests": [r.public_id for r in requests],
        },
    )
    return render(
        request,
        "community/staff_queue.html",
        {
            "requests": requests,
            "tips": tips,
            "show": show,
            "limit": QUEUE_LIMIT,
        },
    )


def beat_officer(beat_id: int | None):
    """The active officer first in line on a beat (``BeatAssignment.order``), or None."""
    if beat_id is None:
        return None
    assignment = (
        apps.get_model("engagement", "BeatAssignment")
        .objects.filter(beat_id=beat_id, active=True, officer__is_active=True)
        .select_related("officer")
        .order_by("order", "id")
        .first()
    )
    return assignment.officer if assignment else None


def _assign(request: HttpRequest, record, to: str, what: str, url_name: str) -> None:
    """Give a routed request or tip to its beat's officer (the POP unit and other departments
    work from the queue) and tell them by e-mail. The mail holds only a link: what the resident
    or tipster wrote stays behind the audited staff page."""
    officer = beat_officer(record.beat_id) if to == Routing.BEAT else None
    record.assigned_to = officer
    if officer is None or officer == request.user or not officer.email:
        return
    url = request.build_absolute_uri(reverse(url_name, args=[record.public_id]))
    try:
        send_mail(
            f"copps: a community {what} on beat {record.beat.code} was routed to you", f"{url}\n", None, [officer.email]
        )
    except Exception:  # routed all the same: it is in their queue under "mine"
        log.warning("%s %s routed but the officer was not e-mailed", what, record.public_id)


def _route_request(request: HttpRequest, sr: ServiceRequest, form: RouteForm) -> str | None:
    """Apply a routing; returns an error to show, or None."""
    to, agency, note = form.cleaned_data["to"], form.cleaned_data["agency"].strip(), form.cleaned_data["note"]
    try:
        with transaction.atomic():
            if to == Routing.DEPARTMENT:
                advance(sr, State.REFERRED, notes=note, agency=agency, user=request.user, http_request=request)
            else:
                if to == Routing.BEAT and sr.beat_id is None:
                    found = AreaLookup().one(sr.lon, sr.lat) if sr.lat is not None else {"beat_id": None}
                    if found["beat_id"] is None:
                        return "No beat holds this request's location: route it to the POP unit or a department."
                    sr.beat_id, sr.district_id = found["beat_id"], found["district_id"]
                if sr.state in (State.RECEIVED, State.REOPENED):
                    advance(sr, State.ACKNOWLEDGED, notes=note, user=request.user, http_request=request)
            sr.routed_to = to
            _assign(request, sr, to, "request", "community:staff-request")
            sr.save(update_fields=["routed_to", "beat", "district", "assigned_to"])
            audit.record(
                "service_request.route",
                request=request,
                object_type="service_request",
                object_id=sr.public_id,
                params={
                    "to": to,
                    "agency": agency,
                    "beat": sr.beat.code if sr.beat else None,
                    "assigned_to": sr.assigned_to_id,
                },
            )
    except TransitionError as exc:
        return str(exc)
    return None


def _reply_to_reporter(request: HttpRequest, sr: ServiceRequest, body: str) -> RequestReply:
    reply = RequestReply.objects.create(request=sr, body=body, author=request.user)
    audit.record("service_request.reply", request=request, object_type="service_request", object_id=sr.public_id)
    if sr.reporter_email:
        track = request.build_absolute_uri(reverse("community:track", args=[sr.track_key])) if sr.track_key else ""
        text = f"{body}\n\n{track}\n" if track else f"{body}\n"
        try:
            send_mail(f"Your report {sr.public_id}: a reply from the department", text, None, [sr.reporter_email])
        except Exception:  # the reply is on the track page whatever the mail server says
            log.warning("reply to request %s saved but not e-mailed", sr.public_id)
        else:
            reply.emailed = True
            reply.save(update_fields=["emailed"])
    return reply


@staff_required
def request_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    sr = get_object_or_404(
        ServiceRequest.objects.select_related("service", "beat", "district", "assigned_to"), public_id=public_id
    )
    state_form, route_form, reply_form = StateForm(), RouteForm(), ReplyForm()
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "state":
            state_form = StateForm(request.POST)
            if state_form.is_valid():
                d = state_form.cleaned_data
                try:
                    advance(
                        sr,
                        d["to"],
                        notes=d["notes"],
                        agency=d["agency"],
                        reason=d["reason"],
                        user=request.user,
                        http_request=request,
                    )
                    return redirect("community:staff-request", public_id=sr.public_id)
                except TransitionError as exc:
                    state_form.add_error("to", str(exc))
        elif action == "route":
            route_form = RouteForm(request.POST)
            if route_form.is_valid():
                error = _route_request(request, sr, route_form)
                if not error:
                    return redirect("community:staff-request", public_id=sr.public_id)
                route_form.add_error("to", error)
        elif action == "reply":
            reply_form = ReplyForm(request.POST)
            if reply_form.is_valid():
                _reply_to_reporter(request, sr, reply_form.cleaned_data["body"].strip())
                return redirect("community:staff-request", public_id=sr.public_id)
        else:
            error = "Unknown action."
        status = 400
    # The reporter's name and contact details are on this page: the read is audited first.
    audit.record("service_request.read", request=request, object_type="service_request", object_id=sr.public_id)
    return render(
        request,
        "community/staff_request.html",
        {
            "sr": sr,
            "state_label": State(sr.state).label,
            "allowed": [s.label for s in State if s in TRANSITIONS[sr.state]],
            "changes": list(sr.changes.select_related("user")),
            "replies": list(sr.replies.select_related("author")),
            "has_photo": hasattr(sr, "photo"),
            "state_form": state_form,
            "route_form": route_form,
            "reply_form": reply_form,
            "error": error,
            "link_choices": problem_choices("problems:link-request"),
        },
        status=status,
    )


@staff_required
def request_photo(request: HttpRequest, public_id: str) -> HttpResponse:
    sr = get_object_or_404(ServiceRequest, public_id=public_id)
    photo = getattr(sr, "photo", None)
    if photo is None:
        return HttpResponse(status=404)
    # A resident's photo may show faces and number plates: audited before it is sent (fail closed).
    audit.record("service_request.photo", request=request, object_type="service_request", object_id=sr.public_id)
    return HttpResponse(bytes(photo.data), content_type=photo.content_type)


def _route_tip(request: HttpRequest, tip: Tip, form: RouteForm) -> str | None:
    to, agency = form.cleaned_data["to"], form.cleaned_data["agency"].strip()
    beat = None
    if to == Routing.BEAT:
        code = (request.POST.get("beat") or "").strip()
        beat = Area.objects.filter(type=Area.Type.BEAT, code=code).first()
        if beat is None:
            return "Choose the beat the tip is about."
    tip.routed_to, tip.beat, tip.referred_agency = to, beat, agency if to == Routing.DEPARTMENT else ""
    if tip.state == Tip.State.NEW:
        tip.state = Tip.State.OPEN
    tip.updated_at = timezone.now()
    _assign(request, tip, to, "tip", "community:staff-tip")
    tip.save()
    audit.record(
        "tip.route",
        request=request,
        object_type="tip",
        object_id=tip.public_id,
        params={"to": to, "agency": agency, "beat": beat.code if beat else None, "assigned_to": tip.assigned_to_id},
    )
    return None


@staff_required
def tip_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    tip = get_object_or_404(Tip.objects.select_related("beat"), public_id=public_id)
    route_form, reply_form, state_form = RouteForm(), ReplyForm(), TipStateForm(initial={"state": tip.state})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reply":
            reply_form = ReplyForm(request.POST)
            if reply_form.is_valid():
                tipping.staff_reply(tip, reply_form.cleaned_data["body"].strip(), by=request.user, request=request)
                return redirect("community:staff-tip", public_id=tip.public_id)
        elif action == "route":
            route_form = RouteForm(request.POST)
            if route_form.is_valid():
                error = _route_tip(request, tip, route_form)
                if not error:
                    return redirect("community:staff-tip", public_id=tip.public_id)
                route_form.add_error("to", error)
        elif action == "state":
            state_form = TipStateForm(request.POST)
            if state_form.is_valid():
                tip.state = state_form.cleaned_data["state"]
                tip.save(update_fields=["state"])
                audit.record(
                    "tip.state", request=request, object_type="tip", object_id=tip.public_id, params={"to": tip.state}
                )
                return redirect("community:staff-tip", public_id=tip.public_id)
        status = 400
    # Tip text is sensitive: the read is audited before anything is rendered (fail closed).
    audit.record("tip.read", request=request, object_type="tip", object_id=tip.public_id)
    return render(
        request,
        "community/staff_tip.html",
        {
            "tip": tip,
            "messages_list": list(tip.messages.select_related("author")),
            "route_form": route_form,
            "reply_form": reply_form,
            "state_form": state_form,
            "beats": Area.objects.filter(type=Area.Type.BEAT).order_by("code").values_list("code", "name"),
            "link_choices": problem_choices("problems:link-tip"),
        },
        status=status,
    )
