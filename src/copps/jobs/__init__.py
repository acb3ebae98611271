"""Background jobs: work that must not run inside a web request (imports, scans, the public
tables' rebuild, PDF reports), queued in the database and run by ``copps worker``.

The queue is Django's tasks API (the ``django-tasks`` backport on Django 5.2) with the
``django-tasks-db`` backend. This room adds what the library leaves to us: progress a staff page
can show, audit rows when a job is queued and when it ends, and recovery of the jobs of a worker
that died (see ``liveness``). Every job body is idempotent, so a job run again after its worker
died ends in the same state.
"""

__all__: list[str] = []
