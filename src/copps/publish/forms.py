"""The public filters: what a resident may ask of the map, the downloads and the count tables."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from copps.incidents.filters import EventFilterForm
from copps.incidents.models import Kind, OffenseCategory

__all__ = ["PublicFilterForm", "CountFilterForm", "TrendForm", "ImprovementForm", "PUBLIC_KIND_CHOICES"]

# The kinds of event as the public reads them, in the visitor's language (``Kind``'s own labels
# stay English: staff pages and stored records use them).
_KIND_LABELS = {
    Kind.CRIME: _("Crime"),
    Kind.CALL: _("Call for service"),
    Kind.COLLISION: _("Traffic collision"),
}
# Built from ``Kind`` itself, so a kind added there without a public label fails at import.
PUBLIC_KIND_CHOICES = [(kind.value, _KIND_LABELS[kind]) for kind in Kind]


class PublicFilterForm(EventFilterForm):
    """The staff event filters (kind, category, area, whole-day dates), offering only the
    categories that may be shown as points."""

    field_order = ["kind", "category", "area", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["location"]  # the public sees only placed points: no staff place filter
        self.fields["category"].queryset = OffenseCategory.objects.filter(sensitive=False)
        # the taxonomy's names in the visitor's language (the catalogue holds them)
        self.fields["category"].label_from_instance = lambda c: gettext(c.name)
        self.fields["kind"].choices = [("", _("All kinds")), *PUBLIC_KIND_CHOICES]

    def records(self):
        """The published records (past the delay) that match the valid filters; an invalid
        form matches nothing."""
        from copps.publish.store import visible

        qs = visible()
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        column, pk = self.area_column()
        if column:
            qs = qs.filter(**{column: pk})
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("category"):
            qs = qs.filter(category_ref=data["category"].pk)
        if data.get("date_from"):
            qs = qs.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(date__lte=data["date_to"])
        return qs

    def area_column(self) -> tuple[str, int | None]:
        """The stored column the area filter reads and the area's id (("", None): no area)."""
        area = self.cleaned_data.get("area")
        if area is None:
            return "", None
        columns = {"beat": "beat_ref", "district": "district_ref", "neighbourhood": "neighbourhood_ref"}
        return columns[area.type], area.pk

    def filter_key(self) -> tuple:
        """What the valid filters select, as a cache key (with the store's stamp and cut-off)."""
        from copps.publish.store import cut_date

        data = self.cleaned_data
        category = data.get("category")
        return (
            data.get("kind") or "",
            category.pk if category else None,
            self.area_column(),
            data.get("date_from"),
            data.get("date_to"),
            cut_date(),
        )


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class MonthField(forms.CharField):
    default_error_messages = {
        "invalid": _("Counts are published per whole calendar month: give a month as YYYY-MM."),
    }

    def clean(self, value):
        value = super().clean(value)
        if value and not _MONTH.match(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class CountFilterForm(forms.Form):
    """Selects cells of the fixed count tables: kinds, districts, categories, a month range.

    Selection never makes a new sum, so there is nothing to difference."""

    kind = forms.MultipleChoiceField(choices=PUBLIC_KIND_CHOICES, required=False, label=_("Kind"))
    district = forms.MultipleChoiceField(choices=[], required=False, label=_("District"))
    category = forms.MultipleChoiceField(choices=[], required=False, label=pgettext_lazy("filter", "Category"))
    month_from = MonthField(required=False, label=_("From month"))
    month_to = MonthField(required=False, label=_("To month"))

    def __init__(self, *args, districts=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(d, d) for d in districts]
        self.fields["category"].choices = [(c, c) for c in categories]

    def clean(self):
        data = super().clean()
        if data.get("month_from") and data.get("month_to") and data["month_from"] > data["month_to"]:
            raise forms.ValidationError(_("'From month' must be on or before 'To month'."))
        return data


class TrendForm(forms.Form):
    """Which dashboard: an area (the city, a district or a beat) and a kind of event."""

    area = forms.ChoiceField(choices=[], required=False, label=_("Area"))
    kind = forms.ChoiceField(choices=PUBLIC_KIND_CHOICES, required=False, label=_("Kind"))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        kinds = {"district": _("District %(name)s"), "beat": _("Beat %(name)s")}
        self.fields["area"].choices = [
            (a.key, _("Whole city") if a.type == "city" else kinds.get(a.type, "%(name)s") % {"name": a.name})
            for a in areas
        ]

    def clean_area(self):
        return self.cleaned_data.get("area") or "city"

    def clean_kind(self):
        return self.cleaned_data.get("kind") or Kind.CRIME


class ImprovementForm(forms.Form):
    """A resident's answer to "has it improved?"; the comment is held for review."""

    answer = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No")), ("not_sure", _("Not sure"))],
        widget=forms.RadioSelect,
        label=_("Has it improved?"),
    )
    comment = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_(
            "Anything to add? (read by staff before anything is done with it; please leave out names and addresses)"
        ),
    )
