"""After an import, near-repeat prevention looks at the new events: the import queues a
prevention scan for ``copps worker`` when its batch brought events of a prevention category from
the last days (``prevention.NEW_DAYS`` before today: an import of old history starts no
prevention work). The Knox tables take seconds, so they are never drawn inside an import.

After every import that changed the events (and every geocoding run) of a site holding
``COPPS_HOTSPOT_PRECOMPUTE_EVENTS`` events or more, the import queues the job
that keeps the hot-spot workspace's standard layers (``copps.problems.hotspot_cache``): once,
while one is queued or running, and not when the layers kept already rest on the current data.

Connected in ``ProblemsConfig.ready``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

__all__ = ["queue_hotspot_layers", "queue_prevention_scan"]

HOTSPOT_LABEL = "Hot-spot layers of the workspace"


def _waiting(label: str) -> bool:
    """Whether a job of ``label`` is queued or running. Only the newest few are read: a job of a
    label is queued only while none of it waits, so one waiting is among the newest."""
    from copps.jobs.models import JobProgress
    from copps.jobs.queue import pending

    return any(pending(j.task_id) for j in JobProgress.objects.filter(label=label).order_by("-id")[:5])


def queue_prevention_scan(sender, batch_id=None, **kwargs) -> None:
    from copps.incidents.models import Event
    from copps.jobs import tasks
    from copps.jobs.queue import enqueue
    from copps.problems import prevention

    if batch_id is None:
        return None
    recent = timezone.now() - timedelta(days=prevention.NEW_DAYS)
    new = Event.objects.filter(batch_id=batch_id, category__code__in=prevention.categories(), occurred_from__gte=recent)
    if not new.exists():
        return None
    label = f"Near-repeat prevention scan (import batch {batch_id})"
    if _waiting(label):
        return None  # a re-run of the same import queues nothing more
    enqueue(tasks.prevention_scan, batch=batch_id, label=label, username="import")
    return None


def queue_hotspot_layers(sender, batch_id=None, **kwargs) -> None:
    from copps.jobs.queue import enqueue
    from copps.problems import hotspot_cache

    if not hotspot_cache.worth_keeping():
        return None  # a small site: each view is computed when first asked, then kept
    if batch_id is not None and hotspot_cache.is_current():
        return None  # a re-run of an import that changed nothing (a geocoding run, batch None, moves events)
    if _waiting(HOTSPOT_LABEL):
        return None  # the queued job reads the data when it runs
    enqueue(hotspot_cache.hotspot_layers, label=HOTSPOT_LABEL, username="import")
    return None
