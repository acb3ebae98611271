"""Residents' "has it improved?" answers on public problem pages, and how they are shown.

One answer per browser per problem: the browser carries a random cookie and copps keeps
only a keyed hash of it (never an address or an account). The optional comment is held
for review and is never published by this module. Results are shown as the share
answering "yes" with a 95% Wilson interval, and only once at least k residents answered
(the same k as the count tables): fewer answers would say too much about too few people.

Anyone can answer, so a few answers whose values the sender knows could take a problem past k
and be subtracted again (issue 13, item 10). As for surveys (``copps.community.engagement.
results``), the published results count the answers given before the start of today (the site's
time zone) and every count is rounded to the nearest 5, the share and its interval worked out
from the rounded counts: nine hidden answers plus one known one say only which fives they lie in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count

from copps.analysis.intervals import proportion
from copps.community.engagement.results import public_as_of, round5
from copps.publish.conf import rules as current_rules
from copps.publish.models import ImprovementAnswer

__all__ = ["COOKIE", "Results", "browser_id", "new_cookie", "answer", "results", "results_for"]

COOKIE = "copps_resident"


def new_cookie() -> str:
    return secrets.token_urlsafe(24)


def browser_id(cookie: str) -> str:
    """The stored form of a browser's cookie: a keyed hash, so the table cannot be joined to it."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"improved:{cookie}".encode(), hashlib.sha256).hexdigest()


def answer(problem_id: int, cookie: str, value: str, comment: str = "") -> bool:
    """Record one answer; False when this browser has already answered for this problem."""
    try:
        with transaction.atomic():
            ImprovementAnswer.objects.create(
                problem_id=problem_id, answer=value, comment=comment.strip(), browser=browser_id(cookie)
            )
    except IntegrityError:
        return False
    return True


def has_answered(problem_id: int, cookie: str | None) -> bool:
    return bool(cookie) and ImprovementAnswer.objects.filter(problem_id=problem_id, browser=browser_id(cookie)).exists()


@dataclass(frozen=True)
class Results:
    n: int  # when shown, rounded to the nearest 5 like every count here
    k: int
    shown: bool  # False below k: nothing but "fewer than k answers" is published
    yes: int | None = None
    no: int | None = None
    not_sure: int | None = None
    share_yes: float | None = None  # percent
    lower: float | None = None  # 95% Wilson interval, percent
    upper: float | None = None


def _results(counts: dict[str, int], k: int) -> Results:
    n = sum(counts.values())
    shown_n = round5(n)
    if n < k or not shown_n:
        return Results(n=n, k=k, shown=False)
    yes, no, not_sure = (round5(counts.get(value, 0)) for value in ("yes", "no", "not_sure"))
    ci = proportion(yes, shown_n)
    return Results(
        n=shown_n,
        k=k,
        shown=True,
        yes=yes,
        no=no,
        not_sure=not_sure,
        share_yes=100.0 * yes / shown_n,
        lower=100.0 * ci.low,
        upper=100.0 * ci.high,
    )


def results_for(problem_ids: list[int], as_of: datetime | None = None) -> dict[int, Results]:
    """Published results of several problems in one query: the answers given before ``as_of``
    (default: the start of today), counts rounded to the nearest 5."""
    k = current_rules().k
    counts: dict[int, dict[str, int]] = {pk: {} for pk in problem_ids}
    rows = (
        ImprovementAnswer.objects.filter(problem_id__in=problem_ids, created_at__lt=as_of or public_as_of())
        .values_list("problem_id", "answer")
        .annotate(n=Count("id"))
        .order_by()
    )
    for pk, value, n in rows:
        counts[pk][value] = n
    return {pk: _results(c, k) for pk, c in counts.items()}


def results(problem_id: int) -> Results:
    return results_for([problem_id])[problem_id]
