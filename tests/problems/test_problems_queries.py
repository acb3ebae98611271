"""List pages and the problem page cost a fixed number of queries however many rows they show."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.problems.conftest import SQUARE, fill_analysis, fill_response

from copps.problems.models import Candidate, Partner, Problem, StageChange, Task


def many(cast, n: int) -> None:
    for i in range(n):
        p = Problem.objects.create(title=f"Problem {i}", polygon=SQUARE, owner=cast["officer"])
        p.officers.add(cast["officer"])
        Task.objects.create(problem=p, title="t", owner=cast["officer"])
        StageChange.objects.create(problem=p, from_stage="scanning", to_stage="analysis", requested_by=cast["analyst"])
        Candidate.objects.create(
            kind="hot_spot",
            title=f"Hot spot {i}",
            lon=0,
            lat=0,
            x=i * 1000,
            y=0,
            geometry=SQUARE,
            score=i,
            problem=p if i % 2 else None,
            status="promoted" if i % 2 else "open",
        )
        Partner.objects.create(name=f"Partner {i}", kind="business")


@pytest.mark.parametrize("url", ["problems:list", "problems:candidates", "problems:waiting", "problems:partners"])
def test_list_pages_have_a_fixed_query_count(client_for, cast, django_assert_max_num_queries, url):
    c = client_for("supervisor")
    many(cast, 3)
    with django_assert_max_num_queries(12) as few:
        assert c.get(reverse(url) + "?status=all").status_code == 200
    many(cast, 25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(reverse(url) + "?status=all").status_code == 200


def test_problem_page_query_count_does_not_grow_with_its_records(
    client_for, make_problem, cast, django_assert_max_num_queries
):
    problem = make_problem()
    fill_analysis(problem)
    fill_response(problem, cast["officer"])
    c = client_for("officer")
    with django_assert_max_num_queries(40) as first:
        assert c.get(reverse("problems:detail", args=[problem.pk])).status_code == 200
    for i in range(10):
        Task.objects.create(problem=problem, title=f"task {i}", owner=cast["officer"])
        problem.hypotheses.create(statement=f"h {i}")
        problem.triangle.create(side="offender", description=f"o {i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert c.get(reverse("problems:detail", args=[problem.pk])).status_code == 200
