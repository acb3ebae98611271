"""Kill a `copps` child process at a chosen moment of its database work — deterministically.

The kill tests (import, reprocess, rollback) used to SIGKILL the child after a delay, which made
them depend on the machine's speed (too fast a machine finished before the kill; a slow one needed
a big file). Here the child kills itself with SIGKILL at an exact point of its work instead:

- ``write TABLE N``: just before its N-th write statement (INSERT, UPDATE, DELETE) on TABLE
  reaches the database;
- ``commit before`` / ``commit after``: just before, or just after, the first COMMIT that follows
  a write to the events table (the moment every row is written and not yet durable; the moment it
  is durable and nothing after it has run).

A SIGKILL is what the hook sends, so no Python clean-up, ``finally`` or ``atexit`` runs: the same
as a kill from outside. The child is the real console script (``copps.cli.main``) with the hook
installed on Django's cursor and connection classes before anything runs.
"""

from __future__ import annotations

import subprocess
import sys

# The hook, run with ``python -c`` before copps.cli.main; argv[1] is the kill point as "write N",
# "commit before" or "commit after", the rest the copps command.
_BOOT = r"""
import os, signal, sys
from django.db.backends import utils
from django.db.backends.base import base

what, _, arg = sys.argv[1].partition(" ")
table, _, nth = arg.partition(" ")
state = {"writes": 0, "events": False}

def _die():
    sys.stdout.flush(); sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)

def _counted(method):
    def wrapper(self, sql, *args, **kwargs):
        head = sql.lstrip()[:6].upper()
        if head in ("INSERT", "UPDATE", "DELETE"):
            target = sql[:200].replace('"', "")
            if what == "write" and f" {table} " in target:
                state["writes"] += 1
                if state["writes"] == int(nth):
                    _die()
            if " incidents_event " in target:
                state["events"] = True
        return method(self, sql, *args, **kwargs)
    return wrapper

utils.CursorWrapper.execute = _counted(utils.CursorWrapper.execute)
utils.CursorWrapper.executemany = _counted(utils.CursorWrapper.executemany)

_commit = base.BaseDatabaseWrapper._commit
def _killing_commit(self):
    if what == "commit" and state["events"] and arg == "before":
        _die()
    _commit(self)
    if what == "commit" and state["events"] and arg == "after":
        _die()
base.BaseDatabaseWrapper._commit = _killing_commit

from copps.cli import main
sys.argv = ["copps", *sys.argv[2:]]
main()
"""


def copps_killed_at(env: dict, db_url: str, point: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``copps *args`` on ``db_url`` with the child killing itself at ``point``."""
    return subprocess.run(
        [sys.executable, "-c", _BOOT, point, *args],
        env={**env, "COPPS_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=600,
    )


def kill_points(*writes: str) -> list[str]:
    """The moments to try: before each of ``writes`` ("TABLE N"), then just before the commit."""
    return [f"write {w}" for w in writes] + ["commit before"]
