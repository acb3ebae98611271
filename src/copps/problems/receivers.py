"""After an import, near-repeat prevention looks at the new events: the import queues a
prevention scan for ``copps worker`` when its batch brought events of a prevention category from
the last days (``prevention.NEW_DAYS`` before today: an import of old history starts no
prevention work). The Knox tables take seconds, so they are never drawn inside an import.
Connected in ``ProblemsConfig.ready``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

__all__ = ["queue_prevention_scan"]


def queue_prevention_scan(sender, batch_id=None, **kwargs) -> None:
    from copps.incidents.models import Event
    from copps.jobs import tasks
    from copps.jobs.models import JobProgress
    from copps.jobs.queue import enqueue, pending
    from copps.problems import prevention

    if batch_id is None:
        return None
    recent = timezone.now() - timedelta(days=prevention.NEW_DAYS)
    new = Event.objects.filter(batch_id=batch_id, category__code__in=prevention.categories(), occurred_from__gte=recent)
    if not new.exists():
        return None
    label = f"Near-repeat prevention scan (import batch {batch_id})"
    if any(pending(j.task_id) for j in JobProgress.objects.filter(label=label)):
        return None  # a re-run of the same import queues nothing more
    enqueue(tasks.prevention_scan, batch=batch_id, label=label, username="import")
    return None
