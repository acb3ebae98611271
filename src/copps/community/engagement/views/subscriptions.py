"""Subscribing to an area's news by e-mail: ask, confirm from the mail, unsubscribe from any mail."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from copps.accounts.ratelimit import rate_limited
from copps.community.engagement import mailing
from copps.community.engagement.forms import SubscribeForm
from copps.community.engagement.models import Subscription


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
        return render(request, "engagement/subscribe_sent.html", {"email": data["email"]})
    status = 400 if request.method == "POST" else 200
    return render(request, "engagement/subscribe.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str):
    """GET shows a button; POST confirms. Mail scanners that follow links do not confirm."""
    pk = mailing.read_confirm_token(token)
    sub = Subscription.objects.filter(pk=pk).select_related("area").first() if pk else None
    if sub is None or sub.unsubscribed_at is not None:
        return render(request, "engagement/subscription_link.html", {"invalid": True}, status=400)
    if request.method == "POST" and sub.confirmed_at is None:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at"])
    done = sub.confirmed_at is not None
    return render(request, "engagement/subscription_link.html", {"sub": sub, "action": "confirm", "done": done})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str):
    pk = mailing.read_unsubscribe_token(token)
    sub = Subscription.objects.filter(pk=pk).select_related("area").first() if pk else None
    if sub is None:
        return render(request, "engagement/subscription_link.html", {"invalid": True}, status=400)
    if request.method == "POST" and sub.unsubscribed_at is None:
        sub.unsubscribed_at = timezone.now()
        sub.save(update_fields=["unsubscribed_at"])
    done = sub.unsubscribed_at is not None
    return render(request, "engagement/subscription_link.html", {"sub": sub, "action": "unsubscribe", "done": done})
