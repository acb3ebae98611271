"""Forms of the community front door: reporting a concern, tips, and the staff triage forms."""

from __future__ import annotations

import math

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from copps.community.models import ReplyTemplate, Routing, Service, Tip
from copps.community.models.tips import PUBLIC_TOPIC_CHOICES
from copps.community.open311.submit import MAX_DESCRIPTION, check_answers
from copps.community.photos import clean_photo, refused_upload_error
from copps.community.states import State, allowed

__all__ = [
    "WhereForm",
    "DetailsForm",
    "TipForm",
    "TipAccessForm",
    "TipAnswerForm",
    "StateForm",
    "RouteForm",
    "ReplyForm",
    "RequestReplyForm",
    "BulkForm",
    "QueueFilterForm",
    "TipStateForm",
    "FixedForm",
]


class ServiceChoiceField(forms.ModelChoiceField):
    """Kinds of concern by their plain names, in the visitor's language ("Graffiti", not "Graffiti (GRAF)")."""

    def label_from_instance(self, obj) -> str:
        return obj.public_name


class WhereForm(forms.Form):
    """Step one of a report: what kind of concern, and where (a map point or a typed address)."""

    service = ServiceChoiceField(
        queryset=Service.objects.filter(active=True),
        label=_("What is the concern?"),
        empty_label=_("Choose a category"),
        error_messages={"required": _("Choose a category."), "invalid_choice": _("Choose a category from the list.")},
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    address = forms.CharField(
        required=False,
        max_length=300,
        label=_("Address or nearest corner"),
        help_text=_("Type an address, or click the map. The exact spot is never published."),
    )

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("The map point is incomplete; click the map again."))
        for value in (lat, lon):
            if value is not None and not math.isfinite(value):
                raise forms.ValidationError(_("The map point is not a real place; click the map again."))
        if lat is None and not (data.get("address") or "").strip():
            self.add_error("address", _("Give an address or click the map to show where it is."))
        return data


class DetailsForm(WhereForm):
    """Step two: what happened, an optional photo, optional contact details, the service's questions."""

    description = forms.CharField(
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("What is wrong?"),
        error_messages={"required": _("Describe the concern.")},
    )
    photo = forms.FileField(
        required=False,
        label=_("Photo (optional)"),
        help_text=_("JPEG, PNG or WebP. Location and camera details are removed."),
    )
    name = forms.CharField(required=False, max_length=200, label=_("Your name (optional)"))
    email = forms.EmailField(
        required=False,
        max_length=254,
        label=_("Your e-mail (optional)"),
        help_text=_("Only to tell you about progress. Never published."),
        error_messages={"invalid": _("Enter a valid e-mail address, or leave it empty.")},
    )
    keep_private = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Keep my name private"),
        help_text=_("Your name stays with the department and is never published."),
    )

    def __init__(self, *args, service: Service | None = None, photo_refused: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # True when the photo was dropped on arrival for its size (photos.UploadLimit), so that
        # the form says so instead of going on without it.
        self.photo_refused = photo_refused
        # Step one chose these; step two carries them along and links back to change them.
        for name in ("service", "address"):
            self.fields[name].widget = forms.HiddenInput()
        self.service_questions = []
        if service is not None:
            for attr in service.attributes.all():
                name = f"attribute[{attr.code}]"
                if not attr.variable:
                    self.service_questions.append((attr, None))
                    continue
                choices = [(str(v.get("key")), str(v.get("name", v.get("key")))) for v in attr.values or []]
                if attr.datatype == "multivaluelist":
                    field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
                elif attr.datatype == "singlevaluelist":
                    field = forms.ChoiceField(choices=[("", "—")] + choices)
                elif attr.datatype == "text":
                    field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
                else:
                    field = forms.CharField(max_length=300)
                field.required = False  # check_answers, shared with Open311, decides
                field.label = attr.description
                field.help_text = attr.datatype_description
                self.fields[name] = field
                self.service_questions.append((attr, name))

    def clean_photo(self):
        if self.photo_refused:
            raise refused_upload_error()
        upload = self.cleaned_data.get("photo")
        return clean_photo(upload) if upload else None

    def clean(self):
        data = super().clean()
        service = data.get("service")
        if service is not None:
            given: dict[str, list[str]] = {}
            for attr, name in self.service_questions:
                if name is None:
                    continue
                value = data.get(name)
                values = value if isinstance(value, list) else [value] if value else []
                given[attr.code] = [str(v).strip() for v in values if str(v).strip()]
            errors: list[str] = []
            answers = check_answers(service, given, errors)
            for message in errors:
                # "attribute[CODE] is required: ..." -> an error on that question's own field.
                field, _sep, rest = message.partition("] ")
                name = field + "]"
                if name in self.fields and rest:
                    self.add_error(name, rest[0].upper() + rest[1:] + ".")
                else:
                    self.add_error(None, message)
            data["answers"] = answers
        return data

    def split_name(self) -> tuple[str, str]:
        first, _sep, last = (self.cleaned_data.get("name") or "").strip().rpartition(" ")
        return (first, last) if first else (last, "")


class FixedForm(forms.Form):
    """After closing: the reporter's answer to "was it fixed?"."""

    fixed = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect, label=_("Was it fixed?")
    )


