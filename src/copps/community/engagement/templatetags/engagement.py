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


@register.filter
def option_label(value: str, question) -> str:
    """An answer option as the visitor reads it: yes/no in their language, a single-choice option
    in the language staff wrote it in (``Question.choices_es``), else as stored."""
    from copps.language import localized_choices

    if value in ("yes", "no") or question is None:
        return answer_label(value)
    return dict(localized_choices(question.choices, question.choices_es)).get(value, value)
