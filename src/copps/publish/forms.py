"""The public filters: what a resident may ask of the map, the downloads and the count tables."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from copps.incidents.models import Area, Event, Kind, OffenseCategory

__all__ = ["PublicFilterForm", "CountFilterForm"]


class PublicFilterForm(forms.Form):
    """Filters for public points: kind, category, area, date range (whole days)."""

    kind = forms.ChoiceField(choices=[("", "All kinds"), *Kind.choices], required=False)
    category = forms.ModelChoiceField(queryset=OffenseCategory.objects.filter(sensitive=False),
                                      required=False, empty_label="All categories")
    area = forms.ModelChoiceField(queryset=Area.objects.exclude(type=Area.Type.CITY).order_by("type", "name"),
                                  required=False, empty_label="Whole city")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("'From' must be on or before 'To'.")
        return data

    def filter(self, qs: QuerySet[Event] | None = None) -> QuerySet[Event]:
        qs = Event.objects.all() if qs is None else qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data.get("area") is not None:
            qs = qs.filter(**{data["area"].type: data["area"]})
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(occurred_from__gte=datetime.combine(data["date_from"], time.min, tz))
        if data.get("date_to"):
            qs = qs.filter(occurred_from__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz))
        return qs


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class MonthField(forms.CharField):
    default_error_messages = {
        "invalid": "Counts are published per whole calendar month: give a month as YYYY-MM.",
    }

    def clean(self, value):
        value = super().clean(value)
        if value and not _MONTH.match(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class CountFilterForm(forms.Form):
    """Selects cells of the fixed count tables: kinds, districts, categories, a month range.

    Selection never makes a new sum, so there is nothing to difference."""

    kind = forms.MultipleChoiceField(choices=Kind.choices, required=False)
    district = forms.MultipleChoiceField(choices=[], required=False)
    category = forms.MultipleChoiceField(choices=[], required=False)
    month_from = MonthField(required=False, label="From month")
    month_to = MonthField(required=False, label="To month")

    def __init__(self, *args, districts=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(d, d) for d in districts]
        self.fields["category"].choices = [(c, c) for c in categories]

    def clean(self):
        data = super().clean()
        if data.get("month_from") and data.get("month_to") and data["month_from"] > data["month_to"]:
            raise forms.ValidationError("'From month' must be on or before 'To month'.")
        return data
