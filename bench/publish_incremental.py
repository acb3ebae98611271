"""Incremental publishing: 5,000 new events into a site of N, refreshed incrementally vs rebuilt.

    python bench/publish_incremental.py [--events 1000000] [--new 5000] [--db sqlite,postgres]

For each database: a freshly migrated database gets N generated events, areas and snap points
(the loader of bench/public_api.py) and a full ``refresh``. Then a morning's import: ``--new``
events (copies of random stored events, renumbered and moved to the last two days) are written
in one transaction that records them as an import does (``store.mark_stale``), and the public
tables are refreshed incrementally (``store.refresh_incremental``: what ``copps import`` runs
after an import), then rebuilt in full (``store.refresh``: ``copps publish-refresh --full``), the
peer, on the same tables in the same run. Prints both times and the ratio, and checks that both
leave the same number of records and counted events.

Target (issue 17): 5,000 new events into a 10M-event site refresh in under 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
ENV = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}


def _tables() -> tuple[int, int]:
    from django.db.models import Sum

    from copps.publish.models import PublicCount, PublicRecord

    return PublicRecord.objects.count(), PublicCount.objects.aggregate(n=Sum("n"))["n"] or 0


def run(n_events: int, n_new: int) -> None:
    """In the child process (Django set up on one database): load, then time both refreshes."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from public_api import load  # the generated city of the public API benchmark

    load(n_events, seed=1)
    from datetime import timedelta

    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from copps.incidents.models import Event, ImportBatch
    from copps.publish import store

    rng = np.random.default_rng(2)
    last = Event.objects.order_by("-id").values_list("id", flat=True).first()
    picks = sorted({int(i) for i in rng.integers(1, last + 1, n_new * 2)})[:n_new]
    now = timezone.now()
    t = time.perf_counter()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name="morning.csv", sha256="1" * 64, profile="bench", source="bench", started_at=now
        )
        new = []
        for i, e in enumerate(Event.objects.filter(id__in=picks).iterator(2000)):
            e.pk, e.batch = None, batch
            e.source_id = f"morning-{i}"
            e.row_hash = e.source_id
            e.occurred_from = e.reported_at = now - timedelta(hours=2 + int(rng.integers(0, 46)))
            new.append(e)
        Event.objects.bulk_create(new, batch_size=2000)
        store.mark_stale([batch.events.values_list("id", flat=True)])  # as copps import does
    written = time.perf_counter() - t
    t = time.perf_counter()
    inc = store.refresh_incremental()
    inc_s = time.perf_counter() - t
    after_inc = _tables()
    t = time.perf_counter()
    full = store.refresh()
    full_s = time.perf_counter() - t
    after_full = _tables()
    print("  " + inc.summary(), flush=True)
    print("  " + full.summary(), flush=True)
    print(
        json.dumps(
            {
                "events": n_events,
                "new": len(new),
                "write_s": written,
                "incremental": inc.incremental,
                "incremental_s": inc_s,
                "full_s": full_s,
                "same": after_inc == after_full,
                "records": after_full[0],
            }
        ),
        flush=True,
    )


def bench_db(name: str, url: str, args) -> dict:
    env = {**ENV, "COPPS_DATABASE_URL": url, "COPPS_MODE": "demo"}
    print(f"\n== {name}: {args.events:,} events, {args.new:,} new ==", flush=True)
    subprocess.run([sys.executable, "-m", "copps.cli", "migrate", "--verbosity", "0"], env=env, check=True)
    proc = subprocess.run(
        [sys.executable, __file__, "--run", str(args.events), "--new", str(args.new)],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = proc.stdout.strip().splitlines()
    for line in lines[:-1]:
        if not line.startswith("{"):  # the loader's own figures for bench/public_api.py
            print(line.split("\r")[-1])
    r = json.loads(lines[-1])
    r["db"] = name
    print(
        f"  {r['new']:,} new events written and recorded in {r['write_s']:.1f} s; incremental refresh "
        f"{r['incremental_s']:.2f} s vs full rebuild {r['full_s']:.1f} s: {r['full_s'] / r['incremental_s']:.0f}x "
        f"faster; same tables: {'yes' if r['same'] else 'NO'}",
        flush=True,
    )
    return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=5000)
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both (comma-separated)")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server")
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)  # internal: the child process
    args = parser.parse_args()
    if args.run is not None:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copps.settings")
        django.setup()
        run(args.run, args.new)
        return
    OUT.mkdir(exist_ok=True)
    rows = []
    for name in args.db.split(","):
        if name == "sqlite":
            path = OUT / f"publish_incremental_{args.events}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            rows.append(bench_db("SQLite", f"sqlite:///{path}", args))
        elif name == "postgres":
            db = f"copps_incremental_bench_{args.events}"
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
                conn.execute(f'CREATE DATABASE "{db}"')
            rows.append(bench_db("PostgreSQL", f"{args.pg}/{db}", args))
        else:
            parser.error(f"unknown database {name}")
    print(f"\nSummary ({args.new:,} new events; target at 10M events: incremental refresh < 10 s):")
    for r in rows:
        print(
            f"  {r['db']:10} {r['events']:>11,} events: incremental {r['incremental_s']:6.2f} s  "
            f"full {r['full_s']:7.1f} s  ratio {r['full_s'] / r['incremental_s']:5.0f}x  "
            f"{'same tables' if r['same'] else 'TABLES DIFFER'}"
        )


if __name__ == "__main__":
    main()
