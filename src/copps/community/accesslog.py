"""The app server's access log, with the anonymous-tip routes written without the client.

``copps serve`` runs gunicorn with this logger class. For a request under
``copps.community.tipguard.TIP_PREFIX`` every atom that could identify the caller is replaced
by ``-`` whatever the configured log format asks for: the address (``%(h)s``), user
(``%(u)s``), referrer (``%(f)s``), user agent (``%(a)s``), every request header, response
header and environ variable (``%({name}i)s``, ``%({name}o)s``, ``%({name}e)s``), and the query
string. The time is kept to the hour. What stays is the method, path, status, size and
duration, which is what an operator needs to see the route works.

On every route, the path segments that are bearer secrets -- a reporter's tracking key
(``/community/track/<key>/``, ``/community/track/?id=<key>``) and an Open311 request token
(``/open311/v2/tokens/<token>.json``) -- are written as ``[key]`` in every atom: whoever reads
the log must not be able to open a resident's request. And no route's line keeps the referrer
(``%(f)s``, ``%({referer}i)s``): it would name the tip page or the track page the browser came
from (``copps.community.logscrub`` applies the same rules to every other log).
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from copps.community.logscrub import redact_query, redact_secrets
from copps.community.tipguard import is_tip_path

__all__ = ["TipScrubbingLogger", "SAFE_ATOMS", "redact_secrets"]

SAFE_ATOMS = frozenset({"s", "m", "U", "H", "b", "B", "T", "D", "M", "L", "p"})

# Where the browser came from names the page before, whatever the route: a tip page, or a
# track page with its key. No access-log line carries it.
REFERRER_ATOMS = ("f", "{referer}i", "{http_referer}e")


class TipScrubbingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO") or ""
        if not is_tip_path(path):
            for name in REFERRER_ATOMS:
                atoms[name] = "-"
            for name, value in atoms.items():
                if isinstance(value, str):
                    atoms[name] = redact_secrets(value)
            for name in ("q", "{query_string}e"):
                if isinstance(atoms.get(name), str):
                    atoms[name] = redact_query(path, atoms[name])
            return atoms
        safe = {k: v for k, v in atoms.items() if k in SAFE_ATOMS}
        safe["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
        # "[28/Nov/2026:15:04:05 +0000]" -> "[28/Nov/2026:15:00:00 +0000]"
        stamp = atoms.get("t", "")
        safe["t"] = stamp[:15] + ":00:00" + stamp[21:] if len(stamp) > 21 else "-"
        return safe
