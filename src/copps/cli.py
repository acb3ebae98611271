"""The ``copps`` console script: Django management commands with the settings preset.

``copps import FILE --profile NAME`` and friends are ordinary management commands;
this module only maps the public command names onto them.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main", "ALIASES"]

# Public command name -> management command. Names that are Python keywords or
# too generic for a Django command namespace get a longer internal name.
ALIASES = {
    "import": "import_events",
    "serve": "serve",
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copps.settings")
    from django.core.management import execute_from_command_line

    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    execute_from_command_line(["copps", *args])


if __name__ == "__main__":
    main()
