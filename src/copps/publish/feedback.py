"""Residents' "has it improved?" answers on public problem pages, and how they are shown.

One answer per browser per problem: the browser carries a random cookie and copps keeps
only a keyed hash of it (never an address or an account). The optional comment is held
for review and is never published by this module. Results are shown as the share
answering "yes" with a 95% Wilson interval, and only once at least k residents answered
(the same k as the count tables): fewer answers would say too much about too few people.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from scipy.stats import binomtest

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
    n: int
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
    if n < k:
        return Results(n=n, k=k, shown=False)
    yes = counts.get("yes", 0)
    ci = binomtest(yes, n).proportion_ci(confidence_level=0.95, method="wilson")
    return Results(
        n=n,
        k=k,
        shown=True,
        yes=yes,
        no=counts.get("no", 0),
        not_sure=counts.get("not_sure", 0),
        share_yes=100.0 * yes / n,
        lower=100.0 * ci.low,
        upper=100.0 * ci.high,
    )


def results_for(problem_ids: list[int]) -> dict[int, Results]:
    """Results of several problems in one query."""
    k = current_rules().k
    counts: dict[int, dict[str, int]] = {pk: {} for pk in problem_ids}
    rows = (
        ImprovementAnswer.objects.filter(problem_id__in=problem_ids)
        .values_list("problem_id", "answer")
        .annotate(n=Count("id"))
        .order_by()
    )
    for pk, value, n in rows:
        counts[pk][value] = n
    return {pk: _results(c, k) for pk, c in counts.items()}


def results(problem_id: int) -> Results:
    return results_for([problem_id])[problem_id]
