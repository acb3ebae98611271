"""Anonymous tips, the tipster's side: write a tip, then read replies and answer with the tip
id and passphrase. No session, no cookie, no CSRF cookie (see ``copps.community.tipguard``):
the forms carry a signed form token, POSTs must come from this site, and nothing about the
caller reaches this code at all. Unknown id and wrong passphrase get the same answer.

Sending, reading and guessing have an allowance each (``_over_limit``): a read is charged only
after its id and passphrase were checked, to the tipsters' allowance when they matched and to the
guessers' when they did not, so junk reads cannot keep tipsters out.

Sending a form again is safe: each form's token carries a nonce, a tip or answer keeps a hash of
it, and the same form sent twice (a retry after a dropped connection) gets what the first send
made, with the same passphrase, instead of a second copy. A form whose nonce was already used for
different words is handed back with them, on a fresh token, to be sent as new.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from copps.accounts.ratelimit import seconds_to_wait
from copps.community import tipping
from copps.community.conf import RATE_LIMITS
from copps.community.forms import TipAccessForm, TipAnswerForm, TipForm
from copps.community.models import Tip, TipMessage
from copps.community.models.tips import passphrase_for, submission_digest
from copps.community.tipguard import form_nonce, form_token, same_origin

__all__ = ["tip_new", "tip_read", "tip_answer"]

_DUMMY_HASH: list[str] = []


def _over_limit(scope: str = "tip") -> tuple[str | None, int, int]:
    """The refusal (text, 429, seconds) once ``scope``'s allowance for this minute is spent, else
    (None, 200, 0).

    The tip routes know nothing of who calls, so each allowance is shared by everyone and counts
    only what an attacker without a tip of their own cannot send (``docs/security.md``, C05):

    - ``tip``: new tips, sent from this site's own unexpired form;
    - ``tip_read``: reads and answers whose id and passphrase were checked and matched;
    - ``tip_guess``: reads and answers whose id and passphrase did not match. Junk reads spend
      this one alone, so a flood of them cannot make a genuine tipster wait."""
    wait = seconds_to_wait(scope, RATE_LIMITS[scope], "all")
    if not wait:
        return None, 200, 0
    texts = {
        "tip": _(
            "Many tips are arriving right now. Nothing was sent: your text is below. "
            "Wait %(seconds)d seconds and send it again."
        ),
        "tip_read": _(
            "Many tipsters are reading their replies right now. Nothing was sent: your text is below. "
            "Wait %(seconds)d seconds and try again."
        ),
        "tip_guess": _(
            "Too many tries with a wrong tip id or passphrase right now. "
            "Wait %(seconds)d seconds, check both and try again."
        ),
    }
    return texts[scope] % {"seconds": wait}, 429, wait


def _sent_before() -> str:
    return _(
        "This page was already sent, with other words. Nothing new was sent: your text is below. "
        "Send it again to make it a new message."
    )


def _refusal_text(request: HttpRequest) -> str | None:
    """The origin or form-token refusal alone (not counted against the limit), for a form that
    is refused anyway for its fields."""
    if not same_origin(request):
        return _("This form must be sent from this site's own page. Open the page again and resend.")
    if form_nonce(request.POST.get("form_token", "")) is None:
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
        return _page(request, "community/tip_new.html", {"form": form, "refusal": _refusal_text(request)}, status=400)
    refusal = _refusal_text(request)
    if refusal:
        return _refused(request, "community/tip_new.html", {"form": form, "refusal": refusal}, 400, 0)
    nonce = form_nonce(request.POST["form_token"])
    digest = submission_digest(nonce)
    topic, where, message = (
        form.cleaned_data["topic"],
        form.cleaned_data["where"].strip(),
        form.cleaned_data["message"].strip(),
    )
    tip = Tip.objects.filter(submission=digest).first()  # a send of this form already taken
    if tip is None:
        refusal, status, wait = _over_limit()
        if refusal:
            return _refused(request, "community/tip_new.html", {"form": form, "refusal": refusal}, status, wait)
        tip = tipping.new_tip(
            passphrase=passphrase_for(nonce), topic=topic, where=where, message=message, digest=digest
        )
    first = tip.messages.filter(from_tipster=True).order_by("id").first()
    if (tip.topic, tip.where, first.body if first else None) != (topic, where, message):
        return _refused(request, "community/tip_new.html", {"form": form, "refusal": _sent_before()}, 409, 0)
    # Shown only on this page, never in a URL (no redirect); sent again, the form shows it again.
    return _page(request, "community/tip_sent.html", {"tip": tip, "passphrase": passphrase_for(nonce)})


def _conversation(
    request: HttpRequest, tip: Tip, passphrase: str, answer_form=None, status: int = 200, refusal: str | None = None
):
    conversation = list(tip.messages.all())
    form = answer_form or TipAnswerForm(initial={"tip_id": tip.public_id, "passphrase": passphrase})
    return _page(
        request,
        "community/tip_conversation.html",
        {
            "tip": tip,
            "conversation": conversation,
            "form": form,
            "passphrase": passphrase,
            "refusal": refusal,
            "closed": tip.state == Tip.State.CLOSED,
        },
        status=status,
    )


@csrf_exempt
def tip_read(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, "community/tip_read.html", {"form": TipAccessForm()})
    form = TipAccessForm(request.POST)
    if not form.is_valid():
        return _page(request, "community/tip_read.html", {"form": form, "refusal": _refusal_text(request)}, status=400)
    refusal = _refusal_text(request)
    if refusal:
        return _refused(request, "community/tip_read.html", {"form": form, "refusal": refusal}, 400, 0)
    # The key is checked before any allowance is spent, so what it spends depends on whether it
    # matched: junk reads spend the guessers' allowance only, never the tipsters'.
    tip = _open(form.cleaned_data["tip_id"], form.cleaned_data["passphrase"])
    refusal, status, wait = _over_limit("tip_guess" if tip is None else "tip_read")
    if refusal:
        return _refused(request, "community/tip_read.html", {"form": form, "refusal": refusal}, status, wait)
    if tip is None:
        return _page(
            request,
            "community/tip_read.html",
            {"form": form, "failed": _("No tip matches that id and passphrase.")},
            status=404,
        )
    return _conversation(request, tip, form.cleaned_data["passphrase"])


@csrf_exempt
def tip_answer(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, "community/tip_read.html", {"form": TipAccessForm()})
    form = TipAnswerForm(request.POST)
    access = TipAccessForm(request.POST)
    if not access.is_valid():
        refusal = _refusal_text(request)
        return _page(
            request,
            "community/tip_read.html",
            {
                "form": access,
                "refusal": refusal,
                "failed": None if refusal else _("No tip matches that id and passphrase."),
            },
            status=400 if refusal else 404,
        )
    refusal, status, wait, tip = _refusal_text(request), 400, 0, None
    if not refusal:
        # The key is checked before any allowance is spent, as for reads (see ``tip_read``).
        tip = _open(access.cleaned_data["tip_id"], access.cleaned_data["passphrase"])
        refusal, status, wait = _over_limit("tip_guess" if tip is None else "tip_read")
    if refusal:
        # Expired or over the limit: the form comes back with the answer they typed, ready to
        # send again.
        return _refused(
            request,
            "community/tip_read.html",
            {"form": access, "refusal": refusal, "kept_message": request.POST.get("message", "")},
            status,
            wait,
        )
    if tip is None:
        return _page(
            request,
            "community/tip_read.html",
            {"form": access, "failed": _("No tip matches that id and passphrase.")},
            status=404,
        )
    passphrase = access.cleaned_data["passphrase"]
    if not form.is_valid():
        return _conversation(request, tip, passphrase, answer_form=form, status=400)
    body = form.cleaned_data["message"].strip()
    digest = submission_digest(form_nonce(request.POST["form_token"]))
    earlier = TipMessage.objects.filter(submission=digest).first()
    if earlier is None:
        earlier = tipping.tipster_answer(tip, body, digest=digest)
    if (earlier.tip_id, earlier.body) != (tip.pk, body):
        return _conversation(request, tip, passphrase, answer_form=form, status=409, refusal=_sent_before())
    tip.refresh_from_db(fields=["state"])
    return _conversation(request, tip, passphrase)
