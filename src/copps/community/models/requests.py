"""Service requests: what residents and businesses send the department, as copps keeps it (Open311 GeoReport v2)."""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.conf import settings
from django.db import models

from copps.community.states import CLOSED_STATES, State


class Routing(models.TextChoices):
    """Where staff sent a request or tip in triage."""

    BEAT = "beat", "The beat officer"
    POP = "pop", "The problem-oriented policing unit"
    DEPARTMENT = "department", "Another city department"


def new_public_id() -> str:
    """A random, unguessable id for a request or token: 80 bits in lower-case base32 (16 characters)."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()


class Service(models.Model):
    """A kind of concern residents can report: graffiti, a dark streetlight, an abandoned car.

    The Open311 "service": its code is what clients send, its ``type`` says what a client
    gets back when it reports one (``realtime``: the request id at once; ``batch``: a token
    to exchange later for the id; ``blackbox``: nothing to follow). ``metadata`` is true when
    the service asks extra questions (its attributes).
    """

    class Type(models.TextChoices):
        REALTIME = "realtime", "Realtime (the id is returned at once)"
        BATCH = "batch", "Batch (a token is returned, exchanged later for the id)"
        BLACKBOX = "blackbox", "Blackbox (nothing is returned to follow)"

    service_code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    name_es = models.CharField("name (Spanish)", max_length=200, blank=True, help_text="blank: the English name")
    description_es = models.TextField("description (Spanish)", blank=True, help_text="blank: the English one")
    group = models.CharField(max_length=100, blank=True)
    keywords = models.CharField(max_length=300, blank=True, help_text="comma-separated synonyms")
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.REALTIME)
    agency_responsible = models.CharField(max_length=200, blank=True, help_text="who handles these by default")
    service_notice = models.TextField(blank=True, help_text="what a reporter can expect to happen next")
    service_notice_es = models.TextField("service notice (Spanish)", blank=True, help_text="blank: the English one")
    expected_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="days to fulfil, for expected_datetime (blank: not promised)"
    )
    active = models.BooleanField(default=True, help_text="offered to clients and accepted on POST")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.service_code})"  # staff and the admin tell services apart by code

    @property
    def public_name(self) -> str:
        """The name a resident reads: plain (no code), in their language: the name staff wrote for
        it (``name_es``), else the catalogue's translation, else as stored."""
        from django.utils.translation import gettext

        from copps.language import localized

        written = localized(self, "name")
        if written != self.name:
            return written
        return gettext(self.name) if self.name else self.name

    @property
    def metadata(self) -> bool:
        """Open311's flag: does a client need the service definition before posting?"""
        return any(a.variable for a in self.attributes.all())


