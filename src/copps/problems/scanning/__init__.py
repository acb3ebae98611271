"""Scanning for candidate problems: patterns in the events that may be worth a SARA project.

Each scanner (one module per kind) reads events through ``copps.incidents.scanning`` (the one
place scans read the database), runs ``copps.analysis`` on arrays and returns
:class:`~copps.problems.scanning.base.Proposal` objects carrying the evidence that made them.
:func:`run` calls the scanners, lets community data corroborate, and stores the proposals
idempotently (:mod:`.store`).
"""

from __future__ import annotations

from copps.problems.scanning import community, corridors, hotspots, near_repeat, places, store
from copps.problems.scanning.base import Proposal, ScanOptions

__all__ = ["SCANNERS", "Proposal", "ScanOptions", "run"]

#: candidate kind -> scanner; declared once, documented in docs/problems.md.
SCANNERS = {
    "hot_spot": hotspots.scan,
    "risky_place": places.scan,
    "near_repeat": near_repeat.scan,
    "collision_corridor": corridors.scan,
    "request_cluster": community.scan,
}


def run(kinds=None, options: ScanOptions | None = None, progress=None) -> dict[str, dict[str, int]]:
    """Run the scanners for ``kinds`` (default all), let community data corroborate all of their
    proposals at once (the test's false discovery rate runs across every candidate of the scan),
    and store what they propose. ``progress(done, total, text)`` hears of each scanner's start.

    Returns ``{kind: {"proposed", "created", "updated", "kept"}}``.
    """
    options = options or ScanOptions()
    kinds = list(kinds or SCANNERS)
    proposals: list[Proposal] = []
    for n, kind in enumerate(kinds):
        if progress is not None:
            progress(n, len(kinds) + 1, f"scanning {kind}")
        proposals += SCANNERS[kind](options)
    if progress is not None:
        progress(len(kinds), len(kinds) + 1, "testing community corroboration and storing")
    proposals = community.corroborate(proposals, options)
    report = {}
    for kind in kinds:
        mine = [p for p in proposals if p.kind == kind]
        report[kind] = {"proposed": len(mine), **store.save(mine, options)}
    return report
