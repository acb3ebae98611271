"""Anonymous tips: what someone tells the department without saying who they are."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

from .requests import Routing, new_public_id

__all__ = [
    "Tip",
    "TipMessage",
    "PUBLIC_TOPIC_CHOICES",
    "new_passphrase",
    "passphrase_for",
    "submission_digest",
    "coarse_now",
]

# Letters and digits that cannot be mistaken for one another when copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_passphrase() -> str:
    """Five groups of five characters (about 124 bits): ``k7q2m-9xd4h-...``."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(5))


def passphrase_for(nonce: str) -> str:
    """The passphrase of the tip sent with the form whose token carried ``nonce``, in the same
    form as ``new_passphrase``: keyed on the site's secret, so the nonce alone gives nothing.

    Derived rather than drawn so that a tip form sent twice (its answer lost to a dropped
    connection) shows the same passphrase again, though only its hash is stored. The nonce is
    128 random bits held by the tipster's page and never stored (only ``submission_digest`` of
    it is), so the passphrase is as unguessable as a drawn one."""
    number = int.from_bytes(salted_hmac("copps.community.tip-passphrase", nonce).digest(), "big")
    letters = []
    for _ in range(25):  # 25 of 31 letters take 124 of the 160 bits: the bias is below 2**-36
        number, index = divmod(number, len(_ALPHABET))
        letters.append(_ALPHABET[index])
    return "-".join("".join(letters[i : i + 5]) for i in range(0, 25, 5))


def submission_digest(nonce: str) -> str:
    """What is stored of a form's nonce to recognise the form sent again: its SHA-256, from
    which neither the nonce nor the passphrase can be found."""
    return hashlib.sha256(nonce.encode()).hexdigest()


def coarse_now():
    """Now, to the hour: tipsters' messages keep no finer time, so that a timestamp cannot be
    matched against a server or network log to find who was online at that minute."""
    return timezone.now().replace(minute=0, second=0, microsecond=0)


class Tip(models.Model):
    """An anonymous tip: information about crime or disorder from someone who does not give
    (and is never asked for) a name, address, account or contact. The tipster holds a random
    tip id and a passphrase — the only key to the conversation — so staff can ask follow-up
    questions and the tipster can answer without ever being identified.

    Nothing about the sender is stored: no address, browser, cookie or account, and times only
    to the hour. The text itself may identify the tipster or others, so every staff read is
    audited. ``where`` is the tipster's own description of the place, never geocoded publicly.
    """

    class Topic(models.TextChoices):
        DRUGS = "drugs", "Drug dealing or use"
        WEAPONS = "weapons", "Weapons or violence"
        GANGS = "gangs", "Gang activity"
        PROPERTY = "property", "Theft, burglary or damage"
        TRAFFIC = "traffic", "Dangerous driving"
        OTHER = "other", "Something else"

    class State(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Being looked at"
        CLOSED = "closed", "Closed"

    public_id = models.CharField(max_length=64, unique=True, default=new_public_id)
    passphrase_hash = models.CharField(max_length=200, editable=False)
    topic = models.CharField(max_length=16, choices=Topic.choices, default=Topic.OTHER)
    where = models.CharField(max_length=300, blank=True, help_text="the place, in the tipster's words")
    state = models.CharField(max_length=8, choices=State.choices, default=State.NEW)
    beat = models.ForeignKey(
        "incidents.Area",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="set by staff in triage",
    )
    routed_to = models.CharField(max_length=16, choices=Routing.choices, blank=True)
    referred_agency = models.CharField(max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=coarse_now, help_text="to the hour only")
    updated_at = models.DateTimeField(default=coarse_now)
    submission = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        editable=False,
        help_text="SHA-256 of the form's nonce, so the same form sent again makes no second tip",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Tip {self.public_id}"

    def set_passphrase(self, raw: str) -> None:
        # The configured password hasher (argon2id in production): slow on purpose, so a stolen
        # table cannot be searched for passphrases.
        self.passphrase_hash = make_password(raw)

    def check_passphrase(self, raw: str) -> bool:
        return bool(raw) and check_password(raw, self.passphrase_hash)


# The topics as tipsters read them on the tip page, in their language. (The labels of
# ``Tip.Topic`` stay English: the staff queue and a problem's log, which records the topic of a
# linked tip, use them whatever language the staff member's browser asks for.)
_PUBLIC_TOPIC_LABELS = {
    Tip.Topic.DRUGS: gettext_lazy("Drug dealing or use"),
    Tip.Topic.WEAPONS: gettext_lazy("Weapons or violence"),
    Tip.Topic.GANGS: gettext_lazy("Gang activity"),
    Tip.Topic.PROPERTY: gettext_lazy("Theft, burglary or damage"),
    Tip.Topic.TRAFFIC: gettext_lazy("Dangerous driving"),
    Tip.Topic.OTHER: gettext_lazy("Something else"),
}
# Built from ``Tip.Topic`` itself, so a topic added there without a public label fails at import.
PUBLIC_TOPIC_CHOICES = [(topic.value, _PUBLIC_TOPIC_LABELS[topic]) for topic in Tip.Topic]


class TipMessage(models.Model):
    """One message in a tip's conversation: the tipster's (``author`` empty, always) or a staff
    reply (``author`` the staff member, shown to the tipster only as "the department")."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="messages")
    from_tipster = models.BooleanField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    at = models.DateTimeField(default=coarse_now)
    submission = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        editable=False,
        help_text="SHA-256 of the answer form's nonce, so the same answer sent again is kept once",
    )

    class Meta:
        ordering = ["tip", "id"]

    def __str__(self) -> str:
        return f"{'tipster' if self.from_tipster else 'staff'} message on {self.tip.public_id}"
