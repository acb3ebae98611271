"""``python -m copps.dbcheck URL``: fail loudly when a required PostgreSQL is unreachable.

Used by ``make test-postgres`` and CI before the suite runs, so that a missing
server is a red build with a plain message, never a silently skipped half.
"""

from __future__ import annotations

import sys

import dj_database_url


def check(url: str) -> str | None:
    """Return None when the server answers, else a one-line reason."""
    db = dj_database_url.parse(url)
    import psycopg

    try:
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"] or "postgres",
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=5,
        ) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def main() -> None:
    url = sys.argv[1]
    reason = check(url)
    if reason:
        print(f"ERROR: PostgreSQL was required for the tests but is not reachable at {url}: {reason}", file=sys.stderr)
        sys.exit(1)
    print(f"PostgreSQL reachable at {url}")


if __name__ == "__main__":
    main()
