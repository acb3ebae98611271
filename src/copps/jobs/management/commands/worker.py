"""copps worker: run queued background jobs (django-tasks-db's worker, plus recovery of the jobs
of workers that died)."""

from __future__ import annotations

import logging
import threading

from django.db import connection
from django_tasks_db.management.commands import db_worker

from copps.config import setting_int
from copps.jobs import liveness

logger = logging.getLogger("copps.jobs")


class Worker(db_worker.Worker):
    def run_task(self, db_task_result) -> None:
        liveness.beat(self.worker_id)  # a --batch worker has no heartbeat thread: check in per job
        super().run_task(db_task_result)


class Command(db_worker.Command):
    help = (
        "Run queued background jobs (imports, scans, public-table rebuilds, PDF reports) until stopped. "
        "Run one or more beside the app servers; they share the queue in the database. "
        "A job whose worker died is run again, or marked failed after COPPS_JOB_ATTEMPTS runs."
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

    def _heartbeat(self, worker_id: str, stop: threading.Event) -> None:
        every = max(1.0, setting_int("COPPS_WORKER_LOST_SECONDS", 1) / 5)
        while not stop.wait(every):
            try:
                liveness.beat(worker_id)
                self._recover()
            except Exception:  # a busy database now is no reason to stop checking in later
                logger.exception("worker %s: heartbeat failed", worker_id)
            finally:
                connection.close()  # this thread's own connection
