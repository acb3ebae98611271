"""The public portal keeps its stored tables in step with the events: an import marks them
stale and records which events it changed, in its own transaction (``events_changed``), and
after every import (``import_finished``) those events' records are made again while stale.
Connected in ``PublishConfig.ready``."""

from __future__ import annotations

from copps.publish import store

__all__ = ["mark_stale", "rebuild_if_stale"]


def mark_stale(sender, events=None, **kwargs) -> None:
    store.mark_stale(events)


def rebuild_if_stale(sender, **kwargs) -> store.RefreshResult | None:
    return store.refresh_if_stale()
