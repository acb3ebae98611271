"""copps jobs: queue a background job, or list the queue."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tasks_db.models import DBTaskResult

from copps.jobs import tasks
from copps.jobs.queue import enqueue
from copps.problems.hotspot_cache import hotspot_layers
from copps.problems.receivers import HOTSPOT_LABEL
from copps.problems.scanning.background import candidate_scan


class Command(BaseCommand):
    help = (
        "Queue a background job (import, scan, publish-refresh, notify, staff-digest, prevention-scan, "
        "hotspot-layers, report) "
        "for `copps worker`, "
        "or list the queue and recent jobs."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list", help="recent jobs, newest first")
        ls.add_argument("--json", action="store_true", help="one JSON object per job")
        ls.add_argument("--limit", type=int, default=50)
        q = sub.add_parser("enqueue", help="queue a job").add_subparsers(dest="job", required=True)
        imp = q.add_parser("import", help="import a file (as `copps import`)")
        imp.add_argument("file")
        imp.add_argument("--profile", required=True)
        imp.add_argument("--skip-bad", action="store_true")
        imp.add_argument("--source")
        scan = q.add_parser("scan", help="scan for candidate problems (as `copps candidates`)")
        scan.add_argument("--kind", action="append", help="a candidate kind (repeatable; default all)")
        q.add_parser("publish-refresh", help="rebuild the public tables (as `copps publish-refresh`)")
        q.add_parser("notify", help="mail subscribers what is new in their area (as `copps notify`)")
        q.add_parser("prevention-scan", help="near-repeat prevention windows (as `copps prevention scan`)")
        q.add_parser(
            "hotspot-layers", help="keep the workspace's standard hot-spot layers (queued after each import)"
        )
        q.add_parser("staff-digest", help="mail supervisors what waits for them (as `copps staff-digest`)")
        rep = q.add_parser("report", help="write a report file (as `copps report`)")
        rep.add_argument("report", choices=["compstat", "sara"])
        rep.add_argument("--out", type=Path, required=True)
        rep.add_argument("--district", default="city")
        rep.add_argument("--week")
        rep.add_argument("--problem", type=int)

    def handle(self, *args, **opts):
        if opts["action"] == "list":
            return self._list(opts)
        who = f"cli:{getpass.getuser()}"
        job = opts["job"]
        if job == "import":
            path = Path(opts["file"]).resolve()
            if not path.is_file():
                raise CommandError(f"{opts['file']}: no such file")
            result = enqueue(
                tasks.import_file,
                str(path),
                opts["profile"],
                skip_bad=opts["skip_bad"],
                source=opts["source"],
                label=f"Import {path.name} ({opts['profile']})",
                username=who,
            )
        elif job == "scan":
            result = enqueue(candidate_scan, opts["kind"], label="Candidate scan", username=who)
        elif job == "publish-refresh":
            result = enqueue(tasks.publish_refresh, label="Public tables rebuild", username=who)
        elif job == "notify":
            result = enqueue(tasks.notify, label="Subscriber mail", username=who)
        elif job == "prevention-scan":
            result = enqueue(tasks.prevention_scan, label="Near-repeat prevention scan", username=who)
        elif job == "hotspot-layers":
            result = enqueue(hotspot_layers, label=HOTSPOT_LABEL, username=who)
        elif job == "staff-digest":
            result = enqueue(tasks.staff_digest, label="Supervisors' digest", username=who)
        else:
            out = opts["out"].resolve()
            if out.suffix.lower() not in (".pdf", ".html") or not out.parent.is_dir():
                raise CommandError(f"--out {opts['out']}: give a .pdf or .html file in an existing folder")
            if opts["report"] == "sara" and opts["problem"] is None:
                raise CommandError("a SARA report needs --problem")
            result = enqueue(
                tasks.report_pdf,
                opts["report"],
                str(out),
                district=opts["district"],
                week=opts["week"],
                problem=opts["problem"],
                label=f"{opts['report'].upper()} report {out.name}",
                username=who,
            )
        self.stdout.write(f"queued job {result.id}")

    def _list(self, opts):
        for job in DBTaskResult.objects.order_by("-enqueued_at")[: opts["limit"]]:
            row = {
                "id": str(job.id),
                "task": job.task_path.rsplit(".", 1)[-1],
                "status": job.status,
                "attempts": len(job.worker_ids),
                "enqueued_at": job.enqueued_at.isoformat(),
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
                "error": job.exception_class_path or None,
            }
            if opts["json"]:
                self.stdout.write(json.dumps(row))
            else:
                self.stdout.write(
                    f"{row['id']}  {row['status']:10}  {row['task']:16}  {row['enqueued_at']}"
                    + (f"  {row['error']}" if row["error"] else "")
                )
