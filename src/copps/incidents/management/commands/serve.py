"""copps serve: the production app server (gunicorn) on the copps WSGI application."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve copps with gunicorn (static files served by the app through WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument("--workers", type=int, default=2, help="worker processes")
        parser.add_argument("--timeout", type=int, default=60, help="seconds before a stuck worker is restarted")

    def handle(self, *args, **opts):
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
