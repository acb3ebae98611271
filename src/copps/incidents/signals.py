"""What the incidents room tells the rooms above it, without importing them (a room may not
reach up: issue 14). The public portal listens, to keep its stored tables in step with the events.

``events_changed`` is sent *inside* an import's transaction when it inserted, updated or
superseded events (and inside the transaction of a rollback, a geocoding run, an area import or
a location-status recompute), so that a receiver's own writes (the public tables' "dirty" marker
and their list of events to publish again) commit or roll back with the import. Its ``events``
names the events changed (inserted, updated or deleted): a list of sources, each a QuerySet of
event ids or a collection of ids; ``None`` (or absent) means any event may have changed.

``import_finished`` is sent after an import has committed, whether or not it changed anything,
so that work left undone by an earlier run that was killed (the public tables' refresh) is
finished by running the import again. A receiver of
``import_finished`` returns ``None`` or an object with a ``summary()`` line for the command to print.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["events_changed", "import_finished"]

events_changed = Signal()  # kwargs: batch_id, events
import_finished = Signal()  # kwargs: batch_id (None when nothing was imported)
