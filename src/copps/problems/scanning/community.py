"""Community requests in scanning: clusters of service requests as candidates, and corroboration
of police-data candidates where residents report trouble at the same place.

:func:`request_points` reads the service requests with coordinates (``copps.community``) in the
scan window and projects them to site metres; :func:`scan` proposes clusters of them with the
same Gi* clustering as hot spots (``clusters.hot_clusters``); :func:`corroborate` tests whether
more requests lie in each police candidate's area than its share of the city predicts, and marks
those where the excess is significant after the false discovery rate across the scan's
candidates, raising their score by half, so that problems residents also see rank first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import numpy as np
from django.utils import timezone

from copps.analysis import significance
from copps.community.models import ServiceRequest
from copps.geo.crs import Projector
from copps.geo.shapes import contains
from copps.incidents import jurisdiction
from copps.incidents.models import Site
from copps.problems.scanning.base import Proposal, ScanOptions, top_counts
from copps.problems.scanning.clusters import hot_clusters, snapped_grid

__all__ = [
    "CORROBORATION_FACTOR",
    "CORROBORATION_FDR",
    "MIN_REQUESTS",
    "RequestPoints",
    "corroborate",
    "request_points",
    "scan",
]

CORROBORATION_FACTOR = 1.5
#: the false discovery rate of the corroboration test across the candidates of one scan
CORROBORATION_FDR = 0.05
MIN_REQUESTS = 5


@dataclass(frozen=True)
class RequestPoints:
    """Service requests as arrays: site metres, service code, day, and id."""

    x: np.ndarray
    y: np.ndarray
    service: np.ndarray
    day: np.ndarray  # datetime64[D], local
    ids: np.ndarray
    first: date
    last: date

    def __iter__(self):  # (x, y, service), the shape corroborate() takes
        return iter((self.x, self.y, self.service))

    def __len__(self) -> int:
        return len(self.ids)


def _last_day() -> date | None:
    last = (
        ServiceRequest.objects.filter(lat__isnull=False)
        .order_by("-requested_at")
        .values_list("requested_at", flat=True)
        .first()
    )
    return timezone.localtime(last).date() if last else None


def request_points(options: ScanOptions) -> RequestPoints | None:
    """Requests with coordinates in the ``request_days`` ending on ``options.today`` (or the latest
    request), or None when there are none or the site has no CRS yet."""
    crs = Site.get().crs
    today = options.today or _last_day()
    if not crs or today is None:
        return None
    first = today - timedelta(days=options.request_days - 1)
    tz = timezone.get_current_timezone()
    rows = list(
        ServiceRequest.objects.filter(
            lat__isnull=False,
            lon__isnull=False,
            requested_at__gte=datetime.combine(first, time.min, tz),
            requested_at__lt=datetime.combine(today + timedelta(days=1), time.min, tz),
        )
        .order_by("id")
        .values_list("id", "lon", "lat", "service__service_code", "requested_at")
    )
    if not rows:
        return None
    ids, lon, lat, service, at = zip(*rows, strict=True)
    x, y = Projector(crs).forward(np.asarray(lon, float), np.asarray(lat, float))
    days = np.array([np.datetime64(timezone.localtime(t).date(), "D") for t in at], dtype="datetime64[D]")
    return RequestPoints(np.asarray(x), np.asarray(y), np.asarray(service), days, np.asarray(ids), first, today)


def scan(options: ScanOptions) -> list[Proposal]:
    """Clusters of requests: Gi* 99% cells of the window's requests joined into clusters."""
    pts = request_points(options)
    if pts is None or len(pts) < options.request_min:
        return []
    g = snapped_grid(pts.x, pts.y, options.request_cell)
    clusters, gi = hot_clusters(g, min_class=3)
    row, col = g.cell_of(pts.x, pts.y)
    flat = row * g.shape[1] + col
    out = []
    for c in clusters:
        inside = np.isin(flat, c.rows * g.shape[1] + c.cols)
        if inside.sum() < options.request_cluster_min:
            continue  # a handful of requests is a street's bad week, not a cluster to work
        services = top_counts(pts.service[inside])
        evidence = {
            "requests": int(inside.sum()),
            "cells": len(c.rows),
            "cell_m": options.request_cell,
            "max_z": round(c.max_z, 2),
            "min_p": c.min_p,
            "fdr": gi.fdr,
            "services": services,
            "request_ids": sorted(int(i) for i in pts.ids[inside])[:200],
            "first_day": pts.first.isoformat(),
            "last_day": pts.last.isoformat(),
        }
        top = services[0][0] if services else "requests"
        title = f"Community requests cluster: {int(inside.sum())} requests, mostly {top}"
        out.append(
            Proposal(
                "request_cluster",
                title[:200],
                f"requests:{int(c.x // options.request_cell)}:{int(c.y // options.request_cell)}",
                c.x,
                c.y,
                c.polygon,
                float(inside.sum()),
                evidence,
                {
                    "method": "gistar queen FDR 0.05 on service requests, classes >= 99%, queen clusters",
                    "window_days": options.request_days,
                    "cell_m": options.request_cell,
                },
            )
        )
    return out