class ServiceAttribute(models.Model):
    """One extra question a service asks ("Is the vehicle blocking a driveway?").

    ``datatype`` is one of the six Open311 input types; list types carry their options in
    ``values`` as ``[{"key": ..., "name": ...}]``. ``variable`` false marks an attribute that
    only informs the reporter and takes no answer.
    """

    class Datatype(models.TextChoices):
        STRING = "string"
        NUMBER = "number"
        DATETIME = "datetime"
        TEXT = "text"
        SINGLEVALUELIST = "singlevaluelist"
        MULTIVALUELIST = "multivaluelist"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    code = models.CharField(max_length=64)
    variable = models.BooleanField(default=True)
    datatype = models.CharField(max_length=16, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(default=False)
    datatype_description = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField(default=1)
    description = models.TextField(help_text="the question, as the reporter sees it")
    values = models.JSONField(default=list, blank=True, help_text='list types: [{"key": "1", "name": "Yes"}]')

    class Meta:
        ordering = ["service", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="service_attribute_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service.service_code}:{self.code}"

    @property
    def is_list(self) -> bool:
        return self.datatype in (self.Datatype.SINGLEVALUELIST, self.Datatype.MULTIVALUELIST)

    def value_keys(self) -> set[str]:
        return {str(v.get("key")) for v in self.values or []}


class ApiKey(models.Model):
    """A third-party client (an app, a partner agency's system) allowed to POST requests.

    Only a SHA-256 hash of the key is kept: the key itself is shown once, when it is issued
    in the admin. Keys are 256-bit random strings, so a plain hash cannot be reversed.
    """

    name = models.CharField(max_length=200, help_text="the client, e.g. 'SeeClickFix' or 'City app'")
    contact = models.CharField(max_length=300, blank=True, help_text="who to call about this client")
    prefix = models.CharField(max_length=8, editable=False, help_text="first characters, to recognise a key")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def set_new_key(self) -> str:
        """Give this client a fresh key; returns it (the only time it is readable)."""
        raw = secrets.token_urlsafe(32)
        self.prefix = raw[:8]
        self.key_hash = self.hash(raw)
        return raw

    @classmethod
    def issue(cls, name: str, **fields) -> tuple[ApiKey, str]:
        key = cls(name=name, **fields)
        raw = key.set_new_key()
        key.save()
        return key, raw

    @classmethod
    def find(cls, raw: str) -> ApiKey | None:
        """The active key matching ``raw``, or None."""
        if not raw:
            return None
        return cls.objects.filter(key_hash=cls.hash(raw), active=True).first()


class ServiceRequestQuerySet(models.QuerySet):
    def public(self) -> ServiceRequestQuerySet:
        """Requests Open311 and the public pages may show: staff withhold one by clearing
        ``public``. (What of a public request is shown is :mod:`copps.community.open311.public`'s.)"""
        return self.filter(public=True)


class ServiceRequest(models.Model):
    """One concern a resident or business reported: what (service, description), where
    (point, address and its hundred-block form, beat and district), when, and how the
    department is handling it.

    ``state`` is the department's own account of progress (received, acknowledged, in
    progress, referred to another agency, closed fixed or not fixed, reopened: see
    ``community/states.py``); Open311's two-valued ``status`` is derived from it. The
    reporter's name, e-mail, phone and device are private: no Open311 document shows them.
    """

    public_id = models.CharField(max_length=64, unique=True, default=new_public_id,
                                 help_text="the Open311 service_request_id")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests")
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True, help_text="answers to the service's questions")
    # Where.
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True, help_text="as given by the reporter")
    address_id = models.CharField(max_length=64, blank=True)
    block_address = models.CharField(max_length=300, blank=True, help_text="hundred-block form: the public address")
    zipcode = models.CharField(max_length=16, blank=True)
    beat = models.ForeignKey("incidents.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    district = models.ForeignKey("incidents.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # When.
    requested_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    expected_at = models.DateTimeField(null=True, blank=True)
    # How it is handled.
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVED)
    status_notes = models.TextField(blank=True, help_text="public note on the current state")
    closed_reason = models.CharField(max_length=300, blank=True, help_text="why it was closed without a fix")
    agency_responsible = models.CharField(max_length=200, blank=True)
    service_notice = models.TextField(blank=True)
    media_url = models.URLField(max_length=1000, blank=True)
    public = models.BooleanField(
        default=True, help_text="shown in Open311 output; staff withhold a request by clearing this"
    )
    # Private: who reported it. Never in any Open311 document.
    reporter_first_name = models.CharField(max_length=100, blank=True)
    reporter_last_name = models.CharField(max_length=100, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter_phone = models.CharField(max_length=40, blank=True)
    device_id = models.CharField(max_length=200, blank=True)
    account_id = models.CharField(max_length=200, blank=True)
    # Provenance.
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests")
    idempotency_key = models.CharField(
        max_length=300, null=True, blank=True, unique=True, editable=False,
        help_text="<api key id>:<client's Idempotency-Key>, so a retried POST creates nothing new",
    )
    payload_hash = models.CharField(max_length=64, blank=True, editable=False)
    source = models.CharField(max_length=64, default="open311", help_text="open311, import, web ...")
    raw = models.JSONField(null=True, blank=True, help_text="the original record, for imports")
    track_key = models.CharField(
        max_length=32, unique=True, null=True, blank=True, editable=False,
        help_text="the reporter's private tracking id (the public id is published by Open311; this one never is)",
    )
    # The front door: what the reporter chose, where staff sent it, and the reporter's verdict.
    reporter_name_private = models.BooleanField(
        default=True, help_text="the reporter asked that their name stay with the department"
    )
    routed_to = models.CharField(max_length=16, choices=Routing.choices, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", help_text="the officer or analyst handling it")
    fixed_answer = models.CharField(max_length=4, choices=[("yes", "Yes"), ("no", "No")], blank=True,
                                    help_text="the reporter's answer to 'was it fixed?' after closing")
    fixed_answer_at = models.DateTimeField(null=True, blank=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["state", "requested_at"]),
            models.Index(fields=["service", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.service.name} {self.public_id}"

    @property
    def status(self) -> str:
        """Open311's status: ``closed`` once resolved (fixed or not), ``open`` otherwise."""
        return "closed" if self.state in CLOSED_STATES else "open"


class StateChange(models.Model):
    """One step in a request's handling: from which state to which, when, by whom, with what note.
    The history behind service-level figures (time to acknowledge, to close)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    notes = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    imported = models.BooleanField(
        default=False, help_text="derived by an import from the source's times; replaced when it re-imports"
    )

    class Meta:
        ordering = ["request", "at", "id"]

    def __str__(self) -> str:
        return f"{self.request.public_id}: {self.from_state} -> {self.to_state}"


class ServiceRequestToken(models.Model):
    """What a client gets back for a ``batch`` service: a token to exchange for the request id
    once the request exists (``tokens/{token}``)."""

    token = models.CharField(max_length=64, unique=True, default=new_public_id)
    request = models.OneToOneField(ServiceRequest, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="token")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.token
