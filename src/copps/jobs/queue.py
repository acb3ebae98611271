"""Queueing a job, reporting its progress, and auditing it when it is queued and when it ends."""

from __future__ import annotations

import logging

from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult

from copps.accounts import audit
from copps.accounts.models import User
from copps.jobs.models import JobProgress

__all__ = ["enqueue", "pending", "progress", "record_end"]

logger = logging.getLogger(__name__)


def enqueue(task, *args, label: str, request: HttpRequest | None = None, username: str = "", **kwargs):
    """Queue ``task(*args, **kwargs)`` for ``copps worker``; audited as ``job.enqueue``.

    Returns the task library's result (its ``id`` names the job on the Jobs page)."""
    result = task.enqueue(*args, **kwargs)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        username = user.get_username()
    JobProgress.objects.create(task_id=result.id, label=label[:200], requested_by=username[:150])
    audit.record(
        "job.enqueue",
        request=request,
        username=username or None,
        object_type="job",
        object_id=result.id,
        params={"task": task.name, "label": label},
    )
    return result


def pending(task_id) -> bool:
    """Whether the job ``task_id`` is still queued or running."""
    return DBTaskResult.objects.filter(
        id=task_id, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()


def progress(context: TaskContext, done: int, total: int | None = None, note: str = "") -> None:
    """Say how far the running job has got (shown on the Jobs page)."""
    JobProgress.objects.filter(task_id=context.task_result.id).update(
        done=done, total=total, note=note[:200], updated_at=timezone.now()
    )


def record_end(task_id: str, task_name: str, status: str, error: str = "") -> None:
    """The audit row of a job that ended: succeeded, failed (with the error's class) or lost."""
    row = JobProgress.objects.filter(task_id=task_id).first()
    requested_by = row.requested_by if row else ""
    user = User.objects.filter(username=requested_by).first() if requested_by else None
    params = {"task": task_name, "status": status}
    if error:
        params["error"] = error
    audit.record("job.finish", user=user, username=requested_by, object_type="job", object_id=task_id, params=params)


@receiver(task_finished)
def _audit_finished(sender, task_result, **kwargs) -> None:
    # The worker sends this after it stored the job's outcome: a failed audit write is logged
    # and must not turn a finished job into a failed one.
    error = task_result.errors[-1].exception_class_path if task_result.errors else ""
    try:
        record_end(str(task_result.id), task_result.task.name, str(task_result.status), error)
    except Exception:
        logger.exception("job %s: could not write the audit row of its end", task_result.id)
