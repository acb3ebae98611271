"""Subscribing by e-mail -- to an area's news, to alerts near a place, or to one request's
progress ("Follow this report") -- then confirming from the mail and unsubscribing from any mail.

Each form answers the same whatever the address's state, so it reveals no one's subscriptions."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from copps.accounts.ratelimit import rate_limited
from copps.community.engagement import mailing, places
from copps.community.engagement.forms import FollowForm, NearForm, SubscribeForm
from copps.community.engagement.models import Subscription
from copps.community.models import ServiceRequest
from copps.community.states import CLOSED_STATES, public_label
from copps.geo.generalise import public_block


@require_http_methods(["GET", "POST"])
@rate_limited("subscribe", per_minute=5, methods=["POST"])
def subscribe(request: HttpRequest):
    initial = {"problems": True, "meetings": True}
    if request.GET.get("area", "").isdigit():  # from the beat-officer page: that beat preselected
        initial["area"] = int(request.GET["area"])
    form = SubscribeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            sub, _ = Subscription.objects.get_or_create(email=data["email"].lower(), area=data["area"])
            if not sub.active:
                # a new or lapsed subscription: (re)start the double opt-in with these choices
                sub.problems, sub.meetings = data["problems"], data["meetings"]
                sub.language = (get_language() or "en")[:2]
                sub.unsubscribed_at = None
                sub.confirmed_at = None
                sub.save()
                mailing.send_confirmation(sub)
        # The same page whatever the address's state, so the form reveals no one's subscriptions.
        return render(request, "engagement/subscribe_sent.html", {"email": data["email"], "kind": "area"})
    status = 400 if request.method == "POST" else 200
    return render(request, "engagement/subscribe.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str):
    """GET shows a button; POST confirms. Mail scanners that follow links do not confirm."""
    pk = mailing.read_confirm_token(token)
    sub = Subscription.objects.filter(pk=pk).select_related("area", "request").first() if pk else None
    if sub is None or sub.unsubscribed_at is not None:
        return render(request, "engagement/subscription_link.html", {"invalid": True}, status=400)
    if request.method == "POST" and sub.confirmed_at is None:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at"])
    done = sub.confirmed_at is not None
    return render(request, "engagement/subscription_link.html", {"sub": sub, "action": "confirm", "done": done})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str):
    """GET shows a button; POST unsubscribes (a mail scanner following the link ends nothing)."""
    return _unsubscribe_page(request, token, end=request.method == "POST")


def _unsubscribe_page(request: HttpRequest, token: str, *, end: bool, post_to: str = ""):
    pk = mailing.read_unsubscribe_token(token)
    sub = Subscription.objects.filter(pk=pk).select_related("area", "request").first() if pk else None
    if sub is None:
        return render(request, "engagement/subscription_link.html", {"invalid": True}, status=400)
    if end and sub.unsubscribed_at is None:
        sub.unsubscribed_at = timezone.now()
        sub.save(update_fields=["unsubscribed_at"])
    done = sub.unsubscribed_at is not None
    context = {"sub": sub, "action": "unsubscribe", "done": done, "post_to": post_to}
    return render(request, "engagement/subscription_link.html", context)


ONE_CLICK = ("List-Unsubscribe", "One-Click")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_one_click(request: HttpRequest, token: str):
    """The address of the mail's ``List-Unsubscribe`` header (RFC 8058 one-click unsubscribe).

    A mail client that offers "Unsubscribe" POSTs ``List-Unsubscribe=One-Click`` here, with no
    cookie and no CSRF token: the signed token in the address is the whole authority, as it is
    for the link in the mail, so the CSRF check (which guards what a session may do) has nothing
    to add and would refuse every such client. Any other POST is refused; a GET (a client that
    only opens the address) gets the page with the button, which posts to the mail's link."""
    if request.method == "GET":
        return _unsubscribe_page(request, token, end=False, post_to=reverse("engagement:unsubscribe", args=[token]))
    if request.POST.get(ONE_CLICK[0]) != ONE_CLICK[1]:
        return HttpResponse("Expected List-Unsubscribe=One-Click.", status=400, content_type="text/plain")
    pk = mailing.read_unsubscribe_token(token)
    sub = Subscription.objects.filter(pk=pk).first() if pk else None
    if sub is None:
        return HttpResponse("This unsubscribe address is not valid.", status=400, content_type="text/plain")
    if sub.unsubscribed_at is None:
        sub.unsubscribed_at = timezone.now()
        sub.save(update_fields=["unsubscribed_at"])
    return HttpResponse("Unsubscribed.", content_type="text/plain")


