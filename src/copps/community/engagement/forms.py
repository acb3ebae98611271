"""Forms of the engagement pages: the public survey, beat lookup, subscription and watch-group request;
staff survey set-up."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from copps.community.engagement.conf import survey_codes_required
from copps.community.engagement.invitations import code_key
from copps.community.engagement.models import Answer, Meeting, Question, Survey, SurveyResponse
from copps.geo.generalise import public_block
from copps.incidents.models import Area
from copps.language import localized, localized_choices

SCALE_CHOICES = [(str(i), str(i)) for i in range(1, 6)]
YESNO_CHOICES = [("1", _("Yes")), ("0", _("No"))]


class AreaChoiceField(forms.ModelChoiceField):
    """Areas by their names alone ("Maple Hill", not "Neighbourhood Maple Hill")."""

    def label_from_instance(self, obj) -> str:
        return obj.name


class SurveyAnswerForm(forms.Form):
    """A survey's questions as one form; ``area`` is where the respondent lives or works."""

    def __init__(self, survey: Survey, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = list(survey.questions.all())
        areas = list(survey.areas.all())
        self.fields["area"] = AreaChoiceField(
            queryset=survey.areas.all(),
            label=_("Your area"),
            initial=areas[0].pk if len(areas) == 1 else None,
            empty_label=None if len(areas) == 1 else "—",
        )
        for q in self.questions:
            name = f"q{q.pk}"
            if q.kind == Question.Kind.SCALE:
                low, high = localized(q, "low_label"), localized(q, "high_label")
                help_text = f"1 = {low}, 5 = {high}" if low or high else ""
                field = forms.ChoiceField(choices=SCALE_CHOICES, widget=forms.RadioSelect, help_text=help_text)
            elif q.kind == Question.Kind.YESNO:
                field = forms.ChoiceField(choices=YESNO_CHOICES, widget=forms.RadioSelect)
            elif q.kind == Question.Kind.CHOICE:
                field = forms.ChoiceField(choices=localized_choices(q.choices, q.choices_es), widget=forms.RadioSelect)
            else:
                field = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
            field.label = localized(q, "text")
            field.required = q.required
            self.fields[name] = field
        self.code_key: str | None = None
        if survey_codes_required():
            self.fields["code"] = forms.CharField(
                label=_("Your invitation code"),
                max_length=40,
                help_text=_("The code on the invitation you received, e.g. 7KQ2-M9XD-4TBA-0CHE."),
            )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self.code_key = code_key(self.survey.pk, code)
        if self.code_key is None:
            raise forms.ValidationError(
                _("This is not an invitation code for this survey. Check it against your invitation.")
            )
        if SurveyResponse.objects.filter(survey=self.survey, browser=self.code_key).exists():
            raise forms.ValidationError(_("This invitation code has already been used to answer."))
        return code

    def question_fields(self):
        return [self[f"q{q.pk}"] for q in self.questions]

    def answers(self) -> list[Answer]:
        """Unsaved Answer rows for the cleaned data (blank optional questions left out)."""
        out = []
        for q in self.questions:
            value = self.cleaned_data.get(f"q{q.pk}")
            if value in (None, ""):
                continue
            answer = Answer(question=q)
            if q.kind in (Question.Kind.SCALE, Question.Kind.YESNO):
                answer.number = int(value)
            elif q.kind == Question.Kind.CHOICE:
                answer.choice = value
            else:
                answer.text = value.strip()
                answer.review = Answer.Review.PENDING
            out.append(answer)
        return out


class AddressForm(forms.Form):
    address = forms.CharField(
        label=_("Your street address"),
        max_length=200,
        help_text=_("House number and street, e.g. 7512 Maple Ct. It is used once to find your beat and not kept."),
    )


class SubscribeForm(forms.Form):
    """A plain form, not a ModelForm: the (email, area) uniqueness check would tell anyone
    whether an address is already subscribed. The view finds or creates the row."""

    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("Area"))
    problems = forms.BooleanField(label=_("New public problems"), required=False)
    meetings = forms.BooleanField(label=_("New community meetings"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.exclude(type=Area.Type.CITY).order_by("type", "name")

    def clean(self):
        data = super().clean()
        if not (data.get("problems") or data.get("meetings")):
            raise forms.ValidationError(_("Choose problems, meetings or both."))
        return data


_PHONE = re.compile(r"^[0-9 +().\-/xX]+$")


class WatchJoinForm(forms.Form):
    """Asking to join a watch group. A plain form, not a ModelForm, for the same reason as
    ``SubscribeForm``: it must not say whether the address has asked or joined already.
    ``block`` comes out as its hundred block (``copps.geo.generalise.public_block``): the
    house number typed is never kept."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("Required: we send the confirmation link there, and the group uses it to reach you."),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    block = forms.CharField(
        label=_("The block you live or work on (optional)"),
        max_length=200,
        required=False,
        help_text=_("A street address, e.g. 7512 Maple Ct. We keep only the block (75XX MAPLE CT)."),
    )
    consent = forms.BooleanField(
        label=_("I agree that the police department and the group's block captains will see these details."),
        error_messages={"required": _("Tick this box to send the request: the group cannot reach you without it.")},
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and (not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 7):
            raise forms.ValidationError(
                _("Enter a phone number of at least 7 digits (spaces, +, - and brackets are fine).")
            )
        return phone

    def clean_block(self) -> str:
        typed = self.cleaned_data["block"].strip()
        block = public_block(typed)
        if typed and not block:
            raise forms.ValidationError(_("Enter a house number and street (e.g. 7512 Maple Ct), or leave this blank."))
        return block


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "title_es", "intro", "intro_es", "areas", "opens_on", "closes_on", "published"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Area.objects.exclude(type=Area.Type.CITY).order_by("type", "name")

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", "The survey must close on or after the day it opens.")
        return data


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label="Choices (one per line)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    choices_es_text = forms.CharField(
        label="Choices in Spanish (one per line, in the same order; blank: the English ones)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Question
        fields = ["order", "text", "text_es", "kind", "low_label", "low_label_es", "high_label", "high_label_es",
                  "required", "outcome"]

    def clean(self):
        data = super().clean()
        if data.get("outcome") and data.get("kind") not in (Question.Kind.SCALE, Question.Kind.YESNO):
            self.add_error("outcome", "Only a scale or a yes/no question can measure an outcome.")
        options = [line.strip() for line in (data.get("choices_text") or "").splitlines() if line.strip()]
        if data.get("kind") == Question.Kind.CHOICE and len(options) < 2:
            self.add_error("choices_text", "A single-choice question needs at least two choices.")
        if len(set(options)) != len(options):
            self.add_error("choices_text", "Each choice must be different.")
        spanish = [line.strip() for line in (data.get("choices_es_text") or "").splitlines() if line.strip()]
        if spanish and len(spanish) != len(options):
            self.add_error(
                "choices_es_text", f"Give one Spanish choice for each of the {len(options)} choices, or none."
            )
        self.instance.choices = options if data.get("kind") == Question.Kind.CHOICE else []
        self.instance.choices_es = spanish if data.get("kind") == Question.Kind.CHOICE else []
        return data


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "title_es", "description", "description_es", "area", "group", "place", "starts_at",
                  "ends_at", "public", "cancelled"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "A meeting must end after it starts.")
        return data
