"""Track a concern by its private tracking id: where it stands, the department's replies, and
the reporter's two answers (reopen within the window; "was it fixed?" after closing).

An unknown id and an id that is not a tracking id (someone else's public Open311 id, say)
get the same 404 page, byte for byte. The page never shows the reporter's own name or
contact details either: whoever holds the id sees only the request's public fields.

The key is a bearer secret in the address, so every answer here is ``no-store`` (no browser or
proxy cache keeps the page under its key), and the logs write it ``[key]``
(``copps.community.logscrub``).
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from copps.accounts.ratelimit import rate_limited
from copps.community import conf
from copps.community.conf import RATE_LIMITS
from copps.community.forms import FixedForm
from copps.community.models import ServiceRequest
from copps.community.states import CLOSED_STATES, State, TransitionError, advance, public_label
from copps.geo.generalise import public_block
from copps.geo.text import clean_text

__all__ = ["track", "track_lookup", "track_photo", "not_found"]


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "community/track_not_found.html", status=404)


# A tracking id as copps makes them (16 lower-case base32 characters); anything else -- a "/",
# a NUL byte, 300 characters -- is simply not one, and gets the same 404.
KEY_FORM = re.compile(r"[a-z0-9]{1,32}")


def _find(key: str) -> ServiceRequest | None:
    if not KEY_FORM.fullmatch(key or ""):
        return None
    return ServiceRequest.objects.filter(track_key=key).select_related("service").first()


def _closed_at(sr: ServiceRequest, changes: list) -> object:
    closes = [c.at for c in changes if c.to_state in CLOSED_STATES]
    return closes[-1] if closes else sr.updated_at


def _timeline(sr: ServiceRequest, changes: list) -> list[dict]:
    steps = [{"at": sr.requested_at, "label": _("Received"), "note": ""}]
    for c in changes:
        label = public_label(c.to_state)
        if c.to_state == State.REFERRED and sr.agency_responsible:
            label = _("Referred to %(agency)s") % {"agency": sr.agency_responsible}
        steps.append({"at": c.at, "label": label, "note": clean_text(c.notes)})
    return steps


@never_cache
@rate_limited("track", RATE_LIMITS["track"])
def track(request: HttpRequest, key: str) -> HttpResponse:
    sr = _find(key)
    if sr is None:
        return not_found(request)
    changes = list(sr.changes.all())
    closed = sr.state in CLOSED_STATES
    window = timedelta(days=conf.reopen_days())
    can_reopen = closed and timezone.now() - _closed_at(sr, changes) <= window
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reopen" and can_reopen:
            try:
                advance(sr, State.REOPENED, notes=_("Reopened by the person who reported it."))
            except TransitionError as exc:
                error = str(exc)
            else:
                return redirect(reverse("community:track", args=[key]))
        elif action == "fixed" and closed and not sr.fixed_answer:
            form = FixedForm(request.POST)
            if form.is_valid():
                sr.fixed_answer = form.cleaned_data["fixed"]
                sr.fixed_answer_at = timezone.now()
                sr.save(update_fields=["fixed_answer", "fixed_answer_at"])
                return redirect(reverse("community:track", args=[key]))
            error = _("Choose yes or no.")
        else:
            error = _("That is not possible for this request now.")
    context = {
        "sr": sr,
        "key": key,
        "public_place": public_block(sr.address or sr.block_address),
        "state_label": public_label(sr.state),
        # staff's notes on the request, as Open311 publishes them: whoever holds the tracking id
        # is not told a third party's house number or phone written into a note (the replies,
        # written to the reporter, are theirs as written)
        "status_notes": clean_text(sr.status_notes),
        "closed_reason": clean_text(sr.closed_reason),
        "timeline": _timeline(sr, changes),
        "replies": list(sr.replies.all()),
        "has_photo": hasattr(sr, "photo"),
        "closed": closed,
        "can_reopen": can_reopen,
        "reopen_days": conf.reopen_days(),
        "ask_fixed": closed and not sr.fixed_answer,
        "fixed_form": FixedForm(),
        "new": request.GET.get("new") == "1",
        "error": error,
    }
    return render(request, "community/track.html", context, status=400 if error else 200)


@never_cache
def track_lookup(request: HttpRequest) -> HttpResponse:
    """A form to type a tracking id into (the id goes in the page's address)."""
    key = re.sub(r"[\s-]+", "", request.GET.get("id") or "").lower()
    if key and not KEY_FORM.fullmatch(key):
        return not_found(request)
    if key:
        return redirect(reverse("community:track", args=[key]))
    return render(request, "community/track_lookup.html")


@never_cache
@rate_limited("track", RATE_LIMITS["track"])
def track_photo(request: HttpRequest, key: str) -> HttpResponse:
    sr = _find(key)
    photo = getattr(sr, "photo", None) if sr is not None else None
    if photo is None:
        return not_found(request)
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
