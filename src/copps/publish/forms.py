"""The public filters: what a resident may ask of the map, the downloads and the count tables."""

from __future__ import annotations

import re

from django import forms

from copps.incidents.filters import EventFilterForm
from copps.incidents.models import Kind, OffenseCategory

__all__ = ["PublicFilterForm", "CountFilterForm"]


class PublicFilterForm(EventFilterForm):
    """The staff event filters (kind, category, area, whole-day dates), offering only the
    categories that may be shown as points."""

    field_order = ["kind", "category", "area", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = OffenseCategory.objects.filter(sensitive=False)


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