class TipForm(forms.Form):
    """An anonymous tip: what, where, and nothing about who."""

    topic = forms.ChoiceField(choices=PUBLIC_TOPIC_CHOICES, label=_("What is it about?"))
    where = forms.CharField(
        required=False, max_length=300, label=_("Where (optional)"), help_text=_("A street, a corner or a place name.")
    )
    message = forms.CharField(
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 7}),
        label=_("What you know"),
        error_messages={"required": _("Write what you know.")},
    )


class TipAccessForm(forms.Form):
    """The tipster's key to the conversation."""

    tip_id = forms.CharField(max_length=64, label=_("Tip id"))
    passphrase = forms.CharField(
        max_length=64,
        label=_("Passphrase"),
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
    )


class TipAnswerForm(TipAccessForm):
    message = forms.CharField(
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Your answer"),
        error_messages={"required": _("Write your answer.")},
    )


class StateForm(forms.Form):
    """Staff: move a request to another state (checked by states.advance). Given the request's
    ``state``, the menu offers only the states it may go to from there (``states.TRANSITIONS``)."""

    to = forms.ChoiceField(choices=State.choices, label="New state")

    def __init__(self, *args, state: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if state is not None:
            self.fields["to"].choices = [(s.value, s.label) for s in State if s in allowed(state)]
            # a state not in the menu (an old page, a forged post): the state machine's own words
            self.fields["to"].error_messages["invalid_choice"] = (
                f"cannot go from {State(state).label.lower()} to %(value)s"
            )
    notes = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Public note",
        help_text="shown to the reporter and in Open311",
    )
    agency = forms.CharField(required=False, max_length=200, label="Agency (when referring)")
    reason = forms.CharField(required=False, max_length=300, label="Reason (when closing as not fixed)")


class RouteForm(forms.Form):
    """Staff: send a request or tip to the beat officer, the POP unit or another department."""

    to = forms.ChoiceField(choices=Routing.choices, label="Route to")
    agency = forms.CharField(required=False, max_length=200, label="Department (when another department)")
    note = forms.CharField(required=False, max_length=2000, label="Public note")

    def clean(self):
        data = super().clean()
        if data.get("to") == Routing.DEPARTMENT and not (data.get("agency") or "").strip():
            self.add_error("agency", "Name the department it goes to.")
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Reply",
        error_messages={"required": "Write the reply."},
    )


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


def _template_field() -> TemplateChoiceField:
    return TemplateChoiceField(
        queryset=ReplyTemplate.objects.filter(active=True),
        required=False,
        label=_("Reply template"),
        empty_label=_("No template"),
        help_text=_("Leave the text empty to send the template in the reporter's language."),
    )


