"""Community requests in scanning: clusters of requests as candidates, and corroboration of
police-data candidates where residents report trouble at the same place.

HOOK (community app being built): :func:`request_points` returns ``None`` until
``copps.community`` stores service requests with coordinates in a migrated table. When it
does, return the requests of the scan window as ``(x, y, service_codes)`` arrays in site
metres; :func:`corroborate` then marks candidates with requests within
``corroboration_m`` and raises their score by half, and :func:`scan` can propose request
clusters with the same Gi* clustering as hot spots (``clusters.hot_clusters``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from copps.problems.scanning.base import Proposal, ScanOptions

__all__ = ["CORROBORATION_FACTOR", "corroborate", "request_points", "scan"]

CORROBORATION_FACTOR = 1.5
MIN_REQUESTS = 5


def request_points(options: ScanOptions):
    """Service requests as ``(x, y, service)`` arrays, or None while there are none to read."""
    return None


def scan(options: ScanOptions) -> list[Proposal]:
    """Request-cluster candidates: none until :func:`request_points` has data (see module doc)."""
    return []


def corroborate(proposals: list[Proposal], options: ScanOptions, points=None) -> list[Proposal]:
    """Mark proposals that at least ``MIN_REQUESTS`` community requests lie near, and rank them higher."""
    points = request_points(options) if points is None else points
    if points is None or not proposals:
        return proposals
    rx, ry, service = (np.asarray(a) for a in points)
    out = []
    for p in proposals:
        near = np.hypot(rx - p.x, ry - p.y) <= options.corroboration_m + np.sqrt(p.geometry.area / np.pi)
        n = int(near.sum())
        if n >= MIN_REQUESTS:
            services = sorted({str(s) for s in service[near]})
            evidence = {**p.evidence, "community_requests": n, "community_services": services}
            p = replace(p, score=p.score * CORROBORATION_FACTOR, corroborated=True, evidence=evidence)
        out.append(p)
    return out
