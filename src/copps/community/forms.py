"""Forms of the community front door: reporting a concern, tips, and the staff triage forms."""

from __future__ import annotations

import math

from django import forms
from django.utils.translation import gettext_lazy as _

from copps.community.models import Routing, Service, Tip
from copps.community.models.tips import PUBLIC_TOPIC_CHOICES
from copps.community.open311.submit import MAX_DESCRIPTION, check_answers
from copps.community.photos import clean_photo, refused_upload_error
from copps.community.states import State

__all__ = [
    "WhereForm",
    "DetailsForm",
    "TipForm",
    "TipAccessForm",
    "TipAnswerForm",
    "StateForm",
    "RouteForm",
    "ReplyForm",
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
    """Staff: move a request to another state (checked by states.advance)."""

    to = forms.ChoiceField(choices=State.choices, label="New state")
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


class TipStateForm(forms.Form):
    state = forms.ChoiceField(choices=Tip.State.choices, label="State")
