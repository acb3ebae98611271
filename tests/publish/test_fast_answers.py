"""Fast first answers (issue 17, part 4): the public grid sums the cell counts kept at refresh
(``PublicCellCount``) for the whole months a filter covers and counts the records only for the
days it cuts out of a month. Its answer must be the one counting every record of the filter gives,
for every combination of kind, category, area and dates, after a full rebuild and after
incremental refreshes. The count tables behind the trends keep each table's suppression
(``ProtectedCells``), made at refresh: the answers are those of protecting every table afresh."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

import numpy as np
import pytest
from django.core.cache import caches
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from copps.geo.cells import cell_features
from copps.geo.crs import Projector
from copps.incidents.models import Event, OffenseCategory
from copps.publish import published, store
from copps.publish.conf import rules as current_rules
from copps.publish.forms import PublicFilterForm
from copps.publish.models import ProtectedCells, PublicCellCount, PublicLattice
from copps.publish.published import GRID_M, whole_months
from copps.publish.snaps import load_snaps

pytestmark = pytest.mark.django_db


def counted_grid(params: dict) -> list:
    """The grid as it was computed before the cell counts: every record of the filter counted."""
    form = PublicFilterForm(params)
    assert form.is_valid(), form.errors
    rows = (
        form.records()
        .filter(sensitive=False, lon__isnull=False)
        .values_list("cell_x", "cell_y")
        .annotate(n=Count("*"))
        .order_by("cell_x", "cell_y")
    )
    cells = np.array(list(rows), dtype=np.int64).reshape(-1, 3)
    if not len(cells):
        return []
    counts = [{"count": int(k)} for k in cells[:, 2]]
    crs = load_snaps().crs
    return cell_features(cells[:, 1], cells[:, 0], counts, origin=(0.0, 0.0), size=GRID_M, projector=Projector(crs))


def key(feature) -> str:
    return repr(feature["geometry"]["coordinates"])


def served(client, params: dict) -> list:
    response = client.get(reverse("publish:public_api:grid") + "?" + urlencode(params))
    assert response.status_code == 200
    return sorted(response.json()["features"], key=key)


def filters(town) -> list[dict]:
    """Kinds, categories, areas and date ranges: whole months, parts of months, ranges inside one
    month, open ends, the months not yet ended and the days past the publication delay."""
    today = timezone.localdate()
    first = today.replace(day=1)
    month_ago = (first - timedelta(days=1)).replace(day=1)
    last_of_month = first - timedelta(days=1)
    burglary = OffenseCategory.objects.get(code="burglary").pk
    dates = [
        {},
        {"date_from": (first - timedelta(days=200)).isoformat()},
        {"date_to": last_of_month.isoformat()},
        {"date_to": (today - timedelta(days=45)).isoformat()},
        {"date_from": (month_ago - timedelta(days=120)).isoformat(), "date_to": last_of_month.isoformat()},
        {"date_from": (today - timedelta(days=300)).isoformat(), "date_to": (today - timedelta(days=20)).isoformat()},
        {"date_from": month_ago.isoformat(), "date_to": (month_ago + timedelta(days=9)).isoformat()},
        {"date_from": (today - timedelta(days=10)).isoformat(), "date_to": today.isoformat()},
    ]
    what = [
        {},
        {"kind": "crime"},
        {"kind": "collision"},
        {"category": burglary},
        {"kind": "crime", "category": burglary},
        {"area": town.districts["A"].pk},
        {"area": town.beats["B"].pk, "kind": "crime"},
        {"area": town.districts["B"].pk, "category": burglary},
    ]
    return [{**w, **d} for w in what for d in dates]


def populate(town, n: int = 160, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    for i in range(n):
        kind = "collision" if i % 7 == 0 else "crime"
        category = None if kind == "collision" else ["burglary", "burglary", "theft-from-vehicle", None][i % 4]
        town.event(
            kind=kind,
            category=category,
            days_ago=int(rng.integers(1, 420)),
            # some reported weeks later: past the delay only then
            reported_days_ago=None if i % 5 else int(rng.integers(0, 3)),
            district="AB"[int(rng.integers(0, 2))],
            at=int(rng.integers(0, len(town.addresses))),
            sensitive=i % 11 == 0,
        )


def test_the_grid_from_cell_counts_is_the_grid_counted_from_the_records(client, town):
    populate(town)
    town.publish()
    assert PublicCellCount.objects.exists()
    seen_counts = 0
    for params in filters(town):
        expected = sorted(counted_grid(params), key=key)
        assert served(client, params) == expected, params
        seen_counts += sum(f["properties"]["count"] for f in expected)
    assert seen_counts > 1000  # the filters select events, not only empty grids


def test_the_grid_follows_incremental_refreshes(client, town):
    populate(town, n=80)
    town.publish()
    params = filters(town)[::5]
    for step in range(3):
        touched = [town.event(days_ago=30 + 40 * step, at=step, category="burglary").id]
        gone = Event.objects.order_by("id")[step]
        touched.append(gone.id)
        gone.delete()
        moved = Event.objects.order_by("-id")[step + 1]
        moved.occurred_from -= timedelta(days=70)
        moved.save()
        store.mark_stale([[*touched, moved.id]])
        assert store.refresh_incremental(full_above=10.0).incremental
        for p in params:
            assert served(client, p) == sorted(counted_grid(p), key=key), (step, p)


@pytest.mark.parametrize(
    "date_from, date_to, cut, expected",
    [
        (None, None, date(2026, 3, 15), (None, date(2026, 3, 1))),
        (None, None, date(2026, 3, 1), (None, date(2026, 3, 1))),
        (date(2025, 11, 1), date(2026, 1, 31), date(2026, 3, 15), (date(2025, 11, 1), date(2026, 2, 1))),
        (date(2025, 11, 2), date(2026, 1, 30), date(2026, 3, 15), (date(2025, 12, 1), date(2026, 1, 1))),
        (date(2026, 1, 2), date(2026, 1, 30), date(2026, 3, 15), None),
        (date(2026, 2, 1), None, date(2026, 2, 20), None),
        (date(2025, 12, 1), date(2026, 12, 31), date(2026, 2, 20), (date(2025, 12, 1), date(2026, 2, 1))),
    ],
)
def test_whole_months_are_inside_the_range_and_ended_before_the_cut_off(date_from, date_to, cut, expected):
    assert whole_months(date_from, date_to, cut) == expected


def trend_answers(client, town) -> list:
    areas = ["city", "district:A", "district:B", "beat:A1", "beat:B1"]
    out = []
    for area in areas:
        for kind in ("crime", "collision"):
            response = client.get(reverse("publish:public_api:trends") + f"?area={area}&kind={kind}")
            assert response.status_code == 200
            out.append(response.json())
    response = client.get(reverse("publish:public_api:counts"))
    assert response.status_code == 200
    return [*out, response.json()]


def test_count_tables_protected_at_refresh_answer_as_protecting_them_afresh(client, town, monkeypatch):
    populate(town)
    town.publish()
    kept = ProtectedCells.objects.count()
    assert kept > 10
    rules = current_rules()
    for by_beat in (False, True):
        fresh = published._build_tables(by_beat, rules)  # every table protected now, nothing kept read
        again = published._build_tables(by_beat, rules, published._Kept())
        assert len(fresh.tables) == len(again.tables) > 0
        for a, b in zip(fresh.tables, again.tables, strict=True):
            assert (a.kind, a.month, a.sensitive, a.rows, a.columns) == (
                b.kind,
                b.month,
                b.sensitive,
                b.rows,
                b.columns,
            )
            assert (a.table.values == b.table.values).all() and (a.table.hidden == b.table.hidden).all()
            assert (a.table.primary == b.table.primary).all()
    hidden = sum(int(t.table.hidden.sum()) for t in published.count_tables().tables)
    assert hidden > 0  # the town's tables do suppress cells
    # a first answer builds and protects nothing: the day's lattices were kept at refresh
    assert PublicLattice.objects.count() == 2
    with monkeypatch.context() as patched:
        patched.setattr(published, "protect", lambda *a: pytest.fail("protected on a request"))
        patched.setattr(published, "_build_tables", lambda *a: pytest.fail("built on a request"))
        kept_answers = trend_answers(client, town)
    caches["default"].clear()
    PublicLattice.objects.all().delete()
    with monkeypatch.context() as patched:  # the lattices built again from the kept suppressions
        patched.setattr(published, "protect", lambda *a: pytest.fail("protected on a request"))
        assert trend_answers(client, town) == kept_answers
    caches["default"].clear()
    ProtectedCells.objects.all().delete()
    assert trend_answers(client, town) == kept_answers  # protected afresh on the request: the same


def test_a_kept_lattice_is_read_only_for_the_version_it_was_built_for(client, town):
    populate(town, n=40)
    town.publish()
    rules = current_rules()
    kept = {b: published._load(PublicLattice.objects.get(by_beat=b).body) for b in (False, True)}
    for by_beat, lattice in kept.items():
        built = published._build_tables(by_beat, rules)
        assert (lattice.months, lattice.districts, lattice.categories) == (
            built.months,
            built.districts,
            built.categories,
        )
        assert [(t.kind, t.month, t.sensitive, t.rows, t.columns) for t in lattice.tables] == [
            (t.kind, t.month, t.sensitive, t.rows, t.columns) for t in built.tables
        ]
        for a, b in zip(lattice.tables, built.tables, strict=True):
            assert (a.table.values == b.table.values).all() and (a.table.hidden == b.table.hidden).all()
    old_key = PublicLattice.objects.get(by_beat=False).key
    town.event(days_ago=50)
    store.refresh()
    assert PublicLattice.objects.get(by_beat=False).key != old_key  # a refresh keeps the new version's


def test_a_refresh_protects_only_the_tables_whose_counts_changed(town):
    populate(town, n=60)
    town.publish()
    before = set(ProtectedCells.objects.values_list("digest", flat=True))
    new = town.event(days_ago=45, category="burglary")
    store.mark_stale([[new.id]])
    assert store.refresh_incremental(full_above=10.0).incremental
    after = set(ProtectedCells.objects.values_list("digest", flat=True))
    # the new event's month changed its crime tables (district and beat); the rest are kept as they were
    assert 1 <= len(after - before) <= 2 and len(before - after) == len(after - before)
    assert published.keep_protected() == 0  # nothing left to protect
