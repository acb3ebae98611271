"""Persistent hot spots: Gi* 99% cells of the last year's crimes, grouped into clusters, with
how many of the year's quarters each cluster was hot in (emerging hot-spot analysis).

The quarters are compared only when the crime data covers the whole year in full
(``copps.incidents.coverage``): a quarter without data would read as a hot spot that is new,
or one that faded. Otherwise the clusters are proposed without a pattern, and say why."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import numpy as np

from copps.analysis import coverage as cov
from copps.analysis import hotspots
from copps.incidents import coverage
from copps.problems.scanning.base import Proposal, ScanOptions, top_counts, window
from copps.problems.scanning.clusters import hot_clusters, snapped_grid

__all__ = ["scan"]


def scan(options: ScanOptions) -> list[Proposal]:
    loaded = window("crime", options.hot_days, options)
    if loaded is None:
        return []
    ev, first, today = loaded
    if len(ev) < 30:
        return []
    g = snapped_grid(ev.x, ev.y, options.hot_cell)
    clusters, gi = hot_clusters(g, min_class=3)
    if not clusters:
        return []
    # persistence: Gi* in each sub-period on the same grid
    days_back = (np.datetime64(today) - ev.start.astype("datetime64[D]")).astype(int)
    steps = options.hot_steps
    idx = np.clip(steps - 1 - days_back * steps // options.hot_days, 0, steps - 1)
    cube = np.stack([snapped_grid_counts(g, ev.x[idx == s], ev.y[idx == s]) for s in range(steps)])
    em = hotspots.emerging(cube)
    covered = cov.window_status(coverage.of("crime"), first, today + timedelta(days=1)) == cov.FULL
    row, col = g.cell_of(ev.x, ev.y)
    out = []
    for c in clusters:
        inside = np.isin(row * g.shape[1] + col, c.rows * g.shape[1] + c.cols)
        hot_steps = int(em.hot_steps[c.rows, c.cols].max())
        codes = Counter(int(v) for v in em.category[c.rows, c.cols] if v > 0)
        label = hotspots.EMERGING_LABELS[codes.most_common(1)[0][0]] if codes else "hot over the year only"
        if not covered:
            label = "not classified: the crime data does not cover the whole year in full"
        per_step = [int(cube[s][c.rows, c.cols].sum()) for s in range(steps)]
        area_km2 = len(c.rows) * options.hot_cell**2 / 1e6
        evidence = {
            "events": c.events,
            "first_day": first.isoformat(),
            "last_day": today.isoformat(),
            "cells": len(c.rows),
            "cell_m": options.hot_cell,
            "area_km2": round(area_km2, 3),
            "density_ratio": round((c.events / area_km2) / (len(ev) / (g.valid.sum() * options.hot_cell**2 / 1e6)), 1),
            "max_z": round(c.max_z, 2),
            "min_p": c.min_p,
            "fdr": gi.fdr,
            "confidence": "99%",
            "hot_periods": hot_steps,
            "periods": steps,
            "pattern": label,
            "events_by_period": per_step,
            "top_categories": top_counts(ev.category[inside]),
            "top_places": top_counts(ev.place[inside & (ev.place != "")], 3),
        }
        title = f"Hot spot: {c.events} crimes in {len(c.rows)} cells, hot in {hot_steps} of {steps} quarters"
        if evidence["top_places"]:
            title += f" (near {evidence['top_places'][0][0]})"
        out.append(
            Proposal(
                "hot_spot",
                title[:200],
                f"cells@{int(c.x)},{int(c.y)}",
                c.x,
                c.y,
                c.polygon,
                float(c.events),
                evidence,
                {
                    "method": "gistar queen FDR 0.05, classes 99%",
                    "window_days": options.hot_days,
                    "cell_m": options.hot_cell,
                    "steps": steps,
                },
            )
        )
    return out


def snapped_grid_counts(g, x, y) -> np.ndarray:
    """Counts of the points on ``g``'s cells."""
    row, col = g.cell_of(x, y)
    keep = (row >= 0) & (row < g.shape[0]) & (col >= 0) & (col < g.shape[1])
    counts = np.zeros(g.shape)
    np.add.at(counts, (row[keep], col[keep]), 1)
    return counts
