"""The weekly CompStat of a district: counts for the week, 28 days and year to date against a
year earlier, only significant changes flagged (each with interval and p), a map of the week's
crimes and hot spots, and every open problem in the district; the same as a PDF."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import shape
from tests.reports.conftest import WEEK, pdf_by_job, pdf_text

from copps.accounts.models import AuditLog
from copps.analysis import compstat
from copps.geo.crs import Projector
from copps.incidents.models import Area, Event, ImportBatch, OffenseCategory, Site
from copps.problems.models import Objective, ResponsePlan
from copps.reports.weekly import compstat_report, parse_week


def plant_spree(district: Area, n: int, category: str = "burglary") -> list[int]:
    """``n`` geocoded crimes of ``category`` at one spot in ``district`` during WEEK (a burglary spree)."""
    monday, _ = parse_week(WEEK)
    point = shape(district.geometry).representative_point()
    x, y = Projector(Site.get().crs).forward(np.array([point.x]), np.array([point.y]))
    batch = ImportBatch.objects.create(
        file_name="spree.csv", sha256="0" * 64, profile="test", source="test", started_at=timezone.now()
    )
    cat = OffenseCategory.objects.get(code=category)
    tz = timezone.get_current_timezone()
    events = [
        Event(
            kind="crime",
            source="test",
            source_id=f"spree-{i}",
            batch=batch,
            category=cat,
            district=district,
            occurred_from=datetime.combine(monday + timedelta(days=i % 7), datetime.min.time(), tz)
            + timedelta(hours=20),
            lat=point.y,
            lon=point.x,
            x=float(x[0]),
            y=float(y[0]),
            raw={},
            row_hash="x",
        )
        for i in range(n)
    ]
    return [e.pk for e in Event.objects.bulk_create(events)]


@pytest.fixture
def north(imported):
    return Area.objects.get(type="district", name="North")


def test_counts_match_the_database_and_flags_follow_the_exact_test(north):
    report = compstat_report("north", WEEK)
    monday, sunday = parse_week(WEEK)
    tz = timezone.get_current_timezone()
    in_week = Event.objects.filter(
        kind="crime",
        district=north,
        occurred_from__gte=datetime.combine(monday, datetime.min.time(), tz),
        occurred_from__lt=datetime.combine(sunday + timedelta(days=1), datetime.min.time(), tz),
    )
    total = report.windows["week"][0]
    assert total["label"] == "All crime" and total["now"] == in_week.count() > 0
    year_ago = Event.objects.filter(
        kind="crime",
        district=north,
        occurred_from__gte=datetime.combine(monday - timedelta(days=364), datetime.min.time(), tz),
        occurred_from__lt=datetime.combine(sunday - timedelta(days=363), datetime.min.time(), tz),
    )
    assert total["before"] == year_ago.count()
    for window, rows in report.windows.items():
        days = {"week": 7, "28 days": 28}.get(window)
        for row in rows:
            exposure = days or (sunday - sunday.replace(month=1, day=1)).days + 1
            res = compstat.compare([row["now"]], [row["before"]], exposure, exposure)
            assert row["significant"] == bool(res.p[0] <= 0.05), row
            assert row["p"].startswith("p ")
    assert report.windows["year to date"][0]["now"] > report.windows["28 days"][0]["now"]


# the worker closes a connection left inside a transaction, as a real one must: a committed test
@pytest.mark.django_db(transaction=True)
def test_a_planted_spree_is_flagged_and_printed_with_its_interval(client_for, north, make_problem):
    spree = plant_spree(north, 25)
    problem = make_problem(title="Burglary spree on the north estate", stage="response")
    problem.areas.add(north)
    plan = ResponsePlan.objects.create(problem=problem, summary="Target-hardening visits to every house on the block")
    Objective.objects.create(plan=plan, text="No more burglaries on the block for eight weeks")
    elsewhere = make_problem(title="Collisions at the south crossing", stage="analysis")
    elsewhere.areas.add(Area.objects.get(type="district", name="South"))
    closed = make_problem(title="Closed north problem", stage="closed")
    closed.areas.add(north)

    c = client_for("supervisor")
    page = c.get(reverse("reports:compstat"), {"district": "A", "week": WEEK.lower()})
    html = page.content.decode()
    assert page.status_code == 200 and "District North — week 2024-W47" in html
    assert "▲ significant rise</span>: Burglary, week:" in html and "95% CI" in html
    assert "Burglary spree on the north estate" in html and "Target-hardening visits" in html
    assert "Collisions at the south crossing" not in html and "Closed north problem" not in html
    assert html.count('class="report-map"') == 1 and "Gi* hot spot" in html and "<script" not in html

    pdf = pdf_by_job(c, reverse("reports:compstat-pdf"), {"district": "North", "week": WEEK})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="compstat-a-2024-W47.pdf"'
    text = pdf_text(pdf.content)
    assert "District North — week 2024-W47" in text and "Restricted — law-enforcement sensitive" in text
    assert "Significant changes" in text and "▲ significant rise: Burglary, week" in text
    assert "exact Poisson rate-ratio test" in text and "Burglary spree on the north estate" in text

    rows = AuditLog.objects.filter(action="report.compstat").order_by("id")
    assert [r.params for r in rows] == [{"format": fmt, "district": "A", "week": WEEK} for fmt in ("html", "pdf")]
    assert AuditLog.objects.filter(action="problem.list", object_id=str(problem.pk)).count() == 2
    # the week's sensitive crimes on the map (geocoded, in the district) are audited, each once per read
    monday, sunday = parse_week(WEEK)
    tz = timezone.get_current_timezone()
    shown = set(
        Event.objects.filter(
            kind="crime",
            district=north,
            sensitive=True,
            x__isnull=False,
            occurred_from__gte=datetime.combine(monday, datetime.min.time(), tz),
            occurred_from__lt=datetime.combine(sunday + timedelta(days=1), datetime.min.time(), tz),
        ).values_list("pk", flat=True)
    )
    assert shown, "the synthetic week has a sensitive crime in the district"
    audited = list(map(int, AuditLog.objects.filter(action="event.list").values_list("object_id", flat=True)))
    assert sorted(audited) == sorted(list(shown) * 2) and not set(spree) & set(audited)


def test_city_wide_report_and_bad_requests(client_for, imported):
    c = client_for("analyst")
    page = c.get(reverse("reports:compstat"), {"district": "city", "week": WEEK})
    assert page.status_code == 200 and "City-wide — week 2024-W47" in page.content.decode()
    bad_week = c.get(reverse("reports:compstat"), {"district": "city", "week": "2024-47"})
    assert bad_week.status_code == 400 and "expected YYYY-Www, e.g. 2026-W47" in bad_week.content.decode()
    bad_district = c.get(reverse("reports:compstat-pdf"), {"district": "Atlantis", "week": WEEK})
    body = bad_district.content.decode()
    assert bad_district.status_code == 400 and "unknown district &#x27;Atlantis&#x27;" in body
    assert "city, North (A), Central (B), South (C)" in body
    assert not AuditLog.objects.filter(action="report.compstat", params__week="2024-47").exists()
    assert AuditLog.objects.filter(action="report.compstat").count() == 1


def test_the_map_says_which_events_it_left_out(client_for, north):
    """A crime of the week geocoded at 0,0 is counted in the tables but left out of the map, and
    the map's caption says so."""
    [pk] = plant_spree(north, 1)
    Event.objects.filter(pk=pk).update(lat=1e-06, lon=-2e-06, x=None, y=None, location="")
    report = compstat_report(north.name, WEEK)
    assert Event.objects.get(pk=pk).location == "invalid"  # judged when the scan read the events
    assert "1 event left out of the map of these 91 days: 1 at impossible places" in report.left_out
    page = client_for("analyst").get(reverse("reports:compstat"), {"district": north.name, "week": WEEK})
    assert "1 at impossible places" in page.content.decode()
