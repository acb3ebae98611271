"""Survey results per area: n, mean or proportions with 95% intervals, and suppression.

A cell (one question in one area) with fewer than ``COPPS_SURVEY_MIN_N`` answers is
suppressed: its n and figures are withheld. The all-areas total would give a suppressed cell
away by subtraction when it is the only one hidden, so the total is shown only when the
hidden cells together hold no answers or at least the minimum (they then form a group that
passes the rule itself). Free texts appear only once approved, and only in shown cells, scrubbed
of e-mail addresses, phone numbers and house numbers (``clean_text``); a text cell is judged
by the number of people who answered the survey in its area, not the few who wrote.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from copps.community.engagement.conf import survey_min_n
from copps.community.engagement.models import Answer, Question, Survey
from copps.community.engagement.stats import Estimate, mean_t, wilson
from copps.geo.text import clean_text

__all__ = ["Cell", "QuestionResult", "survey_results"]

YES, NO = 1, 0


@dataclass
class Cell:
    """One question's result in one area (``area`` None: all areas together)."""

    area: str
    n: int
    suppressed: bool = False
    mean: Estimate | None = None  # scale
    shares: list[tuple[str, Estimate]] = field(default_factory=list)  # yes/no, choice
    texts: list[str] = field(default_factory=list)  # approved free texts (staff: all, with status)
    pending: int = 0


@dataclass
class QuestionResult:
    question: Question
    cells: list[Cell]
    total: Cell | None


def _summarise(question: Question, rows: list[tuple], area: str, public: bool) -> Cell:
    cell = Cell(area=area, n=len(rows))
    if not rows:
        return cell
    kind = question.kind
    if kind == Question.Kind.SCALE:
        cell.mean = mean_t([r[0] for r in rows])
    elif kind == Question.Kind.YESNO:
        yes = sum(1 for r in rows if r[0] == YES)
        cell.shares = [("yes", wilson(yes, len(rows))), ("no", wilson(len(rows) - yes, len(rows)))]
    elif kind == Question.Kind.CHOICE:
        counts: dict[str, int] = defaultdict(int)
        for r in rows:
            counts[r[1]] += 1
        options = list(question.choices or []) + sorted(set(counts) - set(question.choices or []))
        cell.shares = [(opt, wilson(counts.get(opt, 0), len(rows))) for opt in options]
    else:
        approved = [r[2] for r in rows if r[3] == Answer.Review.APPROVED]
        cell.pending = sum(1 for r in rows if r[3] == Answer.Review.PENDING)
        # approved for the public, yet free text: scrubbed like every published one (no e-mail,
        # phone or house number); staff see the words as written
        cell.texts = [clean_text(t) for t in approved] if public else [f"[{r[3]}] {r[2]}" for r in rows]
    return cell


def survey_results(survey: Survey, *, public: bool) -> list[QuestionResult]:
    """Results of ``survey`` for each question, per area and for all areas.

    ``public=True`` applies the suppression rule and shows approved free texts only;
    staff (``public=False``) see every cell, with the suppression it would get, and every text
    with its review status.
    """
    min_n = survey_min_n()
    areas = {a.pk: a.name for a in survey.areas.all()}
    questions = list(survey.questions.all())
    by_cell: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    rows = Answer.objects.filter(response__survey=survey).values_list(
        "question_id", "response__area_id", "number", "choice", "text", "review"
    )
    for qid, area_id, number, choice, text, review in rows:
        if text == "" and number is None and choice == "":
            continue  # an optional question left blank
        by_cell[(qid, area_id)].append((number, choice, text, review))
        areas.setdefault(area_id, str(area_id))
    # Free texts are few by nature: their cells are judged by how many answered the survey there.
    respondents = dict(survey.responses.values_list("area_id").annotate(n=Count("id")).values_list("area_id", "n"))
    out = []
    for q in questions:
        cells = []
        hidden_n = 0
        for area_id, name in sorted(areas.items(), key=lambda kv: kv[1]):
            cell_rows = by_cell.get((q.pk, area_id), [])
            cell = _summarise(q, cell_rows, name, public)
            weight = respondents.get(area_id, 0) if q.kind == Question.Kind.TEXT else len(cell_rows)
            cell.suppressed = weight < min_n
            if cell.suppressed:
                hidden_n += weight
            cells.append(cell)
        all_rows = [r for (qid, _), rs in by_cell.items() if qid == q.pk for r in rs]
        total = _summarise(q, all_rows, "", public)
        total_weight = sum(respondents.values()) if q.kind == Question.Kind.TEXT else len(all_rows)
        total.suppressed = total_weight < min_n or 0 < hidden_n < min_n
        if public:
            cells = [_withheld(c) if c.suppressed else c for c in cells]
            total = _withheld(total) if total.suppressed else total
            # a text from a hidden area must not surface through the total
            total.texts = [t for c in cells for t in c.texts]
        out.append(QuestionResult(q, cells, total))
    return out


def _withheld(cell: Cell) -> Cell:
    """A suppressed cell as the public sees it: the area's name and nothing else."""
    return Cell(area=cell.area, n=0, suppressed=True)
