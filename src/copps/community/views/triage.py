"""Staff triage: the queue of new requests and tips, routing, replies, state changes, links
to problems. Department staff only (``staff_required``); every read of the queue, of a tip, of a
request's reporter details or of its photo is audited before it is shown (fail closed)."""

from __future__ import annotations

import logging

from django.apps import apps
from django.contrib import messages
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from copps.accounts import audit
from copps.accounts.permissions import staff_required
from copps.community import hooks, tipping
from copps.community.areas import AreaLookup
from copps.community.forms import (
    BulkForm,
    QueueFilterForm,
    ReplyForm,
    RequestReplyForm,
    RouteForm,
    StateForm,
    TipStateForm,
)
from copps.community.models import RequestReply, Routing, ServiceRequest, Tip, TipMessage
from copps.community.states import CLOSED_STATES, TRANSITIONS, State, TransitionError, advance, public_label
from copps.incidents.models import Area

__all__ = [
    "queue", "queue_map", "bulk", "request_detail", "request_photo", "tip_detail",
    "problem_link_url", "problem_choices",
]

log = logging.getLogger(__name__)
PAGE_SIZE = 50
MAP_LIMIT = 2000  # points on the queue's map; the page says how many of how many
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


def _filtered(request: HttpRequest) -> tuple[QueueFilterForm, object]:
    """The filter form of the query string and the requests it selects (all of them, ordered)."""
    form = QueueFilterForm(request.GET)
    base = ServiceRequest.objects.select_related("service", "beat", "district", "assigned_to")
    return form, form.requests(base, request.user)


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    form, requests = _filtered(request)
    show = form.value("show", "open")
    last_word = TipMessage.objects.filter(tip=OuterRef("pk")).order_by("-id").values("from_tipster")[:1]
    tips = Tip.objects.select_related("beat", "assigned_to").annotate(
        n_messages=Count("messages"),
        n_from_tipster=Count("messages", filter=Q(messages__from_tipster=True)),
        awaiting_answer=Subquery(last_word),  # the tipster wrote last: staff owe an answer
    )
    if show == "open":
        tips = tips.exclude(state=Tip.State.CLOSED)
    elif show == "new":
        tips = tips.filter(state=Tip.State.NEW)
    elif show == "mine":  # open work routed to this officer
        tips = tips.filter(assigned_to=request.user).exclude(state=Tip.State.CLOSED)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    tip_page = Paginator(tips.order_by("created_at", "id"), PAGE_SIZE).get_page(request.GET.get("tpage"))
    # Which tips and requests were listed to whom, with the filter: audited before the page is
    # rendered (fail closed), like a tip's own page.
    audit.record(
        "triage.queue",
        request=request,
        object_type="tip",
        params={
            **request.GET.dict(),
            "tips": [t.public_id for t in tip_page],
            "requests": [r.public_id for r in page],
        },
    )
    query = request.GET.copy()
    for name in ("page", "tpage"):
        query.pop(name, None)
    return render(
        request,
        "community/staff_queue.html",
        {
            "form": form,
            "page": page,
            "requests": page.object_list,
            "tip_page": tip_page,
            "tips": tip_page.object_list,
            "show": show,
            "query": query.urlencode(),
            "full_query": request.GET.urlencode(),
            "bulk_form": BulkForm(),
        },
    )


@staff_required
def queue_map(request: HttpRequest) -> JsonResponse:
    """The filtered queue's requests as GeoJSON for the queue's map: exact points (staff only),
    the oldest (or first, in the queue's order) ``MAP_LIMIT`` of them. A reporter's point can be
    their home: which requests were mapped for whom is audited before the answer is sent."""
    form, requests = _filtered(request)
    if not form.is_valid():
        return JsonResponse({"detail": "Invalid filters", "errors": form.errors}, status=400)
    located = requests.filter(lat__isnull=False, lon__isnull=False)
    total, unplaced = located.count(), requests.filter(lat__isnull=True).count()
    rows = list(
        located.values_list("public_id", "lat", "lon", "service__name", "state", "requested_at", "block_address")[
            :MAP_LIMIT
        ]
    )
    audit.record(
        "triage.map",
        request=request,
        object_type="service_request",
        params={**request.GET.dict(), "requests": [r[0] for r in rows]},
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {
                "id": pid,
                "url": reverse("community:staff-request", args=[pid]),
                "service": service,
                "state": State(state).label,
                "requested": at.isoformat(),
                "block": block,
            },
        }
        for pid, lat, lon, service, state, at, block in rows
    ]
    summary = gettext("%(shown)s of the %(total)s requests with a location are on the map.") % {
        "shown": f"{len(rows):,}",
        "total": f"{total:,}",
    }
    if unplaced:
        summary += " " + ngettext(
            "%(n)s request has no location.", "%(n)s requests have no location.", unplaced
        ) % {"n": f"{unplaced:,}"}
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "total": total,
            "limit": MAP_LIMIT,
            "unplaced": unplaced,
            "summary": summary,
        }
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


