"""The candidate scan as a background job ("Scan now", ``copps jobs enqueue scan``), run by
``copps worker``, telling the Jobs page which scanner it has got to. Storing is
idempotent (:mod:`.store`), so a scan run again after its worker died ends in the same state."""

from __future__ import annotations

from django_tasks import TaskContext, task

from copps.incidents import sitetime
from copps.jobs.queue import progress
from copps.problems.scanning import SCANNERS, ScanOptions, run

__all__ = ["candidate_scan"]


@task(takes_context=True)
def candidate_scan(context: TaskContext, kinds: list[str] | None = None):
    kinds = list(kinds or SCANNERS)
    unknown = sorted(set(kinds) - set(SCANNERS))
    if unknown:
        raise ValueError(f"unknown candidate kinds: {', '.join(unknown)}")
    options = ScanOptions()
    with sitetime.in_zone():
        report = run(kinds, options, progress=lambda done, total, text: progress(context, done, total, text))
    progress(context, len(kinds) + 1, len(kinds) + 1, "done")
    new = sum(r["created"] for r in report.values())
    updated = sum(r["updated"] for r in report.values())
    return {"summary": f"Scan done: {new} new candidates, {updated} updated.", "report": report}
