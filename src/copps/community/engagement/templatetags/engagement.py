"""Filters for survey results: shares as percentages, yes/no labels in the page's language."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def percent(value) -> str:
    if value is None:
        return ""
    return f"{100 * float(value):.0f}%"


@register.filter
def answer_label(value: str) -> str:
    return {"yes": gettext("Yes"), "no": gettext("No")}.get(value, value)
