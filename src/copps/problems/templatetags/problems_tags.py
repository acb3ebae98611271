"""Template filters of the workspace: effect statements (always with interval and p), techniques."""

from __future__ import annotations

from django import template

from copps.problems import analyses, assessing, presenting, techniques

register = template.Library()


@register.filter
def effect(assessment) -> str:
    """The assessment's effect in words, always with its interval and p ("" before it has run)."""
    result = (assessment.result or {}).get("before_after")
    if not result:
        return "not computed"
    return assessing.effect_statement(result, (assessment.parameters or {}).get("alpha", 0.05))


@register.filter
def buffer_change(assessment) -> str:
    """The buffer's change against the control, with interval and p ("" without a buffer)."""
    return assessing.buffer_statement(assessment.result or {}, (assessment.parameters or {}).get("alpha", 0.05))


@register.filter
def net_effect(assessment) -> str:
    """The weighted displacement difference in words, with interval and p ("" without a buffer)."""
    return assessing.net_statement(assessment.result or {}, (assessment.parameters or {}).get("alpha", 0.05))


@register.filter
def pulse(assessment) -> list[dict]:
    """The survey pulse of an assessment, zone by zone, in words (see ``assessing.pulse_summary``)."""
    return assessing.pulse_summary(assessment.result or {}, (assessment.parameters or {}).get("alpha", 0.05))


@register.filter
def parameters_sentence(assessment) -> str:
    return assessing.parameters_sentence(assessment)


@register.filter
def checklist_met(change) -> int:
    """How many items of a stage request's checklist were met when it was asked."""
    return sum(1 for item in change.checklist or () if item.get("met"))


@register.filter
def wdq_reading(w) -> str:
    return assessing.wdq_reading(w or {})


@register.filter
def technique_names(codes) -> list[str]:
    known = techniques.by_code()
    return [f"{known[c].number}. {known[c].name}" for c in codes or () if c in known]


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def share_percent(value) -> str:
    """A share of a whole as a percentage: 0.4032 -> "40.3%"."""
    return presenting.share_percent(value)


@register.filter
def finding(saved) -> str:
    """A saved analysis's finding in one sentence ("" for a candidate's evidence or another kind)."""
    return analyses.summary(saved.kind, saved.result or {}) if saved.kind in analyses.KINDS else ""
