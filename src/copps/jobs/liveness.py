"""Which workers are alive, and what happens to the job of one that died.

django-tasks-db marks a job RUNNING when a worker claims it and leaves it so if the worker is
killed (SIGKILL, power loss, OOM killer). Each ``copps worker`` therefore registers itself
(``WorkerBeat``) and checks in while it runs; any worker, when it starts and while it runs,
looks for RUNNING jobs whose worker is dead and puts them back in the queue (up to
``COPPS_JOB_ATTEMPTS`` runs in all) or marks them failed with ``WorkerLost``. A worker is dead
when its process is gone from this machine, or when it has not checked in for
``COPPS_WORKER_LOST_SECONDS``. The change is a conditional UPDATE on the job's status and start
time, so two workers recovering at once change a job only once.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from copps.config import setting_int
from copps.jobs.models import WorkerBeat
from copps.jobs.queue import record_end

__all__ = ["WorkerLost", "beat", "recover_lost_jobs", "register", "unregister"]


class WorkerLost(Exception):
    """The worker running a job stopped before the job ended, too many times."""


def register(worker_id: str) -> None:
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname(), "pid": os.getpid(), "last_seen": timezone.now()},
    )


def beat(worker_id: str) -> None:
    if not WorkerBeat.objects.filter(worker_id=worker_id).update(last_seen=timezone.now()):
        register(worker_id)


def unregister(worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child not yet reaped by its parent is a zombie: dead all the same
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _dead(beat_row: WorkerBeat | None, started_at, now, lost_after: timedelta) -> bool:
    if beat_row is None:  # a worker that never registered (plain db_worker): judged by the job's age
        return started_at is None or started_at < now - lost_after
    if beat_row.hostname == socket.gethostname() and _process_gone(beat_row.pid):
        return True
    return beat_row.last_seen < now - lost_after


def recover_lost_jobs() -> list[tuple[str, str]]:
    """Requeue or fail every RUNNING job whose worker is dead; returns ``[(job id, new status)]``."""
    lost_after = timedelta(seconds=setting_int("COPPS_WORKER_LOST_SECONDS", 1))
    attempts = setting_int("COPPS_JOB_ATTEMPTS", 1)
    now = timezone.now()
    running = list(DBTaskResult.objects.running().only("id", "worker_ids", "started_at", "task_path"))
    if not running:
        return []
    last_workers = [j.worker_ids[-1] for j in running if j.worker_ids]
    beats = {b.worker_id: b for b in WorkerBeat.objects.filter(worker_id__in=last_workers)}
    changed = []
    dead_workers = set()
    for job in running:
        worker = job.worker_ids[-1] if job.worker_ids else ""
        if not _dead(beats.get(worker), job.started_at, now, lost_after):
            continue
        dead_workers.add(worker)
        same_run = DBTaskResult.objects.filter(id=job.id, status=TaskResultStatus.RUNNING, started_at=job.started_at)
        with transaction.atomic():
            if len(job.worker_ids) < attempts:
                if same_run.update(status=TaskResultStatus.READY):
                    changed.append((str(job.id), "READY"))
            else:
                message = (
                    f"copps.jobs.liveness.WorkerLost: the worker running this job stopped before it ended "
                    f"({len(job.worker_ids)} of {attempts} attempts; workers {', '.join(job.worker_ids)})"
                )
                if same_run.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path="copps.jobs.liveness.WorkerLost",
                    traceback=message,
                ):
                    changed.append((str(job.id), "FAILED"))
                    name = job.task_path.rsplit(".", 1)[-1]
                    record_end(str(job.id), name, "FAILED", "copps.jobs.liveness.WorkerLost")
    WorkerBeat.objects.filter(worker_id__in=dead_workers).delete()
    return changed
