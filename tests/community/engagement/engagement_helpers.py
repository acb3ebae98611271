"""Helpers shared by the engagement tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations


def questions(survey) -> dict:
    """The survey's questions by kind."""
    return {q.kind: q for q in survey.questions.all()}


def answer_data(survey, area, **over) -> dict:
    """A complete, valid POST for the survey answer page."""
    q = questions(survey)
    data = {
        "area": area.pk,
        f"q{q['scale'].pk}": "4",
        f"q{q['yesno'].pk}": "1",
        f"q{q['choice'].pk}": "Speeding",
        f"q{q['text'].pk}": "Cars race down Maple at night",
    }
    data.update(over)
    return data
