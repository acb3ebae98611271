"""The candidate scan as a background job ("Scan now", ``copps jobs enqueue scan``), run by
``copps worker`` one scanner at a time so the Jobs page shows how far it has got. Storing is
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
    report: dict[str, dict[str, int]] = {}
    with sitetime.in_zone():
        for n, kind in enumerate(kinds):
            progress(context, n, len(kinds), f"scanning {kind}")
            report |= run([kind], options)
    progress(context, len(kinds), len(kinds), "done")
    new = sum(r["created"] for r in report.values())
    updated = sum(r["updated"] for r in report.values())
    return {"summary": f"Scan done: {new} new candidates, {updated} updated.", "report": report}