class _TemplatedReply:
    """A reply written in ``body`` or taken from the ``template`` field (one of the two)."""

    def _need_text_or_template(self, data: dict) -> None:
        if not (data.get("body") or "").strip() and not data.get("template"):
            self.add_error("body", _("Write the reply or pick a template."))

    def text_for(self, language: str) -> str:
        """What the reporter gets: the text written, else the template in their language."""
        body = (self.cleaned_data.get("body") or "").strip()
        return body or self.cleaned_data["template"].body_for(language)


class RequestReplyForm(_TemplatedReply, ReplyForm):
    """Staff: a reply to a request's reporter, written or picked from the reply templates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"] = _template_field()
        self.fields["body"].required = False
        self.order_fields(["template", "body"])

    def clean(self):
        data = super().clean()
        self._need_text_or_template(data)
        return data


BULK_ACTIONS = [
    ("route", _("Route")),
    ("acknowledge", _("Acknowledge")),
    ("close", _("Close with a reply")),
]
CLOSE_AS = [
    (State.CLOSED_FIXED.value, pgettext_lazy("state of a concern", "Closed – fixed")),
    (State.CLOSED_NOT_FIXED.value, pgettext_lazy("state of a concern", "Closed – not fixed")),
]
BULK_LIMIT = 200


class BulkForm(_TemplatedReply, forms.Form):
    """Staff: one action on the requests ticked in the triage queue. Each request then goes
    through the same steps (and audit rows) as on its own page; ``ids`` are public ids."""

    ids = forms.MultipleChoiceField(choices=[], error_messages={"required": _("Tick at least one request.")})
    bulk = forms.ChoiceField(choices=BULK_ACTIONS, label=_("Action"))
    to = forms.ChoiceField(choices=[("", "—")] + Routing.choices, required=False, label=_("Route to"))
    officer = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Officer"), empty_label=_("The beat's officer (by beat)"),
        help_text=_("Give the requests to this person instead of each beat's officer."),
    )
    agency = forms.CharField(required=False, max_length=200, label=_("Department (when another department)"))
    close_as = forms.ChoiceField(choices=CLOSE_AS, required=False, label=_("Close as"))
    reason = forms.CharField(required=False, max_length=300, label=_("Reason (when not fixed)"))
    body = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                           label=_("Reply"))

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        ids = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(i, i) for i in ids]  # any id: the view looks each one up
        self.fields["officer"].queryset = (
            get_user_model().objects.filter(is_active=True, role="officer").order_by("last_name", "username")
        )
        self.fields["officer"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["template"] = _template_field()

    def clean_ids(self):
        ids = self.cleaned_data["ids"]
        if len(ids) > BULK_LIMIT:
            raise forms.ValidationError(_("At most %(n)d requests at once.") % {"n": BULK_LIMIT})
        return ids

    def clean(self):
        data = super().clean()
        action = data.get("bulk")
        if action == "route":
            if not data.get("to"):
                self.add_error("to", _("Choose where the requests go."))
            elif data["to"] == Routing.DEPARTMENT and not (data.get("agency") or "").strip():
                self.add_error("agency", _("Name the department it goes to."))
        elif action == "close":
            if not data.get("close_as"):
                self.add_error("close_as", _("Choose how the requests are closed."))
            elif data["close_as"] == State.CLOSED_NOT_FIXED and not (data.get("reason") or "").strip():
                self.add_error("reason", _("Give the reason they were not fixed."))
            self._need_text_or_template(data)
        return data


class TipStateForm(forms.Form):
    state = forms.ChoiceField(choices=Tip.State.choices, label="State")


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.code if obj.name in ("", obj.code) else f"{obj.code} {obj.name}"


AGES = [
    ("", _("Any age")),
    ("day", _("Under a day")),
    ("week", _("1 to 7 days")),
    ("month", _("7 to 30 days")),
    ("older", _("Over 30 days")),
]
# age bucket -> (at least, under) days since the request came in
AGE_DAYS = {"day": (0, 1), "week": (1, 7), "month": (7, 30), "older": (30, None)}
SHOWS = [("open", _("Open")), ("new", _("New")), ("mine", _("Routed to me")), ("all", _("All"))]
ROUTED = [("", _("Anyone or no one")), ("none", _("Not routed yet")), *Routing.choices]
SORTS = [("oldest", _("Oldest first")), ("newest", _("Newest first")), ("state", _("By state, oldest first"))]


class QueueFilterForm(forms.Form):
    """The triage queue's filters, all in the query string (a filtered queue is a link to share).
    An unknown value is a form error, shown on the page, never a 500."""

    show = forms.ChoiceField(choices=SHOWS, required=False, label=_("Show"))
    q = forms.CharField(required=False, max_length=200, label=_("Search"),
                        help_text=_("Words of the description or address, a category, or a request id."))
    service = forms.ModelChoiceField(queryset=Service.objects.order_by("name"), to_field_name="service_code",
                                     required=False, label=_("Category"), empty_label=_("Any category"))
    beat = AreaChoiceField(queryset=None, to_field_name="code", required=False, label=_("Beat"),
                           empty_label=_("Any beat"))
    district = AreaChoiceField(queryset=None, to_field_name="code", required=False, label=_("District"),
                               empty_label=_("Any district"))
    state = forms.ChoiceField(choices=[("", _("Any state"))] + State.choices, required=False, label=_("State"))
    age = forms.ChoiceField(choices=AGES, required=False, label=_("Age"))
    routed = forms.ChoiceField(choices=ROUTED, required=False, label=_("Routed to"))
    sort = forms.ChoiceField(choices=SORTS, required=False, label=_("Order"))

    def __init__(self, *args, **kwargs):
        from copps.incidents.models import Area

        super().__init__(*args, **kwargs)
        self.fields["beat"].queryset = Area.objects.filter(type=Area.Type.BEAT).order_by("code")
        self.fields["district"].queryset = Area.objects.filter(type=Area.Type.DISTRICT).order_by("code")

    def value(self, name: str, default: str = ""):
        """A filter's clean value; a filter with an unknown value is left out (the page shows its
        error) while the valid ones still apply."""
        self.is_valid()
        return self.cleaned_data.get(name) or default

    def requests(self, qs, user):
        """``qs`` (service requests) narrowed by the filters and put in the chosen order; the
        whole queryset, for an honest count and a paginator."""
        from datetime import timedelta

        from django.db.models import Case, IntegerField, Q, Value, When
        from django.utils import timezone

        from copps.community.states import CLOSED_STATES

        show = self.value("show", "open")
        if show == "open":
            qs = qs.exclude(state__in=CLOSED_STATES)
        elif show == "new":
            qs = qs.filter(state__in=[State.RECEIVED, State.REOPENED])
        elif show == "mine":
            qs = qs.filter(assigned_to=user).exclude(state__in=CLOSED_STATES)
        if text := self.value("q").strip():
            qs = qs.filter(
                Q(public_id__iexact=text)
                | Q(description__icontains=text)
                | Q(address__icontains=text)
                | Q(block_address__icontains=text)
                | Q(service__name__icontains=text)
                | Q(service__service_code__iexact=text)
            )
        for name in ("service", "beat", "district"):
            if chosen := self.value(name, None):
                qs = qs.filter(**{name: chosen})
        if state := self.value("state"):
            qs = qs.filter(state=state)
        if age := self.value("age"):
            low, high = AGE_DAYS[age]
            now = timezone.now()
            qs = qs.filter(requested_at__lte=now - timedelta(days=low))
            if high is not None:
                qs = qs.filter(requested_at__gt=now - timedelta(days=high))
        routed = self.value("routed")
        if routed == "none":
            qs = qs.filter(routed_to="")
        elif routed:
            qs = qs.filter(routed_to=routed)
        sort = self.value("sort", "oldest")
        if sort == "newest":
            return qs.order_by("-requested_at", "-id")
        if sort == "state":
            rank = Case(*[When(state=s, then=Value(i)) for i, s in enumerate(State)], output_field=IntegerField())
            return qs.annotate(state_rank=rank).order_by("state_rank", "requested_at", "id")
        return qs.order_by("requested_at", "id")
