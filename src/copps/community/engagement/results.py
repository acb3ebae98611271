"""Survey results per area: n, mean or proportions with 95% intervals, and suppression.

A cell (one question in one area) with fewer than ``COPPS_SURVEY_MIN_N`` answers is
suppressed: its n and figures are withheld. The all-areas total would give a suppressed cell
away by subtraction when it is the only one hidden, so the total is shown only when the
hidden cells together hold no answers or at least the minimum (they then form a group that
passes the rule itself). Free texts appear only once approved, and only in shown cells, scrubbed
of e-mail addresses, phone numbers and house numbers (``clean_text``); a text cell is judged
by the number of people who answered the survey in its area, not the few who wrote.

Anyone can answer, so anyone can add answers whose values they know, and subtract them from
what is published: six made-up answers took a hidden area of four past the minimum and gave
its four answers away exactly (issue 13, item 10). So the public figures do not move with
each answer, and do not say exactly what a few answers are:

- they are **refreshed once a day**: only answers sent before the start of the day (the site's
  time zone) count, so a new answer shows the next day, together with everyone else's;
- every **count is rounded to the nearest 5** (``round5``: n, and each option's count; shares
  and their Wilson intervals are worked out from the rounded counts), and a **mean and its
  interval are rounded to the nearest 0.5**. A cell pushed past the minimum by known answers
  then tells its hidden answers only to within several values (``docs/engagement.md``).

Staff see the live, exact figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db.models import Count
from django.utils import timezone

from copps.analysis.intervals import Estimate, mean_t, proportion
from copps.community.engagement.conf import survey_min_n
from copps.community.engagement.models import Answer, Question, Survey
from copps.geo.text import clean_text

__all__ = ["Cell", "QuestionResult", "survey_results", "public_as_of", "round5", "SMALL", "SUBTRACTION"]

YES, NO = 1, 0
MEAN_STEP = 0.5  # a public mean and its interval, to the nearest half point of the 1–5 scale


def round5(count: int) -> int:
    """``count`` to the nearest multiple of 5 (0–2 → 0, 3–7 → 5, 8–12 → 10, ...)."""
    return 5 * ((count + 2) // 5)


def _half(value: float | None) -> float | None:
    return None if value is None else round(value / MEAN_STEP) * MEAN_STEP


def public_as_of(now: datetime | None = None) -> datetime:
    """The moment the public results are taken at: the start of today in the site's time zone."""
    today = timezone.localdate(now or timezone.now())
    return datetime.combine(today, time.min, tzinfo=timezone.get_current_timezone())


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
    # why a suppressed cell is hidden: SMALL (fewer answers than the minimum) or SUBTRACTION (a
    # total that would give a small hidden area away: it may hold many answers itself)
    hidden_because: str = ""


SMALL, SUBTRACTION = "small", "subtraction"


@dataclass
class QuestionResult:
    question: Question
    cells: list[Cell]
    total: Cell | None


def _summarise(question: Question, rows: list[tuple], area: str, public: bool) -> Cell:
    cell = Cell(area=area, n=round5(len(rows)) if public else len(rows))
    if not rows:
        return cell
    kind = question.kind
    if kind == Question.Kind.SCALE:
        mean = mean_t([r[0] for r in rows])
        if public:
            mean = Estimate(cell.n, _half(mean.value), _half(mean.low), _half(mean.high))
        cell.mean = mean
    elif kind in (Question.Kind.YESNO, Question.Kind.CHOICE):
        counts: dict[str, int] = defaultdict(int)
        for r in rows:
            counts[("yes" if r[0] == YES else "no") if kind == Question.Kind.YESNO else r[1]] += 1
        if kind == Question.Kind.YESNO:
            options = ["yes", "no"]
        else:
            options = list(question.choices or []) + sorted(set(counts) - set(question.choices or []))
        n = len(rows)
        if public:  # every count rounded, and the shares worked out from the rounded counts
            counts = defaultdict(int, {k: round5(v) for k, v in counts.items()})
            n = cell.n
        if n:
            cell.shares = [(opt, proportion(counts.get(opt, 0), n)) for opt in options]
    else:
        approved = [r[2] for r in rows if r[3] == Answer.Review.APPROVED]
        cell.pending = sum(1 for r in rows if r[3] == Answer.Review.PENDING)
        # approved for the public, yet free text: scrubbed like every published one (no e-mail,
        # phone or house number); staff see the words as written
        cell.texts = [clean_text(t) for t in approved] if public else [f"[{r[3]}] {r[2]}" for r in rows]
    return cell


def survey_results(survey: Survey, *, public: bool, as_of: datetime | None = None) -> list[QuestionResult]:
    """Results of ``survey`` for each question, per area and for all areas.

    ``public=True`` applies the suppression rule, counts the answers sent before ``as_of``
    (default: the start of today, ``public_as_of``), rounds the figures and shows approved free
    texts only; staff (``public=False``) see every answer so far, every cell with its exact
    figures and the suppression it would get, and every text with its review status.
    """
    min_n = survey_min_n()
    areas = {a.pk: a.name for a in survey.areas.all()}
    questions = list(survey.questions.all())
    by_cell: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    responses = survey.responses.all()
    if public:
        responses = responses.filter(submitted_at__lt=as_of or public_as_of())
    rows = Answer.objects.filter(response__in=responses).values_list(
        "question_id", "response__area_id", "number", "choice", "text", "review"
    )
    for qid, area_id, number, choice, text, review in rows:
        if text == "" and number is None and choice == "":
            continue  # an optional question left blank
        by_cell[(qid, area_id)].append((number, choice, text, review))
        areas.setdefault(area_id, str(area_id))
    # Free texts are few by nature: their cells are judged by how many answered the survey there.
    respondents = dict(responses.values_list("area_id").annotate(n=Count("id")).values_list("area_id", "n"))
    out = []
    for q in questions:
        cells = []
        hidden_n = 0
        for area_id, name in sorted(areas.items(), key=lambda kv: kv[1]):
            cell_rows = by_cell.get((q.pk, area_id), [])
            cell = _summarise(q, cell_rows, name, public)
            weight = respondents.get(area_id, 0) if q.kind == Question.Kind.TEXT else len(cell_rows)
            cell.suppressed = weight < min_n
            cell.hidden_because = SMALL if cell.suppressed else ""
            if cell.suppressed:
                hidden_n += weight
            cells.append(cell)
        all_rows = [r for (qid, _), rs in by_cell.items() if qid == q.pk for r in rs]
        total = _summarise(q, all_rows, "", public)
        total_weight = sum(respondents.values()) if q.kind == Question.Kind.TEXT else len(all_rows)
        total.suppressed = total_weight < min_n or 0 < hidden_n < min_n
        total.hidden_because = SMALL if total_weight < min_n else SUBTRACTION if total.suppressed else ""
        if public:
            cells = [_withheld(c) if c.suppressed else c for c in cells]
            total = _withheld(total) if total.suppressed else total
            # a text from a hidden area must not surface through the total
            total.texts = [t for c in cells for t in c.texts]
        out.append(QuestionResult(q, cells, total))
    return out


def _withheld(cell: Cell) -> Cell:
    """A suppressed cell as the public sees it: the area's name and why it is hidden, nothing else."""
    return Cell(area=cell.area, n=0, suppressed=True, hidden_because=cell.hidden_because)
