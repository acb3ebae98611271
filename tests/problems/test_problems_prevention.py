"""Near-repeat prevention: a new burglary in an area whose Knox table shows near repeats opens one
window (radius and days from the table) with tasks for the beat officer; none without a pattern;
re-runs, merging and the cap; the outcome after the window; the pages, "My work" and the command."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from tests.conftest import sign_in
from tests.problems.prevention_city import AS_OF, VICTIM

from copps.accounts.models import AuditLog
from copps.problems import prevention
from copps.problems.models import PreventionTask, PreventionWindow


def test_pattern_cells_keep_only_significant_cells_joined_to_the_closest():
    ratio = np.full((6, 5), 1.0)
    p = np.full((6, 5), 0.5)
    ratio[1, 0], p[1, 0] = 3.0, 0.01  # first band, first week
    ratio[2, 0], p[2, 0] = 2.0, 0.02  # joined to it: the second band
    ratio[4, 3], p[4, 3] = 2.0, 0.01  # significant but alone: not a near repeat
    ratio[1, 4], p[1, 4] = 5.0, 0.01  # the "beyond" column never counts
    assert prevention.pattern_cells(ratio, p) == [(1, 0), (2, 0)]
    ratio[1, 0] = 0.5  # fewer pairs than expected is not a pattern, whatever p says
    ratio[2, 0] = 1.0
    assert prevention.pattern_cells(ratio, p) == []


def test_a_new_burglary_in_a_near_repeat_area_opens_one_window_with_tasks(place, cast):
    place.history(near_repeats=True)
    source = place.new()
    result = prevention.scan(as_of=AS_OF)
    w = PreventionWindow.objects.get()
    assert result.created == [w.pk] and w.source == source and w.status == "open"
    assert w.radius_m in (100, 200, 300, 400) and w.window_days in (7, 14, 21, 28)
    assert w.beat == place.beat and w.zone == place.district and w.officer == cast["officer"]
    assert w.block == "12XX N MAPLE CT" and w.starts == AS_OF - timedelta(days=1)
    assert w.ends == w.starts + timedelta(days=w.window_days)
    k = w.knox
    assert k["pattern"] and k["zone"] == "North" and k["events"] == 161
    assert (k["date_from"], k["date_to"]) == ("2023-07-02", "2024-06-30")
    assert k["observed_per_event"] > k["expected_per_event"] > 0
    tasks = list(w.tasks.order_by("due"))
    assert [t.kind for t in tasks] == ["door_knock", "revisit"]
    assert all(t.owner == cast["officer"] and w.starts <= t.due <= w.ends for t in tasks)
    # idempotent: the same scan again opens nothing and adds no task
    again = prevention.scan(as_of=AS_OF)
    assert again.created == [] and PreventionWindow.objects.count() == 1 and PreventionTask.objects.count() == 2


def test_no_window_without_a_significant_near_repeat_pattern(place):
    place.history(near_repeats=False)
    place.new()
    result = prevention.scan(as_of=AS_OF)
    assert result.created == [] and result.no_pattern == 1
    assert not PreventionWindow.objects.exists() and not PreventionTask.objects.exists()


def test_a_later_event_inside_an_open_window_is_merged_not_given_its_own(place):
    place.history(near_repeats=True)
    place.new()
    prevention.scan(as_of=AS_OF)
    later = place.new(dx=30, day=AS_OF)
    result = prevention.scan(as_of=AS_OF)
    w = PreventionWindow.objects.get()
    assert result.created == [] and result.merged == 1 and w.merged == [later.pk]
    prevention.scan(as_of=AS_OF)
    w.refresh_from_db()
    assert w.merged == [later.pk]


def test_windows_are_capped_per_beat(place, settings):
    settings.COPPS_PREVENTION_MAX_OPEN = 1
    place.history(near_repeats=True)
    place.new()
    place.new(dx=1500, dy=1500)  # far from the first: it would open its own window
    result = prevention.scan(as_of=AS_OF)
    assert len(result.created) == 1 and result.capped == 1 and PreventionWindow.objects.count() == 1
    assert "1 capped (COPPS_PREVENTION_MAX_OPEN=1 per beat)" in result.summary()


def test_the_outcome_counts_repeats_inside_the_window_against_the_knox_expectation(place):
    place.history(near_repeats=True)
    source = place.new()
    prevention.scan(as_of=AS_OF)
    w = PreventionWindow.objects.get()
    place.event(20, 0, source.occurred_from + timedelta(days=2))  # a repeat inside
    place.event(20, 0, source.occurred_from + timedelta(days=w.window_days + 2))  # after the window
    place.event(w.radius_m + 50, 0, source.occurred_from + timedelta(days=1))  # beyond the radius
    result = prevention.scan(as_of=w.ends)
    w.refresh_from_db()
    assert result.ended == 1 and w.status == "ended"
    o = w.outcome
    assert o["repeats"] == 1 and o["expected_by_chance"] == w.knox["expected_per_event"]
    assert o["fewer_than_expected"] is (1 < w.knox["expected_per_event"])
    assert o["zone"] == "North" and o["history"] == "2023-07-02 to 2024-06-30"


@pytest.fixture
def window(place):
    place.history(near_repeats=True)
    place.new()
    prevention.scan(as_of=AS_OF)
    return PreventionWindow.objects.get()


def test_the_officer_sees_prevention_tasks_on_my_work_and_marks_one_done(client_for, cast, window):
    c = client_for("officer")
    page = c.get(reverse("problems:my_work")).content.decode()
    knock = window.tasks.get(kind="door_knock")
    assert "Door-knock the homes nearby" in page and "Revisit the area" in page
    assert reverse("problems:prevention_task_done", args=[knock.pk]) in page
    done = c.post(reverse("problems:prevention_task_done", args=[knock.pk]), {"next": reverse("problems:my_work")})
    assert done.status_code == 302 and done["Location"] == reverse("problems:my_work")
    knock.refresh_from_db()
    assert knock.status == "done" and knock.done_by == cast["officer"]
    rows = AuditLog.objects.filter(action="prevention.task_done", object_id=str(knock.pk), user=cast["officer"])
    assert rows.exists()
    after = c.get(reverse("problems:my_work")).content.decode()
    assert reverse("problems:prevention_task_done", args=[knock.pk]) not in after
    assert "Revisit the area" in after


def test_my_work_in_spanish_names_the_prevention_section(client_for, window):
    page = client_for("officer").get(reverse("problems:my_work"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Prevención de casi repeticiones" in page and "Marcar como hecha" in page


def test_another_officer_cannot_mark_the_beat_officers_task_done(client, other_officer, window):
    knock = window.tasks.get(kind="door_knock")
    refused = sign_in(client, other_officer).post(reverse("problems:prevention_task_done", args=[knock.pk]))
    assert refused.status_code == 403
    knock.refresh_from_db()
    assert knock.status == "planned"
    assert AuditLog.objects.filter(action="prevention.task_done", outcome="denied").exists()


@pytest.mark.parametrize("role", ["analyst", "supervisor", "admin"])
def test_analysts_supervisors_and_admins_may_mark_a_task_done(client_for, window, role):
    revisit = window.tasks.get(kind="revisit")
    assert client_for(role).post(reverse("problems:prevention_task_done", args=[revisit.pk])).status_code == 302
    revisit.refresh_from_db()
    assert revisit.status == "done"


@pytest.mark.parametrize("role", ["officer", "analyst", "supervisor", "admin"])
def test_staff_read_the_prevention_page_with_what_it_rests_on(client_for, window, role):
    page = client_for(role).get(reverse("problems:prevention_window", args=[window.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert f"Within {window.radius_m} m for {window.window_days} days" in body
    assert "Knox test of 161 events of this category in North, 2023-07-02 to 2024-06-30" in body
    assert str(window.knox["expected_per_event"]) in body
    assert VICTIM not in body and "1234" not in body
    assert AuditLog.objects.filter(action="prevention.read", object_id=str(window.pk)).exists()
    listing = client_for(role).get(reverse("problems:prevention"))
    link = reverse("problems:prevention_window", args=[window.pk])
    assert listing.status_code == 200 and link in listing.content.decode()


def test_the_prevention_page_shows_the_outcome_after_the_window(client_for, window):
    prevention.scan(as_of=window.ends)
    body = client_for("analyst").get(reverse("problems:prevention_window", args=[window.pk])).content.decode()
    assert "0 events of this category fell within" in body and "Fewer nearby repeats than the Knox expectation" in body
    assert "the expectation rests on North, 2023-07-02 to 2024-06-30" in body


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_residents_and_auditors_are_refused(client_for, window, role):
    c = client_for(role)
    for url in (reverse("problems:prevention"), reverse("problems:prevention_window", args=[window.pk])):
        assert c.get(url).status_code == 403
    task = window.tasks.first()
    assert c.post(reverse("problems:prevention_task_done", args=[task.pk])).status_code == 403
    task.refresh_from_db()
    assert task.status == "planned"


def test_anonymous_users_sign_in_first(client, window):
    response = client.get(reverse("problems:prevention_window", args=[window.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_command_scans_and_is_idempotent(place):
    from io import StringIO

    place.history(near_repeats=True)
    place.new()
    out = StringIO()
    call_command("prevention", "scan", "--as-of", AS_OF.isoformat(), stdout=out)
    assert "prevention scan to 2024-06-30: 1 window(s) opened" in out.getvalue()
    out = StringIO()
    call_command("prevention", "scan", "--as-of", AS_OF.isoformat(), stdout=out)
    assert "0 window(s) opened" in out.getvalue() and PreventionWindow.objects.count() == 1
    assert AuditLog.objects.filter(action="prevention.scan").count() == 2


def test_jobs_enqueue_queues_the_prevention_scan(place):
    from io import StringIO

    out = StringIO()
    call_command("jobs", "enqueue", "prevention-scan", stdout=out)
    job = DBTaskResult.objects.get()
    assert out.getvalue().startswith("queued job ") and job.task_path.endswith("prevention_scan")


def test_an_import_with_new_burglaries_queues_a_prevention_scan_once(place):
    from django.utils import timezone

    from copps.incidents import signals
    from copps.incidents.models import ImportBatch

    place.history(near_repeats=False)  # a year of history queues nothing: no new event in it
    signals.import_finished.send(sender=ImportBatch, batch_id=place.batch.pk)
    assert not DBTaskResult.objects.exists()
    place.new(day=timezone.localdate())
    signals.import_finished.send(sender=ImportBatch, batch_id=place.batch.pk)
    signals.import_finished.send(sender=ImportBatch, batch_id=place.batch.pk)
    assert DBTaskResult.objects.filter(task_path__endswith="prevention_scan").count() == 1


@pytest.mark.parametrize("target", ["https://elsewhere.example/", "//elsewhere.example/", "inf", ""])
def test_marking_done_goes_back_only_to_a_page_of_this_site(client_for, window, target):
    task = window.tasks.first()
    done = client_for("officer").post(reverse("problems:prevention_task_done", args=[task.pk]), {"next": target})
    assert done.status_code == 302 and done["Location"] == reverse("problems:my_work")


def test_the_list_and_my_work_take_as_many_queries_for_three_windows_as_for_one(client_for, place):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    place.history(near_repeats=True)
    place.new()
    prevention.scan(as_of=AS_OF)
    c = client_for("officer")

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    one = [count(reverse("problems:prevention")), count(reverse("problems:my_work"))]
    place.new(dx=1500, dy=1500)
    place.new(dx=-1500, dy=-1500)
    prevention.scan(as_of=AS_OF)
    assert PreventionWindow.objects.count() == 3 and PreventionTask.objects.count() == 6
    assert [count(reverse("problems:prevention")), count(reverse("problems:my_work"))] == one


def test_tasks_of_an_ended_window_leave_my_work(client_for, window):
    prevention.scan(as_of=window.ends)
    page = client_for("officer").get(reverse("problems:my_work")).content.decode()
    assert "No near-repeat prevention tasks of yours." in page
