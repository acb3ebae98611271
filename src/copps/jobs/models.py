"""What copps keeps about background jobs beside the task library's own table."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

__all__ = ["JobProgress", "WorkerBeat"]


class JobProgress(models.Model):
    """A queued job as staff see it: what it is, who asked for it, and how far it has got.

    One row per job (the task library's result row holds status, times and the error)."""

    task_id = models.UUIDField(unique=True)
    label = models.CharField(max_length=200)
    requested_by = models.CharField(max_length=150, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.label

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


class WorkerBeat(models.Model):
    """A running ``copps worker`` process: where it runs and when it last checked in.

    A worker whose process is gone (same machine) or that has not checked in for
    ``COPPS_WORKER_LOST_SECONDS`` is dead, and the job it was running is retried or failed."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
