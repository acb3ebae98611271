"""copps serve: the production app server (gunicorn) on the copps WSGI application."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve copps with gunicorn (static files served by the app through WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument("--workers", type=int, default=2, help="worker processes")
        parser.add_argument("--timeout", type=int, default=60, help="seconds before a stuck worker is restarted")

    def handle(self, *args, **opts):
        # Refuse before the workers start: an unmigrated database would answer every page with a 500.
        pending = MigrationExecutor(connections["default"]).migration_plan(
            MigrationExecutor(connections["default"]).loader.graph.leaf_nodes()
        )
        if pending:
            raise CommandError(
                f"the database is not up to date ({len(pending)} migration{'s' if len(pending) != 1 else ''} "
                "to apply): run `copps migrate` first"
            )
        self.stdout.write(f"copps is serving at http://{opts['bind']}/ (Ctrl-C to stop)")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "copps.wsgi:application",
            "--bind",
            opts["bind"],
            "--workers",
            str(opts["workers"]),
            "--timeout",
            str(opts["timeout"]),
            "--access-logfile",
            "-",
            # Writes the anonymous-tip routes without client address, user agent or headers.
            "--logger-class",
            "copps.community.accesslog.TipScrubbingLogger",
        ]
        os.execv(sys.executable, argv)
