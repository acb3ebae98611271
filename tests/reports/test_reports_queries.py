"""List pages of the reports make the same number of queries however many problems they list."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from copps.problems.models import ResponsePlan


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_index_and_compstat_query_counts_do_not_grow_with_problems(client_for, make_problem):
    c = client_for("supervisor")
    urls = [reverse("reports:index"), reverse("reports:compstat") + "?district=city&week=2024-W47"]
    for i in range(2):
        p = make_problem(title=f"Problem {i}")
        ResponsePlan.objects.create(problem=p, summary=f"plan {i}")
    for url in urls:  # the data's coverage is computed once (one query), then read from the cache
        queries(c, url)
    before = [queries(c, url) for url in urls]
    for i in range(2, 8):
        p = make_problem(title=f"Problem {i}")
        ResponsePlan.objects.create(problem=p, summary=f"plan {i}")
    after = [queries(c, url) for url in urls]
    assert after == before
    assert "Problem 7" in c.get(urls[1]).content.decode()
