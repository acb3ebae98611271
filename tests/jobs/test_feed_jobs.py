"""The worker queues the feeds that are due as jobs and runs them: visible on the Jobs page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from copps.incidents.models import Event, Feed, FeedRun
from copps.jobs.models import JobProgress

# the worker commits as a real one does (see test_jobs_page.py)
pytestmark = pytest.mark.django_db(transaction=True)

PROFILE = Path(__file__).resolve().parents[1] / "incidents" / "data" / "feeds" / "socrata.toml"
HEADER = "case_id,date,primary_type,location.lat,location.lon,:updated_at\n"


def run_worker():
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def test_worker_queues_a_due_feed_once_and_runs_it(tmp_path, client_for):
    call_command("feeds", "add", "drop", "--kind", "folder", "--location", str(tmp_path), "--profile", str(PROFILE))
    (tmp_path / "export.csv").write_text(HEADER + "A1,2024-03-01T10:00:00,THEFT,41.88,-87.63,\n")
    call_command("feeds", "run", "--due", "--queue")
    call_command("feeds", "run", "--due", "--queue")  # a second worker asking at once: still one job
    assert DBTaskResult.objects.count() == 1

    run_worker()
    job = DBTaskResult.objects.get()
    assert job.status == "SUCCESSFUL" and "added 1" in job.return_value
    assert JobProgress.objects.get(task_id=job.id).label == "Feed drop"
    assert list(Event.objects.values_list("source_id", flat=True)) == ["A1"]
    run = FeedRun.objects.get()
    assert (run.state, run.added, run.files) == ("succeeded", 1, 1)
    page = client_for("officer").get(reverse("jobs:list")).content.decode()
    assert f'id="job-{job.id}" data-status="SUCCESSFUL"' in page and "Feed drop" in page

    run_worker()  # the feed is not due again for an hour: nothing queued
    assert DBTaskResult.objects.count() == 1 and Feed.objects.get().queued_job == job.id


def test_a_failing_feed_fails_its_job_with_the_error_and_is_retried_later(tmp_path):
    call_command("feeds", "add", "drop", "--kind", "folder", "--location", str(tmp_path), "--profile", str(PROFILE))
    (tmp_path / "bad.csv").write_text(HEADER + "A1,never,THEFT,41.88,-87.63,\n")
    run_worker()
    job = DBTaskResult.objects.get()
    assert job.status == "FAILED" and "feed run failed: drop (" in job.traceback and "bad.csv" in job.traceback
    feed = Feed.objects.get()
    assert feed.failures == 1 and FeedRun.objects.get().next_retry_at == feed.next_run_at
    run_worker()  # not due before the back-off ends
    assert DBTaskResult.objects.count() == 1
