"""The staff Jobs page, and /healthz for load balancers."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from copps.accounts.permissions import staff_required
from copps.jobs.models import JobProgress

__all__ = ["healthz", "job_list"]

SHOWN = 200


@staff_required
def job_list(request):
    """Queued, running (with progress), done and failed jobs, newest first."""
    jobs = list(
        DBTaskResult.objects.order_by("-enqueued_at").only(
            "id",
            "status",
            "task_path",
            "enqueued_at",
            "started_at",
            "finished_at",
            "worker_ids",
            "return_value",
            "exception_class_path",
            "traceback",
        )[:SHOWN]
    )
    notes = {p.task_id: p for p in JobProgress.objects.filter(task_id__in=[j.id for j in jobs])}
    rows = []
    for job in jobs:
        value = job.return_value
        rows.append(
            {
                "id": job.id,
                "status": job.status,
                "task": job.task_path.rsplit(".", 1)[-1],
                "progress": notes.get(job.id),
                "enqueued_at": job.enqueued_at,
                "started_at": job.started_at,
                "finished_at": job.finished_at,
                "attempts": len(job.worker_ids),
                "result": value.get("summary") if isinstance(value, dict) else value,
                # a job that made a file for someone returns where to download it (reports)
                "link": value.get("link", "") if isinstance(value, dict) and job.status == "SUCCESSFUL" else "",
                # the last line of the traceback names the error; the whole one is for the logs
                "error": (job.traceback.strip().splitlines() or [""])[-1] if job.status == "FAILED" else "",
            }
        )
    counts = {s: DBTaskResult.objects.filter(status=s).count() for s in ("READY", "RUNNING")}
    return render(request, "jobs/job_list.html", {"jobs": rows, "counts": counts, "shown": SHOWN})


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers and every migration is applied, else 503.

    No sign-in and nothing private: three facts and the queue depth. It costs two small queries
    and reading the migration files (cached per process after the first answer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        migrated = _migrated()
        queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": False}, status=503)
    body = {
        "status": "ok" if migrated else "migrations pending",
        "database": True,
        "migrations": migrated,
        "queued_jobs": queued,
    }
    return JsonResponse(body, status=200 if migrated else 503)


_MIGRATED = False


def _migrated() -> bool:
    """Whether every migration is applied; once true it stays true for this process (a newer
    release with new migrations is a new process)."""
    global _MIGRATED
    if not _MIGRATED:
        executor = MigrationExecutor(connection)
        _MIGRATED = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _MIGRATED
