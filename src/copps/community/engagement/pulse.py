"""The survey pulse as an outcome: perceived safety and trust in the police, before and after a
problem's response, from the surveys answered in the problem's areas.

A question counts when staff mark what it measures (``Question.outcome``: perceived safety or
trust) and it is a 1–5 scale or a yes/no question; a higher number, or "yes", is the better
answer. Each respondent counts once per measure and period: a response that answers two safety
scales gives the mean of its two answers, so that answers from one person are not taken as
independent. Scales and yes/no questions are never pooled: a measure of each kind is its own row.

For each measure and zone the figures are:

- per period, n (respondents), the mean (scales, with its Student-t interval) or the share
  answering yes (with its Wilson interval), from ``copps.analysis.intervals``;
- the change between the periods with a test: Welch's unequal-variance t-test for scales
  (Welch 1947), Fisher's exact test for yes/no shares (Fisher 1935), both from scipy;
- suppression: a period with fewer than ``COPPS_SURVEY_MIN_N`` respondents gives no figures and
  no test, only that it is too few (the rule the published survey results follow).

Staff read these figures, so they are exact (not the rounded public results), but a period
under the minimum is withheld all the same: a mean of three answers is not evidence.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from scipy import stats

from copps.analysis.intervals import mean_t, proportion
from copps.community.engagement.conf import survey_min_n
from copps.community.engagement.models import Answer, Question, SurveyResponse
from copps.incidents.models import Area

__all__ = ["PERIODS", "answered_areas", "survey_pulse"]

PERIODS = ("before", "after")
_KINDS = (Question.Kind.SCALE, Question.Kind.YESNO)


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants a period of whole local days runs between (``last`` included)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz),
    )


def answered_areas(periods: dict[str, tuple[date, date]]) -> list[Area]:
    """The areas with an answer to an outcome question in any of the periods: the candidates for
    the zones' overlap test (``problems/assessing.py``)."""
    start = _bounds(*min(periods.values()))[0]
    stop = _bounds(*max(periods.values(), key=lambda p: p[1]))[1]
    ids = (
        SurveyResponse.objects.filter(
            submitted_at__gte=start,
            submitted_at__lt=stop,
            answers__question__outcome__gt="",
            answers__question__kind__in=_KINDS,
        )
        .values_list("area_id", flat=True)
        .distinct()
    )
    return list(Area.objects.filter(pk__in=set(ids)).order_by("type", "code"))


def _values(area_ids: list[int], first: date, last: date) -> dict[tuple[str, str], list[float]]:
    """``{(outcome, kind): [one value per respondent]}`` for answers sent in the period."""
    start, stop = _bounds(first, last)
    rows = Answer.objects.filter(
        response__area_id__in=area_ids,
        response__submitted_at__gte=start,
        response__submitted_at__lt=stop,
        question__outcome__gt="",
        question__kind__in=_KINDS,
        number__isnull=False,
    ).values_list("response_id", "question__outcome", "question__kind", "number")
    per_person: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for response_id, outcome, kind, number in rows:
        per_person[(outcome, kind)][response_id].append(number)
    return {key: [sum(v) / len(v) for v in people.values()] for key, people in per_person.items()}


def _figures(kind: str, values: list[float], min_n: int) -> dict:
    n = len(values)
    if n < min_n:
        return {"n": n, "suppressed": True}
    if kind == Question.Kind.SCALE:
        e = mean_t(values)
    else:
        # a respondent who answered two yes/no questions of a measure counts as "yes" when most
        # of their answers were yes
        e = proportion(sum(1 for v in values if v > 0.5), n)
    return {"n": n, "suppressed": False, "value": e.value, "low": e.low, "high": e.high}


def _test(kind: str, before: list[float], after: list[float]) -> dict:
    if kind == Question.Kind.SCALE:
        if len(set(before)) < 2 and len(set(after)) < 2:
            # no spread in either period: the t statistic is undefined
            return {"name": "Welch's t-test", "statistic": None, "p": 1.0 if before[0] == after[0] else 0.0}
        t = stats.ttest_ind(after, before, equal_var=False)
        return {"name": "Welch's t-test", "statistic": float(t.statistic), "p": float(t.pvalue)}
    yes_b = sum(1 for v in before if v > 0.5)
    yes_a = sum(1 for v in after if v > 0.5)
    res = stats.fisher_exact([[yes_a, len(after) - yes_a], [yes_b, len(before) - yes_b]])
    return {"name": "Fisher's exact test", "statistic": float(res.statistic), "p": float(res.pvalue)}


def survey_pulse(area_ids: list[int], periods: dict[str, tuple[date, date]], *, min_n: int | None = None) -> list[dict]:
    """The pulse measures of the surveys answered in ``area_ids`` over the ``before`` and
    ``after`` periods (local dates, both ends included), as plain JSON for an assessment's result.

    Each row: ``outcome`` and ``kind`` (with human ``label``), ``before`` and ``after`` figures
    (``n``, ``suppressed``, ``value``, ``low``, ``high``), ``change`` (after minus before, or
    None) and ``test`` (``name``, ``statistic``, ``p``; None when a period is suppressed).
    """
    min_n = survey_min_n() if min_n is None else min_n
    values = {name: _values(area_ids, *periods[name]) for name in PERIODS}
    keys = sorted(set(values["before"]) | set(values["after"]))
    labels = dict(Question.Outcome.choices)
    rows = []
    for outcome, kind in keys:
        before, after = values["before"].get((outcome, kind), []), values["after"].get((outcome, kind), [])
        fig = {"before": _figures(kind, before, min_n), "after": _figures(kind, after, min_n)}
        shown = not (fig["before"]["suppressed"] or fig["after"]["suppressed"])
        rows.append(
            {
                "outcome": outcome,
                "kind": kind,
                "label": labels.get(outcome, outcome),
                "measure": "mean on the 1–5 scale" if kind == Question.Kind.SCALE else "share answering yes",
                **fig,
                "change": fig["after"]["value"] - fig["before"]["value"] if shown else None,
                "test": _test(kind, before, after) if shown else None,
            }
        )
    return rows
