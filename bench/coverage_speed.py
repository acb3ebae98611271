"""Coverage speed: what knowing the data's period costs at 10M events.

    python bench/coverage_speed.py [--events 10000000] [--db postgres|sqlite]

A freshly migrated database gets N events written by the database itself (``generate_series``
on PostgreSQL, a recursive CTE on SQLite): ten years of three kinds from four sources with a
month-long hole in one of them. Then it times ``copps.incidents.coverage``: the first
computation (one aggregate query by kind, source and local day, then the gap rule in numpy),
the cached answer a page pays for (two index-only aggregates making the cache key), and, for
the peer, a bare ``SELECT COUNT(*)`` of the same table.
"""

from __future__ import annotations

import os
import time

import fresh_site

# kind, source, share of events; the "cad" source has a hole (a month of 2020 missing)
SQL_PG = """
INSERT INTO incidents_event (kind, source, source_id, batch_id, occurred_from, offense, sensitive, address,
    block_address, source_beat, location, raw, row_hash)
SELECT CASE WHEN mod(g, 10) = 0 THEN 'crime' WHEN mod(g, 50) = 1 THEN 'collision' ELSE 'call' END,
       CASE WHEN mod(g, 10) = 0 THEN (CASE WHEN mod(g, 20) = 0 THEN 'rms' ELSE 'rms-old' END)
            WHEN mod(g, 50) = 1 THEN 'switrs' ELSE 'cad' END,
       g::text, %(batch)s,
       timestamptz '2016-01-01 00:00:00+00' + (g::float8 / %(n)s) * interval '3652 days',
       '', false, '', '', '', '', '{}'::jsonb, ''
FROM generate_series(1, %(n)s) g
"""


def load(n: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copps.settings")
    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from copps.incidents.models import ImportBatch

    batch = ImportBatch.objects.create(file_name="bench", sha256="0" * 64, profile="bench", source="bench",
                                       started_at=timezone.now())
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(SQL_PG, {"batch": batch.pk, "n": n})
            cur.execute(
                "DELETE FROM incidents_event WHERE source = 'cad' AND occurred_from >= '2020-03-01' "
                "AND occurred_from < '2020-04-01'"
            )
        else:
            cur.execute(
                f"""
                WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {n})
                INSERT INTO incidents_event (kind, source, source_id, batch_id, occurred_from, offense, sensitive,
                    address, block_address, source_beat, location, raw, row_hash)
                SELECT CASE WHEN g % 10 = 0 THEN 'crime' WHEN g % 50 = 1 THEN 'collision' ELSE 'call' END,
                       CASE WHEN g % 10 = 0 THEN (CASE WHEN g % 20 = 0 THEN 'rms' ELSE 'rms-old' END)
                            WHEN g % 50 = 1 THEN 'switrs' ELSE 'cad' END,
                       g, {batch.pk},
                       strftime('%Y-%m-%d %H:%M:%S', 1451606400 + (g * 1.0 / {n}) * 3652 * 86400, 'unixepoch'),
                       '', 0, '', '', '', '', '{{}}', ''
                FROM s
                """
            )
            cur.execute(
                "DELETE FROM incidents_event WHERE source = 'cad' AND occurred_from >= '2020-03-01' "
                "AND occurred_from < '2020-04-01'"
            )
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE incidents_event")
    print(f"  loaded {n:,} events in {time.perf_counter() - t:.1f} s", flush=True)


def measure() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copps.settings")
    django.setup()
    from django.core.cache import cache
    from django.db import connection

    from copps.incidents import coverage, sitetime

    sitetime.activate()
    cache.clear()
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM incidents_event")
        total = cur.fetchone()[0]
    count_s = time.perf_counter() - t
    t = time.perf_counter()
    rows = coverage.table()
    cold = time.perf_counter() - t
    warm = []
    for _ in range(20):
        t = time.perf_counter()
        coverage.table()
        warm.append(time.perf_counter() - t)
    warm.sort()
    print(f"  {total:,} events; SELECT COUNT(*): {count_s:.2f} s")
    print(f"  coverage, first computation: {cold:.2f} s ({cold / count_s:.1f} x the count)")
    print(f"  coverage, cached (one key query, a cache get): median {1000 * warm[10]:.1f} ms")
    for r in rows:
        c = r.coverage
        gaps = "; ".join(f"{a} to {b}" for a, b in c.gaps) or "none"
        print(f"    {r.kind or 'all':9} {r.source or '*':8} {c.events:>11,} {c.first} .. {c.complete_to}  gaps: {gaps}")


def main() -> None:
    fresh_site.main(
        __file__, load, measure, name="coverage", what="events", default_size=10_000_000, default_db="postgres"
    )


if __name__ == "__main__":
    main()