def _restart(sub: Subscription, **choices) -> None:
    """A new or lapsed subscription: (re)start the double opt-in with these choices."""
    for name, value in choices.items():
        setattr(sub, name, value)
    sub.language = (get_language() or "en")[:2]
    sub.unsubscribed_at = None
    sub.confirmed_at = None
    sub.last_sent_at = None
    sub.save()
    mailing.send_confirmation(sub)


@require_http_methods(["GET", "POST"])
@rate_limited("subscribe", per_minute=5, methods=["POST"])
def subscribe_near(request: HttpRequest):
    """Alerts near a place: an address or a map point, a radius, what and how often."""
    initial = {"radius_m": 800, "incidents": True, "requests": True, "problems": True, "meetings": True,
               "frequency": Subscription.Frequency.WEEKLY}
    form = NearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        block = ""
        if data["lat"] is not None:
            lon, lat = data["lon"], data["lat"]
        else:
            found = places.locate(data["address"])
            if found is None:
                form.add_error("address", _not_found_text())
                return render(request, "engagement/subscribe_near.html", _near_context(form), status=400)
            lon, lat, block = found
        if not places.covered(lon, lat):
            form.add_error(None, _outside_text())
            return render(request, "engagement/subscribe_near.html", _near_context(form), status=400)
        place = places.public_place(lon, lat)
        with transaction.atomic():
            sub, _created = Subscription.objects.get_or_create(
                email=data["email"].lower(), lon=place.lon, lat=place.lat, radius_m=data["radius_m"],
                defaults={"place": block or place.block},
            )
            if not sub.active:
                _restart(
                    sub,
                    place=block or place.block,
                    incidents=data["incidents"],
                    requests=data["requests"],
                    problems=data["problems"],
                    meetings=data["meetings"],
                    frequency=data["frequency"],
                )
        return render(request, "engagement/subscribe_sent.html", {"email": data["email"]})
    status = 400 if request.method == "POST" else 200
    return render(request, "engagement/subscribe_near.html", _near_context(form), status=status)


def _not_found_text() -> str:
    from django.utils.translation import gettext

    return gettext("We could not find this address. Check it, type its block (e.g. 7500 Maple Ct), "
                   "or choose the point on the map.")


def _outside_text() -> str:
    from django.utils.translation import gettext

    return gettext("This place is outside the areas the department covers. Choose a place in the city.")


def _near_context(form) -> dict:
    return {"form": form, "areas_url": reverse("publish:map") + "api/areas?type=district"}


def _open_public(public_id: str) -> ServiceRequest | None:
    return (
        ServiceRequest.objects.public().filter(public_id=public_id)
        .exclude(state__in=CLOSED_STATES)
        .select_related("service")
        .first()
    )


@require_http_methods(["GET", "POST"])
@rate_limited("subscribe", per_minute=5, methods=["POST"])
def follow(request: HttpRequest, public_id: str):
    """"Follow this report": an open public request as anyone may see it, and a form to get a mail
    when its status changes. Closed, withheld and unknown requests get the same 404."""
    sr = _open_public(public_id)
    if sr is None:
        return render(request, "engagement/follow.html", {"sr": None}, status=404)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        with transaction.atomic():
            sub, _created = Subscription.objects.get_or_create(
                email=email, request=sr, defaults={"problems": False, "meetings": False}
            )
            if not sub.active:
                _restart(sub, problems=False, meetings=False, frequency=Subscription.Frequency.EACH)
        return render(request, "engagement/subscribe_sent.html", {"email": form.cleaned_data["email"]})
    context = {
        "sr": sr,
        "form": form,
        "place_block": public_block(sr.address or sr.block_address),
        "state_label": public_label(sr.state),
    }
    return render(request, "engagement/follow.html", context, status=400 if request.method == "POST" else 200)