def _assign(request: HttpRequest, record, to: str, what: str, url_name: str, officer=None) -> None:
    """Give a routed request or tip to ``officer`` when named, else to its beat's officer (the
    POP unit and other departments work from the queue), and tell them by e-mail. The mail holds
    only a link: what the resident or tipster wrote stays behind the audited staff page."""
    if officer is None:
        officer = beat_officer(record.beat_id) if to == Routing.BEAT else None
    record.assigned_to = officer
    if officer is None or officer == request.user or not officer.email:
        return
    url = request.build_absolute_uri(reverse(url_name, args=[record.public_id]))
    where = f" on beat {record.beat.code}" if record.beat_id else ""
    try:
        send_mail(f"copps: a community {what}{where} was routed to you", f"{url}\n", None, [officer.email])
    except Exception:  # routed all the same: it is in their queue under "mine"
        log.warning("%s %s routed but the officer was not e-mailed", what, record.public_id)


def _route_request(
    request: HttpRequest, sr: ServiceRequest, to: str, agency: str = "", note: str = "", officer=None
) -> str | None:
    """Apply a routing (the request's page and the queue's bulk action); returns an error to
    show, or None."""
    agency = agency.strip()
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
            _assign(request, sr, to, "request", "community:staff-request", officer)
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


def _reply_to_reporter(request: HttpRequest, sr: ServiceRequest, body: str, template=None) -> RequestReply:
    reply = RequestReply.objects.create(request=sr, body=body, author=request.user)
    audit.record(
        "service_request.reply",
        request=request,
        object_type="service_request",
        object_id=sr.public_id,
        params={"template": template.pk} if template is not None else None,
    )
    if sr.reporter_email:
        # in the reporter's language when known: the subject, and the track page's address
        with translation.override(sr.language or "en"):
            subject = gettext("Your report %(id)s: a reply from the department") % {"id": sr.public_id}
            track = reverse("community:track", args=[sr.track_key]) if sr.track_key else ""
        track = request.build_absolute_uri(track) if track else ""
        text = f"{body}\n\n{track}\n" if track else f"{body}\n"
        try:
            send_mail(subject, text, None, [sr.reporter_email])
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
    state_form, route_form, reply_form = StateForm(state=sr.state), RouteForm(), RequestReplyForm()
    error, status = "", 200
    back = redirect("community:staff-request", public_id=sr.public_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "state":
            state_form = StateForm(request.POST, state=sr.state)
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
                    messages.success(request, gettext("State changed to %(state)s.") % {"state": State(d["to"]).label})
                    return back
                except TransitionError as exc:
                    state_form.add_error("to", str(exc))
        elif action == "route":
            route_form = RouteForm(request.POST)
            if route_form.is_valid():
                d = route_form.cleaned_data
                error = _route_request(request, sr, d["to"], d["agency"], d["note"])
                if not error:
                    messages.success(request, gettext("Routed to %(to)s.") % {"to": _routed_words(sr)})
                    return back
                route_form.add_error("to", error)
        elif action == "reply":
            reply_form = RequestReplyForm(request.POST)
            if reply_form.is_valid():
                reply = _reply_to_reporter(
                    request, sr, reply_form.text_for(sr.language), reply_form.cleaned_data.get("template")
                )
                messages.success(
                    request,
                    gettext("Reply sent and e-mailed to the reporter.") if reply.emailed
                    else gettext("Reply saved on the reporter's track page."),
                )
                return back
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
            "point": {"lat": sr.lat, "lon": sr.lon, "label": sr.block_address or sr.public_id}
            if sr.lat is not None and sr.lon is not None
            else None,
        },
        status=status,
    )


