"""Community requests in scanning: clusters of service requests as candidates, and corroboration
of police-data candidates where residents report trouble at the same place.

:func:`request_points` reads the service requests with coordinates (``copps.community``) in the
scan window and projects them to site metres; :func:`scan` proposes clusters of them with the
same Gi* clustering as hot spots (``clusters.hot_clusters``); :func:`corroborate` marks police
candidates with at least ``MIN_REQUESTS`` requests within ``corroboration_m`` of their edge and
raises their score by half, so that problems residents also see rank first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import numpy as np
from django.utils import timezone

from copps.community.models import ServiceRequest
from copps.geo.crs import Projector
from copps.incidents.models import Site
from copps.problems.scanning.base import Proposal, ScanOptions, top_counts
from copps.problems.scanning.clusters import hot_clusters, snapped_grid

__all__ = ["CORROBORATION_FACTOR", "MIN_REQUESTS", "RequestPoints", "corroborate", "request_points", "scan"]

CORROBORATION_FACTOR = 1.5
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


def corroborate(proposals: list[Proposal], options: ScanOptions, points=None) -> list[Proposal]:
    """Mark police proposals that at least ``MIN_REQUESTS`` community requests lie near, and rank them
    higher. Request clusters are community data already and are left as they are."""
    if not proposals or all(p.kind == "request_cluster" for p in proposals):
        return proposals
    points = request_points(options) if points is None else points
    if points is None:
        return proposals
    rx, ry, service = (np.asarray(a) for a in points)
    out = []
    for p in proposals:
        if p.kind != "request_cluster":
            near = np.hypot(rx - p.x, ry - p.y) <= options.corroboration_m + np.sqrt(p.geometry.area / np.pi)
            n = int(near.sum())
            if n >= MIN_REQUESTS:
                services = sorted({str(s) for s in service[near]})
                evidence = {**p.evidence, "community_requests": n, "community_services": services}
                p = replace(p, score=p.score * CORROBORATION_FACTOR, corroborated=True, evidence=evidence)
        out.append(p)
    return out
