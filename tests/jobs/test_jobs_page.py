"""The staff Jobs page, the `copps jobs` command and the worker, in one process."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from tests.jobs import jobtasks

from copps.accounts.models import AuditLog
from copps.jobs.models import JobProgress
from copps.jobs.queue import enqueue

# The worker checks its connection between jobs as a long-running process must, and closes one
# left inside a transaction: these tests commit as a real worker sees them (transactional tests).
pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def test_jobs_page_is_for_staff_only(cast, client_for):
    anonymous = Client().get(reverse("jobs:list"))
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    assert client_for("resident").get(reverse("jobs:list")).status_code == 403
    assert AuditLog.objects.filter(username="resident", outcome="denied").exists()


def test_staff_without_the_second_factor_is_sent_to_sign_in(cast):
    c = Client()
    c.force_login(cast["analyst"])  # password only, no second factor
    assert c.get(reverse("jobs:list")).status_code == 302


def test_staff_menu_links_to_jobs(client_for):
    page = client_for("officer").get(reverse("jobs:list"))
    assert page.status_code == 200 and f'href="{reverse("jobs:list")}"'.encode() in page.content


def test_cli_queued_job_shows_queued_then_done_with_audit(client_for, tmp_path, capsys):
    (tmp_path / "release").write_text("")
    result = enqueue(jobtasks.hold, str(tmp_path), label="Hold for a test", username="cli:tester")
    page = client_for("officer").get(reverse("jobs:list")).content.decode()
    assert f'id="job-{result.id}" data-status="READY"' in page and "Hold for a test" in page
    run_worker()
    job = DBTaskResult.objects.get(id=result.id)
    assert job.status == "SUCCESSFUL" and job.return_value == 42
    page = client_for("officer").get(reverse("jobs:list")).content.decode()
    assert f'id="job-{result.id}" data-status="SUCCESSFUL"' in page
    rows = AuditLog.objects.filter(object_type="job", object_id=str(result.id)).order_by("id")
    actions = list(rows.values_list("action", "params"))
    assert [a for a, _ in actions] == ["job.enqueue", "job.finish"]
    assert actions[1][1]["status"] == "SUCCESSFUL"


def test_copps_jobs_enqueue_and_list(client_for, capsys):
    call_command("jobs", "enqueue", "scan", "--kind", "hot_spot")
    queued = capsys.readouterr().out
    assert queued.startswith("queued job ")
    job_id = queued.split()[-1]
    assert JobProgress.objects.get(task_id=job_id).label == "Candidate scan"
    run_worker()
    call_command("jobs", "list")
    listing = capsys.readouterr().out
    assert job_id in listing and "SUCCESSFUL" in listing


def test_a_failing_job_shows_its_error(client_for):
    call_command("jobs", "enqueue", "scan", "--kind", "no_such_kind")
    run_worker()
    job = DBTaskResult.objects.get()
    assert job.status == "FAILED" and job.exception_class_path == "builtins.ValueError"
    page = client_for("analyst").get(reverse("jobs:list")).content.decode()
    assert 'data-status="FAILED"' in page and "unknown candidate kinds: no_such_kind" in page
    finish = AuditLog.objects.get(action="job.finish", object_id=str(job.id))
    assert finish.params["status"] == "FAILED" and finish.params["error"] == "builtins.ValueError"


def test_running_job_shows_its_progress(client_for, tmp_path):
    result = enqueue(jobtasks.hold, str(tmp_path), label="Hold")
    job = DBTaskResult.objects.get(id=result.id)
    job.claim("test-worker")  # as a worker does when it takes the job
    JobProgress.objects.filter(task_id=result.id).update(done=1, total=2, note="holding")
    page = client_for("officer").get(reverse("jobs:list")).content.decode()
    assert f'id="job-{result.id}" data-status="RUNNING"' in page
    assert '<progress max="100" value="50">' in page and "holding" in page


def test_enqueue_refuses_nothing_silently_for_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such file"):
        call_command("jobs", "enqueue", "import", str(tmp_path / "missing.csv"), "--profile", "chicago")
    assert not DBTaskResult.objects.exists()


def test_import_job_imports_once_and_a_second_run_changes_nothing(client_for, capsys):
    from tests.conftest import shared_data

    from copps.incidents.models import Event

    sample = shared_data("chicago/chicago_crimes_2014_socrata_sample.csv")
    call_command("jobs", "enqueue", "import", str(sample), "--profile", "chicago")
    run_worker()
    first = sorted(Event.objects.values_list("source_id", "row_hash"))
    # the same job run again (as after its worker died) ends in the same state
    call_command("jobs", "enqueue", "import", str(sample), "--profile", "chicago")
    run_worker()
    assert sorted(Event.objects.values_list("source_id", "row_hash")) == first and first
    jobs = DBTaskResult.objects.all()
    assert [j.status for j in jobs] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert JobProgress.objects.filter(label__startswith="Import chicago_crimes_2014", done=1, total=1).count() == 2


def test_publish_refresh_job_rebuilds_the_public_tables(client_for, capsys):
    call_command("jobs", "enqueue", "publish-refresh")
    run_worker()
    job = DBTaskResult.objects.get()
    assert job.status == "SUCCESSFUL" and isinstance(job.return_value, str) and job.return_value


def test_report_job_writes_the_report_file(chicago, client_for, tmp_path, capsys):
    out = tmp_path / "compstat.html"
    call_command("jobs", "enqueue", "report", "compstat", "--out", str(out))
    run_worker()
    job = DBTaskResult.objects.get()
    assert job.status == "SUCCESSFUL", job.traceback
    assert "written" in job.return_value and "CompStat" in out.read_text()
