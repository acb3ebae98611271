"""The ``copps`` console script: Django management commands with the settings preset.

The copps commands are declared once in ``COMMANDS`` (public name -> management command);
``copps --help`` lists them with the help text of each command, and any other Django
command (``migrate``, ``createsuperuser``, ``check`` ...) works too.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main", "COMMANDS"]

# Public name -> management command. `import` is a Python keyword, so its command has a longer name.
COMMANDS = {
    "demo": "demo",
    "import": "import_events",
    "batches": "batches",
    "areas": "areas",
    "events": "events",
    "simulate": "simulate",
    "serve": "serve",
    "scan": "scan",
    "status": "status",
    "candidates": "candidates",
    "requests": "requests",
    "notify": "notify",
    "staff-digest": "staff_digest",
    "gazetteer": "gazetteer",
    "geocode": "geocode",
    "publish-points": "publish_snap_points",
    "publish-refresh": "publish_refresh",
    "report": "report",
    "audit": "audit",
    "backup": "backup",
    "restore": "restore",
    "worker": "worker",
    "jobs": "jobs",
    "feeds": "feeds",
    "disable_inactive": "disable_inactive",
    "mfa_code": "mfa_code",
    "migrate": "migrate",
    "createsuperuser": "createsuperuser",
}


def _overview() -> str:
    from django.core.management import get_commands, load_command_class

    apps = get_commands()
    lines = ["usage: copps COMMAND [options]   (copps COMMAND --help for its options)", "", "commands:"]
    for name, command in COMMANDS.items():
        help_text = load_command_class(apps[command], command).help.split(". ")[0].rstrip(".")
        lines.append(f"  {name:16} {help_text}")
    lines += ["", "Every Django management command works too: copps help --commands lists them."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    from copps.config import ConfigError

    try:
        _main(argv)
    except ConfigError as exc:  # a bad COPPS_* value: say which and how to fix it, no traceback
        sys.exit(f"copps: {exc}")


def _main(argv: list[str] | None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copps.settings")
    import django
    from django.core.management import execute_from_command_line

    if not args or args[0] in ("-h", "--help"):
        django.setup()
        print(_overview())
        return
    if args[:2] == ["scan", "candidates"]:  # candidates take no event filters: their own command
        args = ["candidates", *args[2:]]
    if args[0] in COMMANDS:
        args[0] = COMMANDS[args[0]]
    from django.db import OperationalError, ProgrammingError

    try:
        execute_from_command_line(["copps", *args])
    except (OperationalError, ProgrammingError) as exc:
        message = _unmigrated(exc)
        if message is None:
            raise
        sys.stderr.write(f"CommandError: {message}\n")
        sys.exit(1)


def _unmigrated(exc: Exception) -> str | None:
    """The plain message for a database that lacks copps's tables or columns, else None.

    SQLite says "no such table" / "no such column"; PostgreSQL "relation ... does not exist" /
    "column ... does not exist". Any other database error is a real fault and keeps its traceback.
    """
    text = str(exc).lower()
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return "the database has no tables yet: run `copps migrate` (then import data with `copps import`)"
    if "no such column" in text or ("column" in text and "does not exist" in text):
        return "the database is from an older copps: run `copps migrate` to bring it up to date"
    return None


if __name__ == "__main__":
    main()
