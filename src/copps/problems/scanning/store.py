"""Storing proposals as candidates without duplicates.

A proposal matches an existing candidate of the same kind with the same key, or whose centre
lies within ``match_m`` metres. A matching open candidate is refreshed (evidence, score,
geometry, ``last_seen``); a candidate dismissed less than ``quiet_days`` ago, or promoted to a
problem that is not closed, keeps its decision and only its ``last_seen`` moves. Anything else
becomes a new open candidate.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from copps.geo.crs import Projector
from copps.geo.shapes import to_wgs84
from copps.incidents.models import Site
from copps.problems.models import Candidate, Stage
from copps.problems.scanning.base import Proposal, ScanOptions

__all__ = ["save"]


def _blocking(c: Candidate, now, options: ScanOptions) -> bool:
    if c.status == Candidate.Status.OPEN:
        return True
    if c.status == Candidate.Status.DISMISSED:
        return c.decided_at is not None and c.decided_at >= now - timedelta(days=options.quiet_days)
    return c.problem is not None and c.problem.stage != Stage.CLOSED


def save(proposals: list[Proposal], options: ScanOptions) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "kept": 0}
    if not proposals:
        return counts
    now = timezone.now()
    projector = Projector(Site.get().crs)
    kinds = {p.kind for p in proposals}
    existing = list(Candidate.objects.filter(kind__in=kinds).select_related("problem"))
    used: set[int] = set()
    with transaction.atomic():
        for p in proposals:
            near = [
                c
                for c in existing
                if c.kind == p.kind
                and c.pk not in used
                and _blocking(c, now, options)
                and (c.key == p.key or (c.x - p.x) ** 2 + (c.y - p.y) ** 2 <= options.match_m**2)
            ]
            near.sort(key=lambda c: (c.status != Candidate.Status.OPEN, (c.x - p.x) ** 2 + (c.y - p.y) ** 2))
            lon, lat = projector.inverse([p.x], [p.y])
            fields = {
                "title": p.title,
                "key": p.key,
                "x": p.x,
                "y": p.y,
                "lon": float(lon[0]),
                "lat": float(lat[0]),
                "geometry": to_wgs84(p.geometry, projector),
                "score": p.score,
                "evidence": p.evidence,
                "parameters": {**p.parameters, "options": options.as_dict()},
                "corroborated": p.corroborated,
            }
            if not near:
                created = Candidate.objects.create(kind=p.kind, first_seen=now, last_seen=now, **fields)
                existing.append(created)
                used.add(created.pk)
                counts["created"] += 1
                continue
            used.add(near[0].pk)
            if near[0].status == Candidate.Status.OPEN:
                Candidate.objects.filter(pk=near[0].pk).update(last_seen=now, times_seen=F("times_seen") + 1, **fields)
                counts["updated"] += 1
            else:
                Candidate.objects.filter(pk=near[0].pk).update(last_seen=now, times_seen=F("times_seen") + 1)
                counts["kept"] += 1
    return counts
