"""Subscription mail: the confirmation (double opt-in), the signed links, and how a mail is sent.

The digest of what is new (public problems and meetings) is built and sent by
:mod:`copps.publish.digest`: problems reach residents only through ``publish/``, and requests
(this room) do not know problems.

Links carry signed tokens (``django.core.signing``, keyed by the secret key): a confirmation
link is valid for ``CONFIRM_DAYS``; an unsubscribe link never expires, so an old mail still
ends the subscription.
"""

from __future__ import annotations

from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from copps.community.engagement.conf import site_url
from copps.community.engagement.models import Subscription

__all__ = [
    "CONFIRM_DAYS",
    "confirm_token",
    "read_confirm_token",
    "unsubscribe_token",
    "read_unsubscribe_token",
    "send_confirmation",
    "send",
]

CONFIRM_DAYS = 7
_CONFIRM = signing.TimestampSigner(salt="copps.engagement.subscription.confirm")
_UNSUBSCRIBE = signing.Signer(salt="copps.engagement.subscription.unsubscribe")


def confirm_token(sub: Subscription) -> str:
    return _CONFIRM.sign(str(sub.pk))


def read_confirm_token(token: str) -> int | None:
    try:
        return int(_CONFIRM.unsign(token, max_age=CONFIRM_DAYS * 86400))
    except (signing.BadSignature, ValueError):
        return None


def unsubscribe_token(sub: Subscription) -> str:
    return _UNSUBSCRIBE.sign(str(sub.pk))


def read_unsubscribe_token(token: str) -> int | None:
    try:
        return int(_UNSUBSCRIBE.unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def _links(sub: Subscription) -> dict:
    base = site_url()
    return {
        "unsubscribe_url": base + reverse("engagement:unsubscribe", args=[unsubscribe_token(sub)]),
        "one_click_url": base + reverse("engagement:unsubscribe_one_click", args=[unsubscribe_token(sub)]),
        "site": base,
    }


def send(sub: Subscription, subject: str, template: str, context: dict) -> None:
    with translation.override(sub.language):
        body = render_to_string(template, {**context, **_links(sub), "sub": sub})
        subject = str(subject)
    message = EmailMessage(subject=subject, body=body, to=[sub.email])
    # RFC 8058: a mail client's own "Unsubscribe" button POSTs to this address, nothing to click
    message.extra_headers["List-Unsubscribe"] = f"<{_links(sub)['one_click_url']}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.send(fail_silently=False)


def send_confirmation(sub: Subscription) -> None:
    from django.utils.translation import gettext

    confirm_url = site_url() + reverse("engagement:confirm", args=[confirm_token(sub)])
    with translation.override(sub.language):
        subject = gettext("Confirm your copps subscription: %(area)s") % {"area": sub.label}
    send(sub, subject, "engagement/mail/confirm.txt", {"confirm_url": confirm_url, "days": CONFIRM_DAYS})
