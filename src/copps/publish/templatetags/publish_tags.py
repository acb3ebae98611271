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
    """The p-value as a whole statement: "p = 0.034" (two significant figures), "p < 0.001" below
    that (never "p = < 0.001"), "p = —" when there is none."""
    if value is None:
        return "p = —"
    return "p < 0.001" if value < 0.001 else f"p = {value:.2g}"


@register.filter
def label(value) -> str:
    """A name from the department's own vocabulary (an offence category, a kind of service
    request, "All areas") in the visitor's language when the catalogue has it, else as stored."""
    from django.utils.translation import gettext

    text = "" if value is None else str(value)
    return gettext(text) if text else text


@register.filter
def area_label(area) -> str:
    """A dashboard's area as a resident reads it: "Whole city", "District A", "Beat A1"."""
    from django.utils.translation import gettext

    if area.type == "city":
        return gettext("Whole city")
    kinds = {"district": gettext("District %(name)s"), "beat": gettext("Beat %(name)s")}
    return kinds.get(area.type, "%(name)s") % {"name": area.name}


@register.filter
def kind_label(kind) -> str:
    """A kind of event (crime, call for service, collision) in the visitor's language."""
    from copps.publish.forms import PUBLIC_KIND_CHOICES

    return str(dict(PUBLIC_KIND_CHOICES).get(kind, kind))
