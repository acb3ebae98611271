"""Jobs that only the tests queue: one that holds until released, one that logs each run.

Workers started by the tests import this module as ``tests.jobs.jobtasks`` (the repository root
is on their PYTHONPATH)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import TaskContext, task

from copps.jobs.queue import progress


@task(takes_context=True)
def hold(context: TaskContext, folder: str) -> int:
    """Say it started (one file per run), wait for ``release`` to appear, then return 42."""
    where = Path(folder)
    (where / f"started-{context.attempt}-{os.getpid()}").write_text("")
    progress(context, 1, 2, "holding")
    deadline = time.monotonic() + 300
    while not (where / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.1)
    return 42


@task(takes_context=True)
def log_run(context: TaskContext, folder: str, n: int) -> int:
    """Append one line per run to a shared log (O_APPEND: lines of concurrent runs never mix)."""
    time.sleep(0.2)  # long enough that two workers are busy at once
    fd = os.open(Path(folder) / "runs.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{n} {os.getpid()}\n".encode())
    finally:
        os.close(fd)
    return n * n
