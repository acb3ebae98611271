"""The workspace's hot-spot layers kept in the shared cache, so that its first answer for the
common views is a cache read instead of a second of numerics on a large city.

Every answer of :func:`copps.problems.hotspot_workspace.run` is kept under a key made of every
parameter it reads, the events' stamp (:func:`copps.incidents.coverage.data_stamp`: an import, a
rollback or a change at either end of the data makes another key), the areas' stamp (an area
import moves outlines without a new batch) and the site's projection. A new import therefore never
serves the old answer; the old entries are left to expire.

After each import that changed the events, a background job (:func:`hotspot_layers`, queued by
``copps.problems.receivers.queue_hotspot_layers``) computes the *standard* views: every kind with
data x the whole city and each district x the last 28, 90 and 365 days ending at the kind's last
complete day (the 365 days are the workspace's default range), at the default cell, bandwidth and
permutations. Any other view is computed on demand, as before, and then kept.

Why the cache and not a table: each answer is a pure function of the events and the key, computed
again in about a second when lost, so an evicted entry costs one slow answer, never a wrong one;
a table would need its own clean-up of every superseded stamp. The job's entries are kept for
:data:`KEPT_SECONDS` (a site that imports only weekly still reads them) and the job deletes the
previous run's entries; on-demand entries for :data:`ON_DEMAND_SECONDS`, which also bounds how
long a geocoding run (which moves events without changing the stamp) can leave an on-demand
answer behind (the job, which a geocoding run queues too, writes the standard ones again).

The crash page keeps its tables the same way (:func:`remember`): each view read every collision
row of the period and its raw columns.

Gi* by permutations is seeded (``seed``, 0 unless given, is part of the key), so a kept answer
equals the one computed on demand for the same parameters.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django_tasks import TaskContext, task

from copps.analysis import coverage as cov
from copps.incidents import coverage
from copps.problems import hotspot_workspace as hw
from copps.problems.presenting import EVENT_KINDS

__all__ = [
    "KEPT_SECONDS",
    "ON_DEMAND_SECONDS",
    "PERIODS",
    "cache_key",
    "hotspot_layers",
    "is_current",
    "worth_keeping",
    "layers",
    "precompute",
    "remember",
    "standard_parameters",
    "stamp",
]

log = logging.getLogger(__name__)

#: the standard periods (days, ending at the kind's last complete day); 365 is the default range
PERIODS = (28, 90, 365)
KEPT_SECONDS = 8 * 24 * 3600
ON_DEMAND_SECONDS = 3600
#: what the last precompute wrote: its stamp and keys (so the next one drops them)
INDEX_KEY = "copps:hotspots:index"


def stamp() -> list:
    """What every kept answer rests on besides its parameters: the events' stamp, the areas'
    (count, newest id, and their extents summed: a moved outline changes the sums) and the site's
    projection. Three small queries."""
    from copps.incidents.models import Area, Site

    areas = Area.objects.aggregate(n=Count("id"), last=Max("id"), a=Sum("min_lon"), b=Sum("max_lat"),
                                   c=Sum("max_lon"), d=Sum("min_lat"))
    return [coverage.data_stamp(), [areas[k] for k in "n last a b c d".split()], Site.get().crs]


def _normal(params: dict) -> dict:
    """Every parameter :func:`copps.problems.hotspot_workspace.run` reads, as the key spells it
    (numbers as numbers, lists sorted where order is meaningless), so the form's answer and the
    job's share one key."""
    p = params
    return {
        "event_kind": p["event_kind"],
        "categories": sorted(p.get("categories") or []),
        "severity": p.get("severity") or "all",
        "area_ids": sorted(int(a) for a in p.get("area_ids") or []),
        "polygon": p.get("polygon") or None,
        "date_from": str(p["date_from"]),
        "date_to": str(p["date_to"]),
        "cell_m": int(p["cell_m"]),
        "bandwidth_m": int(p["bandwidth_m"]),
        "permutations": int(p.get("permutations") or 0),
        "seed": int(p.get("seed") or 0),
        "layers": [x for x in hw.LAYERS if x in (p.get("layers") or hw.LAYERS)],
    }


def _key(name: str, rests_on: list, params) -> str:
    """The shared cache's key of the answer ``name`` gives for ``params`` on the data ``rests_on``."""
    question = [rests_on, params]
    return f"copps:{name}:" + hashlib.sha256(json.dumps(question, sort_keys=True, default=str).encode()).hexdigest()


