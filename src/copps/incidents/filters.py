"""The event filters shared by the table, the map and the API: area, kind, category, dates, and
where the event lies against the jurisdiction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from copps.incidents.models import Area, Event, Kind, Location, OffenseCategory

__all__ = ["EventFilterForm", "EARLIEST", "LATEST"]

# The dates a filter takes. The day after "To" and either end in the site's zone must still be a
# date Python and the databases can hold (9999-12-31 was a server error); police records lie
# well inside these.
EARLIEST, LATEST = date(1800, 1, 1), date(2999, 12, 31)


class EventFilterForm(forms.Form):
    area = forms.ModelChoiceField(
        queryset=Area.objects.exclude(type=Area.Type.CITY).order_by("type", "name"),
        required=False,
        empty_label=_("Whole city"),
        label=_("Area"),
    )
    kind = forms.ChoiceField(choices=[("", _("All kinds")), *Kind.choices], required=False, label=_("Kind"))
    category = forms.ModelChoiceField(
        queryset=OffenseCategory.objects.all(),
        required=False,
        empty_label=_("All categories"),
        label=pgettext_lazy("filter", "Category"),
    )
    date_from = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.ChoiceField(
        choices=[
            ("", _("Anywhere")),
            ("misplaced", _("Outside or impossible (to fix at the source)")),
            (Location.INSIDE.value, _("Inside the jurisdiction")),
            (Location.BUFFER.value, _("Just outside (buffer)")),
            (Location.OUTSIDE.value, _("Outside the jurisdiction")),
            (Location.INVALID.value, _("Impossible place")),
            ("none", _("Not geocoded")),
        ],
        required=False,
        label=_("Place"),
    )

    def _in_range(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(
                _("Give a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
            )
        return value

    def clean_date_from(self):
        return self._in_range("date_from")

    def clean_date_to(self):
        return self._in_range("date_to")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("'From' must be on or before 'To'."))
        return data

    def describe(self) -> dict[str, str]:
        """The filters in force, by field name, as a reader of an export would want them (empty
        when every event is in). Only for a valid form."""
        described = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            if isinstance(value, Area):
                value = f"{value.get_type_display()} {value.name}"
            elif isinstance(value, OffenseCategory):
                value = value.code
            elif isinstance(value, date):
                value = value.isoformat()
            described[name] = str(value)
        return described

    def filter(self, qs: QuerySet[Event] | None = None) -> QuerySet[Event]:
        """Apply the valid filters (an invalid form filters nothing out but shows its errors)."""
        qs = Event.objects.all() if qs is None else qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        area = data.get("area")
        if area is not None:
            column = {"beat": "beat", "district": "district", "neighbourhood": "neighbourhood"}[area.type]
            qs = qs.filter(**{column: area})
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        where = data.get("location")
        if where == "misplaced":
            qs = qs.filter(location__in=[Location.OUTSIDE, Location.INVALID])
        elif where == "none":
            qs = qs.filter(location=Location.NONE)
        elif where:
            qs = qs.filter(location=where)
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(occurred_from__gte=datetime.combine(data["date_from"], time.min, tz))
        if data.get("date_to"):
            qs = qs.filter(occurred_from__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz))
        return qs
