"""Feeds: sources that send the department's data by itself, imported on a schedule.

A ``Feed`` (``incidents.models``) is a watched folder, a Socrata SODA endpoint, an ArcGIS
FeatureServer layer or a CSV/JSON file at a URL, with the import profile that reads it.
``sources`` downloads what changed since the feed's cursor into one file; ``run`` hands that
file to the one importer (``incidents.importing``) in one transaction with the cursor's move,
records the ``FeedRun`` and schedules the next run, or a retry with back-off after a failure.
Queueing runs as background jobs is the ``copps feeds`` command's (``operations``), so this
room knows nothing of the queue.
"""

from copps.incidents.feeds.run import FeedError, due_feeds, retry_delay, run_feed

__all__ = ["FeedError", "due_feeds", "retry_delay", "run_feed"]