def _routed_words(sr: ServiceRequest) -> str:
    """Where a request went, in words for a confirmation: the unit, and the person if there is one."""
    words = str(Routing(sr.routed_to).label) if sr.routed_to else "—"
    if sr.assigned_to is not None:
        words += f" ({sr.assigned_to.get_full_name() or sr.assigned_to.username})"
    return words


def _bulk_one(request: HttpRequest, sr: ServiceRequest, form: BulkForm) -> str | None:
    """One ticked request through the bulk action, as its own page would do it; an error, or None."""
    d = form.cleaned_data
    action = d["bulk"]
    if action == "route":
        if sr.state in CLOSED_STATES:
            return gettext("it is closed: reopen it on its page first")
        return _route_request(request, sr, d["to"], d.get("agency") or "", "", d.get("officer"))
    to = State.ACKNOWLEDGED if action == "acknowledge" else State(d["close_as"])
    if to not in TRANSITIONS[sr.state]:
        return gettext("a request that is %(state)s cannot be %(action)s") % {
            "state": public_label(sr.state).lower(),
            "action": gettext("acknowledged") if action == "acknowledge" else gettext("closed"),
        }
    try:
        with transaction.atomic():
            advance(sr, to, reason=d.get("reason") or "", user=request.user, http_request=request)
            if action == "close":
                _reply_to_reporter(request, sr, form.text_for(sr.language), d.get("template"))
    except TransitionError as exc:
        return str(exc)
    return None


@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    """One action on the requests ticked in the queue: route, acknowledge or close with a reply.
    Each request takes the same steps, with the same audit rows, as on its own page; a request
    whose state does not allow the step is left as it is and named in the message, never
    skipped in silence. Back to the queue with its filters."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = reverse("community:staff-queue")
    query = QueryDict(request.POST.get("back", ""), mutable=False).urlencode()
    if query:
        back += "?" + query
    form = BulkForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errors:
                messages.error(request, f"{label}: {e}" if label else e)
        return redirect(back)
    ids = form.cleaned_data["ids"]
    found = {
        sr.public_id: sr
        for sr in ServiceRequest.objects.select_related("service", "beat", "district", "assigned_to").filter(
            public_id__in=ids
        )
    }
    done, refused = [], []
    for public_id in ids:
        sr = found.get(public_id)
        error = gettext("no such request") if sr is None else _bulk_one(request, sr, form)
        if error:
            refused.append((public_id, error))
        else:
            done.append(public_id)
    action = form.cleaned_data["bulk"]
    audit.record(
        "triage.bulk",
        request=request,
        object_type="service_request",
        params={"action": action, "done": done, "refused": dict(refused)},
    )
    verb = {"route": gettext("routed"), "acknowledge": gettext("acknowledged"), "close": gettext("closed")}[action]
    if done:
        n = len(done)
        said = {
            "route": ngettext("%(n)d request routed.", "%(n)d requests routed.", n),
            "acknowledge": ngettext("%(n)d request acknowledged.", "%(n)d requests acknowledged.", n),
            "close": ngettext("%(n)d request closed.", "%(n)d requests closed.", n),
        }[action]
        messages.success(request, said % {"n": n})
    for public_id, error in refused:
        words = {"id": public_id, "verb": verb, "why": error}
        messages.warning(request, gettext("%(id)s not %(verb)s: %(why)s.") % words)
    return redirect(back)


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
                messages.success(request, gettext("Reply sent to the tipster."))
                return redirect("community:staff-tip", public_id=tip.public_id)
        elif action == "route":
            route_form = RouteForm(request.POST)
            if route_form.is_valid():
                error = _route_tip(request, tip, route_form)
                if not error:
                    messages.success(request, gettext("Routed to %(to)s.") % {"to": Routing(tip.routed_to).label})
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
                messages.success(request, gettext("State changed to %(state)s.") % {"state": tip.get_state_display()})
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
