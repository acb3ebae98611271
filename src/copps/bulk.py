"""Append many rows to one table fast, on either database.

PostgreSQL gets one ``COPY ... FROM STDIN`` stream; SQLite one ``executemany`` on the driver's own
cursor (Django's cursor wrapper would rewrite the statement for every row). The caller's
transaction holds the rows: nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection


def append(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write ``rows`` (tuples in the order of ``columns``) into ``table``. Constraint failures
    raise the driver's ``IntegrityError`` as an INSERT would."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(table)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["?"] * len(columns))
            cur.cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
