"""The app server's access log, with the anonymous-tip routes written without the client.

``copps serve`` runs gunicorn with this logger class. For a request under
``copps.community.tipguard.TIP_PREFIX`` every atom that could identify the caller is replaced
by ``-`` whatever the configured log format asks for: the address (``%(h)s``), user
(``%(u)s``), referrer (``%(f)s``), user agent (``%(a)s``), every request header, response
header and environ variable (``%({name}i)s``, ``%({name}o)s``, ``%({name}e)s``), and the query
string. The time is kept to the hour. What stays is the method, path, status, size and
duration, which is what an operator needs to see the route works.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from copps.community.tipguard import is_tip_path

__all__ = ["TipScrubbingLogger", "SAFE_ATOMS"]

SAFE_ATOMS = frozenset({"s", "m", "U", "H", "b", "B", "T", "D", "M", "L", "p"})


class TipScrubbingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO") or ""
        if not is_tip_path(path):
            return atoms
        safe = {k: v for k, v in atoms.items() if k in SAFE_ATOMS}
        safe["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
        # "[28/Nov/2026:15:04:05 +0000]" -> "[28/Nov/2026:15:00:00 +0000]"
        stamp = atoms.get("t", "")
        safe["t"] = stamp[:15] + ":00:00" + stamp[21:] if len(stamp) > 21 else "-"
        return safe
