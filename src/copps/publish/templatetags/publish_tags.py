"""Number formats for the public pages: signed percentages and p-values."""

from django import template

register = template.Library()


@register.filter
def signed(value) -> str:
    """+12 / -8 / 0, rounded to a whole percent."""
    if value is None:
        return "—"
    n = round(float(value))
    return f"+{n}" if n > 0 else str(n)


@register.filter
def pvalue(value) -> str:
    """p to two significant figures; "< 0.001" below that."""
    if value is None:
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.2g}"
