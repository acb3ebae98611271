"""Anonymous tips, the tipster's side: write a tip, then read replies and answer with the tip
id and passphrase. No session, no cookie, no CSRF cookie (see ``copps.community.tipguard``):
the forms carry a signed form token, POSTs must come from this site, and nothing about the
caller reaches this code at all. Unknown id and wrong passphrase get the same answer.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from copps.accounts.ratelimit import seconds_to_wait
from copps.community.conf import RATE_LIMITS
from copps.community.forms import TipAccessForm, TipAnswerForm, TipForm
from copps.community.models import Tip, TipMessage
from copps.community.models.tips import coarse_now, new_passphrase
from copps.community.tipguard import check_form_token, form_token, same_origin

__all__ = ["tip_new", "tip_read", "tip_answer"]

_DUMMY_HASH: list[str] = []


def _refusal(request: HttpRequest) -> tuple[str | None, int, int]:
    """Why a tip POST is refused before its fields are looked at, its status and the seconds to
    wait; (None, 200, 0) when it may go on.

    The tip routes know nothing of who calls, so one allowance is shared by all tipsters; only
    posts from this site's own, unexpired form count against it, so that junk posted straight at
    the route cannot use up the allowance of people with something to tell. Over the limit, the
    form comes back with what was typed in it."""
    text = _refusal_text(request)
    if text:
        return text, 400, 0
    wait = seconds_to_wait("tip", RATE_LIMITS["tip"], "all")
    if wait:
        return _(
            "Many tips are arriving right now. Nothing was sent: your text is below. "
            "Wait %(seconds)d seconds and send it again."
        ) % {"seconds": wait}, 429, wait
    return None, 200, 0


def _refusal_text(request: HttpRequest) -> str | None:
    """The origin or form-token refusal alone (not counted against the limit), for a form that
    is refused anyway for its fields."""
    if not same_origin(request):
        return _("This form must be sent from this site's own page. Open the page again and resend.")
    if not check_form_token(request.POST.get("form_token", "")):
        return _("This form has expired. Your text is below: send it again.")
    return None


def _refused(request: HttpRequest, template: str, context: dict, status: int, wait: int) -> HttpResponse:
    """The form again, with what was typed and why it was not taken."""
    response = _page(request, template, context, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


def _open(tip_id: str, passphrase: str) -> Tip | None:
    tip = Tip.objects.filter(public_id=tip_id.strip().lower()).first()
    if tip is None:
        # Spend the same slow hash on an unknown id, so timing does not tell which ids exist.
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(make_password("copps-no-such-tip"))
        Tip(passphrase_hash=_DUMMY_HASH[0]).check_passphrase(passphrase.strip())
        return None
    return tip if tip.check_passphrase(passphrase.strip()) else None


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, {"form_token": form_token(), **context}, status=status)


@csrf_exempt
def tip_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, "community/tip_new.html", {"form": TipForm()})
    form = TipForm(request.POST)
    if not form.is_valid():  # field errors first: a refused form is never counted
        return _page(request, "community/tip_new.html", {"form": form, "refusal": _refusal_text(request)},
                     status=400)
    refusal, status, wait = _refusal(request)
    if refusal:
        return _refused(request, "community/tip_new.html", {"form": form, "refusal": refusal}, status, wait)
    passphrase = new_passphrase()
    with transaction.atomic():
        tip = Tip(topic=form.cleaned_data["topic"], where=form.cleaned_data["where"].strip())
        tip.set_passphrase(passphrase)
        tip.save()
        TipMessage.objects.create(tip=tip, from_tipster=True, body=form.cleaned_data["message"].strip())
    # Shown once, never in a URL (no redirect): the page is the only place the passphrase appears.
    return _page(request, "community/tip_sent.html", {"tip": tip, "passphrase": passphrase})


def _conversation(request: HttpRequest, tip: Tip, passphrase: str, answer_form=None, status: int = 200):
    conversation = list(tip.messages.all())
    form = answer_form or TipAnswerForm(initial={"tip_id": tip.public_id, "passphrase": passphrase})
    return _page(
        request,
        "community/tip_conversation.html",
        {"tip": tip, "conversation": conversation, "form": form, "passphrase": passphrase},
        status=status,
    )


@csrf_exempt
def tip_read(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, "community/tip_read.html", {"form": TipAccessForm()})
    form = TipAccessForm(request.POST)
    if not form.is_valid():
        return _page(request, "community/tip_read.html", {"form": form, "refusal": _refusal_text(request)},
                     status=400)
    refusal, status, wait = _refusal(request)
    if refusal:
        return _refused(request, "community/tip_read.html", {"form": form, "refusal": refusal}, status, wait)
    tip = _open(form.cleaned_data["tip_id"], form.cleaned_data["passphrase"])
    if tip is None:
        return _page(request, "community/tip_read.html",
                     {"form": form, "failed": _("No tip matches that id and passphrase.")}, status=404)
    return _conversation(request, tip, form.cleaned_data["passphrase"])


@csrf_exempt
def tip_answer(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, "community/tip_read.html", {"form": TipAccessForm()})
    form = TipAnswerForm(request.POST)
    access = TipAccessForm(request.POST)
    if not access.is_valid():
        refusal = _refusal_text(request)
        return _page(request, "community/tip_read.html", {"form": access, "refusal": refusal,
                     "failed": None if refusal else _("No tip matches that id and passphrase.")},
                     status=400 if refusal else 404)
    refusal, status, wait = _refusal(request)
    if refusal:
        # Over the limit or expired, the passphrase is not checked (that is what the limit
        # protects); the form comes back with the answer they typed, ready to send again.
        return _refused(request, "community/tip_read.html",
                        {"form": access, "refusal": refusal, "kept_message": request.POST.get("message", "")},
                        status, wait)
    tip = _open(access.cleaned_data["tip_id"], access.cleaned_data["passphrase"])
    if tip is None:
        return _page(request, "community/tip_read.html",
                     {"form": access, "failed": _("No tip matches that id and passphrase.")}, status=404)
    if not form.is_valid():
        return _conversation(request, tip, access.cleaned_data["passphrase"], answer_form=form, status=400)
    with transaction.atomic():
        TipMessage.objects.create(tip=tip, from_tipster=True, body=form.cleaned_data["message"].strip())
        Tip.objects.filter(pk=tip.pk).update(updated_at=coarse_now())
    return _conversation(request, tip, access.cleaned_data["passphrase"])