def corroborate(proposals: list[Proposal], options: ScanOptions, points=None, city=None) -> list[Proposal]:
    """Test each police proposal for more community requests than its share of the city predicts,
    and mark (and rank higher) those where the excess is significant across all of them.

    The candidate's area is its geometry widened by ``corroboration_m`` (requests are reported at
    the door, not inside the cell), clipped to the city (``city``, site metres; default the
    jurisdiction). Under "requests fall anywhere in the city alike", the requests inside an area
    that holds a share ``s`` of the city's area are Binomial(N, s), N being the window's requests
    in the city: the one-sided exact p is ``significance.excess_share_test``'s, and the
    Benjamini–Hochberg q (:data:`CORROBORATION_FDR`) runs over every proposal tested in the same
    call, so a scan of many candidates does not flag some by chance. A proposal is marked only when
    q <= the FDR and at least :data:`MIN_REQUESTS` requests lie in its area; its evidence keeps the
    count, the expected count, p and q either way. Request clusters are community data already
    and are left as they are."""
    police = [i for i, p in enumerate(proposals) if p.kind != "request_cluster"]
    if not police:
        return proposals
    points = request_points(options) if points is None else points
    if city is None:
        city, _ = jurisdiction.study_area()
    if points is None or city is None or city.area <= 0:
        return proposals
    rx, ry, service = (np.asarray(a) for a in points)
    in_city = contains(city, rx, ry)
    rx, ry, service = rx[in_city], ry[in_city], service[in_city]
    zones = [proposals[i].geometry.buffer(options.corroboration_m).intersection(city) for i in police]
    near = [contains(z, rx, ry) for z in zones]
    counts = np.array([int(m.sum()) for m in near])
    shares = np.array([z.area / city.area for z in zones])
    expected, p = significance.excess_share_test(counts, len(rx), shares)
    q = significance.benjamini_hochberg(p)
    out = list(proposals)
    for j, i in enumerate(police):
        prop = proposals[i]
        flagged = bool(q[j] <= CORROBORATION_FDR and counts[j] >= MIN_REQUESTS)
        evidence = {
            **prop.evidence,
            "community_requests": int(counts[j]),
            "community_expected": round(float(expected[j]), 1),
            "community_p": float(p[j]),
            "community_q": float(q[j]),
            "community_tested": len(police),
        }
        if flagged:
            evidence["community_services"] = sorted({str(v) for v in service[near[j]]})
        out[i] = replace(
            prop,
            score=prop.score * CORROBORATION_FACTOR if flagged else prop.score,
            corroborated=flagged,
            evidence=evidence,
        )
    return out