def cache_key(params: dict, rests_on: list | None = None) -> str:
    """The key of the answer for ``params`` (``rests_on``: :func:`stamp`, read now when None)."""
    return _key("hotspots", rests_on if rests_on is not None else stamp(), _normal(params))


def layers(params: dict) -> dict:
    """:func:`copps.problems.hotspot_workspace.run` of ``params``, read from the shared cache when
    kept (by the job or an earlier request), else computed and kept. The key is read before the
    events are, so an import committing meanwhile can only leave a newer answer under an older key,
    which nobody asks for again."""
    return _kept(cache_key(params), lambda: hw.run(params))


def remember(name: str, params: dict, compute):
    """``compute()``, an answer drawn from the events for ``params`` (JSON-like), kept like the
    layers under ``name``, the parameters and :func:`stamp`: the crash page's tables, for one."""
    return _kept(_key(name, stamp(), params), compute)


def _kept(key: str, compute):
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, ON_DEMAND_SECONDS)
    return found


def standard_parameters() -> list[dict]:
    """The workspace's standard views, as the form spells their parameters: every kind with data x
    the whole city and each district x the last :data:`PERIODS` days ending at the kind's last
    complete day, with the default cell, bandwidth, permutations and every layer. A period the data
    covers no day of is left out (the form refuses it)."""
    from copps.incidents.models import Area

    districts = Area.objects.filter(type=Area.Type.DISTRICT).order_by("code").values_list("pk", flat=True)
    out = []
    for kind in EVENT_KINDS:
        c = coverage.of(kind)
        if c is None:
            continue
        base = hw.defaults(kind)
        last = coverage.as_date(c.complete_to)
        for days in PERIODS:
            first = last - timedelta(days=days - 1)
            if cov.days_covered(c, first, last + timedelta(days=1)).size == 0:
                continue
            for area_ids in [[], *([pk] for pk in districts)]:
                out.append(base | {"area_ids": area_ids, "date_from": first.isoformat(), "date_to": last.isoformat()})
    return out


def precompute(progress=None) -> dict:
    """Compute and keep every standard view (:func:`standard_parameters`) under the current stamp,
    then drop the entries of the previous run. Returns how many were kept, how many could not be
    drawn (a grid too large, no study area: the workspace says why when asked) and the seconds."""
    start = time.perf_counter()
    rests_on = stamp()  # before the events are read (see layers)
    todo = standard_parameters()
    keys, skipped = [], 0
    for i, params in enumerate(todo):
        if progress is not None:
            progress(i, len(todo), f"{EVENT_KINDS[params['event_kind']]}, {params['date_from']} to {params['date_to']}")
        try:
            out = hw.run(params)
        except ValueError as exc:
            log.info("hot-spot layers of %s not kept: %s", params, exc)
            skipped += 1
            continue
        key = cache_key(params, rests_on)
        cache.set(key, out, KEPT_SECONDS)
        keys.append(key)
    before = cache.get(INDEX_KEY) or {}
    cache.delete_many([k for k in before.get("keys", []) if k not in keys])
    cache.set(INDEX_KEY, {"stamp": rests_on, "keys": keys}, KEPT_SECONDS)
    return {"kept": len(keys), "skipped": skipped, "seconds": round(time.perf_counter() - start, 2)}


def worth_keeping() -> bool:
    """Whether the site holds enough events (``COPPS_HOTSPOT_PRECOMPUTE_EVENTS``) for the job to
    pay: on a small site a first answer is quick and is kept once asked. Read from the events'
    coverage, which the import has just computed and cached."""
    from copps.config import setting_int

    total = sum(c.events for c in (coverage.of(kind) for kind in EVENT_KINDS) if c is not None)
    return total >= setting_int("COPPS_HOTSPOT_PRECOMPUTE_EVENTS", low=0)


def is_current() -> bool:
    """Whether the last precompute rests on what the events and areas are now."""
    return (cache.get(INDEX_KEY) or {}).get("stamp") == stamp()


@task(takes_context=True)
def hotspot_layers(context: TaskContext):
    """The background job: :func:`precompute` in the site's zone (the zone is part of the events'
    stamp, and the workspace's pages run in it). Run again after its worker died, it writes the
    same entries again."""
    from copps.incidents import sitetime
    from copps.jobs.queue import progress

    with sitetime.in_zone():
        done = precompute(lambda i, n, text: progress(context, i, n, text))
    progress(context, done["kept"] + done["skipped"], done["kept"] + done["skipped"], "done")
    return (
        f"Hot-spot layers: {done['kept']} standard views kept, {done['skipped']} not drawable, "
        f"in {done['seconds']} s."
    )
