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


def run(kinds=None, options: ScanOptions | None = None) -> dict[str, dict[str, int]]:
    """Run the scanners for ``kinds`` (default all) and store what they propose.

    Returns ``{kind: {"proposed", "created", "updated", "kept"}}``.
    """
    options = options or ScanOptions()
    report = {}
    for kind in kinds or SCANNERS:
        proposals = SCANNERS[kind](options)
        proposals = community.corroborate(proposals, options)
        counts = store.save(proposals, options)
        report[kind] = {"proposed": len(proposals), **counts}
    return report
