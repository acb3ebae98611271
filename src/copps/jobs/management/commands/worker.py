"""copps worker: run queued background jobs (django-tasks-db's worker, plus recovery of the jobs
of workers that died, and the queueing of scheduled work that has come due: feeds)."""

from __future__ import annotations

import io
import logging
import threading
import time

from django.core.management import call_command
from django.db import connection
from django_tasks_db.management.commands import db_worker

from copps.config import setting_int
from copps.jobs import liveness

logger = logging.getLogger("copps.jobs")

# Commands the worker runs when it starts and every SCHEDULE_SECONDS to queue the scheduled work
# that has come due, as jobs. Named, as tasks.py names the commands its jobs run, so this room
# imports no other; each queues a piece of work once however many workers ask at the same time.
SCHEDULED = [("feeds", "run", "--due", "--queue")]
SCHEDULE_SECONDS = 15


class Worker(db_worker.Worker):
    def run_task(self, db_task_result) -> None:
        liveness.beat(self.worker_id)  # a --batch worker has no heartbeat thread: check in per job
        super().run_task(db_task_result)


class Command(db_worker.Command):
    help = (
        "Run queued background jobs (imports, scans, public-table rebuilds, PDF reports) until stopped. "
        "Run one or more beside the app servers; they share the queue in the database. "
        "A job whose worker died is run again, or marked failed after COPPS_JOB_ATTEMPTS runs. "
        f"Every {SCHEDULE_SECONDS} s it queues the feeds that are due (copps feeds)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # the reloader would run jobs in a child process the heartbeat does not know
        parser.set_defaults(reload=False)

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        db_worker.Worker = Worker  # the library's command builds its Worker by this name
        liveness.register(worker_id)
        self._recover()
        self._schedule()
        stop = threading.Event()
        if not options["batch"]:
            threading.Thread(target=self._heartbeat, args=(worker_id, stop), daemon=True, name="copps-beat").start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            liveness.unregister(worker_id)

    def _recover(self) -> None:
        for job_id, status in liveness.recover_lost_jobs():
            logger.warning("job %s: its worker died; now %s", job_id, status)

    def _schedule(self) -> None:
        for command in SCHEDULED:
            out = io.StringIO()
            try:
                call_command(*command, stdout=out, stderr=out)
            except Exception:  # a feed's definition or a busy database: say so, keep running jobs
                logger.exception("worker: %s failed", " ".join(command))
            if out.getvalue().strip():
                logger.info("%s: %s", " ".join(command), out.getvalue().strip())

    def _heartbeat(self, worker_id: str, stop: threading.Event) -> None:
        every = max(1.0, setting_int("COPPS_WORKER_LOST_SECONDS", 1) / 5)
        scheduled = time.monotonic()
        while not stop.wait(min(every, SCHEDULE_SECONDS)):
            try:
                liveness.beat(worker_id)
                self._recover()
                if time.monotonic() - scheduled >= SCHEDULE_SECONDS:
                    scheduled = time.monotonic()
                    self._schedule()
            except Exception:  # a busy database now is no reason to stop checking in later
                logger.exception("worker %s: heartbeat failed", worker_id)
            finally:
                connection.close()  # this thread's own connection
