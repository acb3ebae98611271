"""Differencing attacks on the published counts fail: shifted windows, area A against A or B,
totals minus visible cells. Every query is a selection from one fixed lattice of protected
monthly tables, so a cell always shows the same value, and the union of everything any query
returns still leaves every hidden cell undetermined."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copps.publish.aggregate import audit
from copps.publish.counts import ALL, CITY, build_tables, table_rows
from copps.publish.pipeline import SENSITIVE_CATEGORY, CountRecord

MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04"]
DISTRICTS = ["A", "B", "C"]
CATEGORIES = {"crime": ["Burglary", "Larceny", "Robbery"]}

record = st.builds(
    CountRecord,
    kind=st.just("crime"),
    month=st.sampled_from(MONTHS),
    district=st.sampled_from(DISTRICTS),
    category=st.sampled_from(CATEGORIES["crime"]),
    sensitive=st.just(False),
)
sensitive_record = st.builds(
    CountRecord,
    kind=st.just("crime"),
    month=st.sampled_from(MONTHS),
    district=st.sampled_from(DISTRICTS),
    category=st.just(SENSITIVE_CATEGORY),
    sensitive=st.just(True),
)


def _queries():
    """What an attacker asks: every month window (shifted by one), every district subset
    (A, A or B, ...), every category subset, and the totals."""
    windows = [MONTHS[i:j] for i in range(len(MONTHS)) for j in range(i + 1, len(MONTHS) + 1)]
    areas = [list(c) for n in range(1, 4) for c in combinations(DISTRICTS, n)] + [None]
    cats = [[c] for c in CATEGORIES["crime"]] + [None]
    for window in windows:
        for area in areas:
            for cat in cats:
                yield window, area, cat


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record, max_size=120), st.lists(sensitive_record, max_size=40), st.sampled_from([5, 10]))
def test_no_query_combination_recovers_a_suppressed_cell(public, sensitive, k):
    tables = build_tables(public + sensitive, months=MONTHS, districts=DISTRICTS, categories=CATEGORIES, k=k)
    seen: dict[tuple, int | None] = {}
    for window, area, cat in _queries():
        for table in tables:
            if table.month not in window:
                continue
            for cell in table_rows(table, districts=area, categories=cat):
                key = (cell["month"], cell["sensitive"], cell["category"], cell["district"])
                # the same cell shows the same thing whatever the query
                assert seen.setdefault(key, cell["count"]) == cell["count"]
    for table in tables:
        rows = list(table.rows) + [ALL]
        cols = list(table.columns) + [CITY]
        # what the attacker holds for this table: every value any query returned
        known = np.zeros(table.table.values.shape, bool)
        for (month, sens, cat, district), value in seen.items():
            if month == table.month and sens == table.sensitive and value is not None:
                known[rows.index(cat), cols.index(district)] = True
        hidden = ~known
        if table.sensitive:
            hidden[1, :] = hidden[0, :]  # the one-row table's "All" row repeats its row and is not shown
        if not hidden[table.table.values > 0].any():
            continue
        bounds = audit(table.table.values, hidden)
        for r, c, lo, hi in bounds:
            value = table.table.values[int(r), int(c)]
            if value == 0 and not table.table.hidden[int(r), int(c)]:
                continue
            assert hi - lo >= 1 - 1e-6, f"{table.month} {rows[int(r)]}/{cols[int(c)]} = {value} recovered"
    # the sensitive counts are never part of a public total
    for table in tables:
        if not table.sensitive and table.cell(ALL, CITY) is not None:
            assert table.cell(ALL, CITY) == sum(1 for r in public if r.month == table.month)


def test_counts_api_takes_whole_months_only(client, town):
    response = client.get(reverse("publish:public_api:counts"), {"month_from": "2025-01-15"})
    assert response.status_code == 400
    assert "whole calendar month" in response.content.decode()


def test_counts_api_cells_are_the_same_whatever_the_selection(client, town):
    for i in range(60):
        town.event(category=["burglary", "larceny"][i % 2], days_ago=40 + (i % 50), district="AB"[i % 3 == 0])
    town.publish()
    url = reverse("publish:public_api:counts")
    full = {
        (c["kind"], c["month"], c["sensitive"], c["category"], c["district"]): c["count"]
        for c in client.get(url).json()["cells"]
    }
    assert full
    months = sorted({k[1] for k in full})
    for params in [
        {"district": "A"},
        {"district": ["A", "B"]},
        {"month_from": months[-1]},
        {"month_to": months[0]},
        {"category": "Burglary"},
        {"kind": "crime"},
    ]:
        for c in client.get(url, params).json()["cells"]:
            assert full[(c["kind"], c["month"], c["sensitive"], c["category"], c["district"])] == c["count"]
