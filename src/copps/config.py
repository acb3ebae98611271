"""Typed readers for the COPPS_* environment variables.

Every variable copps reads is declared once in ``VARIABLES`` (name, default,
help) so that the docs can list them and a test can check that none is
undocumented.  Settings are read here and only here.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

__all__ = [
    "ConfigError", "Variable", "VARIABLES", "get", "get_bool", "get_list", "get_secret",
    "setting_int", "setting_float", "setting_choice",
]


class ConfigError(RuntimeError):
    """A COPPS_* variable has a value copps cannot use."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in [
        Variable("COPPS_MODE", "demo", "`demo` (safe defaults, demo secret allowed) or `production`."),
        Variable(
            "COPPS_DATABASE_URL",
            "sqlite:///var/copps.sqlite3",
            "Database URL: `sqlite:///path` (embedded; relative paths are from the working "
            "directory) or `postgresql://user@host:5432/name`.",
        ),
        Variable(
            "COPPS_SECRET_KEY",
            "",
            "Django secret key. Required in production: at least 50 characters and 128 bits of entropy, "
            "not repetitive, and no copy of the demo key; "
            "`COPPS_SECRET_KEY_FILE` reads it from a file.",
        ),
        Variable("COPPS_DEBUG", "false", "Django debug pages (never in production)."),
        Variable("COPPS_ALLOWED_HOSTS", "127.0.0.1,localhost", "Comma-separated host names served."),
        Variable(
            "COPPS_TILE_URL",
            "",
            "Base-map tile URL template for Leaflet (e.g. an internal tile server). Empty: no "
            "base tiles, the map still works offline.",
        ),
        Variable(
            "COPPS_TIME_ZONE",
            "America/Los_Angeles",
            "The time zone of a new site, until its first import whose profile names a zone sets the "
            "site's own (an administrator can change it in the admin, Site).",
        ),
        Variable("COPPS_STATIC_ROOT", "var/static", "Where `collectstatic` puts static files."),
        Variable("COPPS_LOG_LEVEL", "INFO", "Application log level."),
        Variable(
            "COPPS_LOG_FORMAT",
            "text",
            "`text` (one readable line per record) or `json` (one JSON object per line: timestamp, level, "
            "logger, message, and the request's id and path where there is one). Scrubbed either way.",
        ),
        Variable(
            "COPPS_DATA_DIR",
            "var",
            "Where copps keeps the files staff give it or it makes: uploaded import files (`uploads/`) and "
            "generated reports (`reports/`). Staff-only, never served as static files; every app server "
            "and worker must see the same folder.",
        ),
        Variable(
            "COPPS_IMPORT_UPLOAD_MAX_MB",
            "50",
            "Largest file (data or profile) an analyst or administrator may upload on the import page, in "
            "megabytes.",
        ),
        Variable(
            "COPPS_PUBLISH_SNAP_MIN_ADDRESSES",
            "8",
            "N: every published point stands for at least this many address points (police.uk: 8).",
        ),
        Variable(
            "COPPS_PUBLISH_MIN_OFFSET_M",
            "10",
            "No published point lies closer than this (metres) to an address point or to the true "
            "location of an event it stands for.",
        ),
        Variable(
            "COPPS_PUBLISH_K", "10", "k: published counts from 1 to k-1 are suppressed (with secondary suppression)."
        ),
        Variable(
            "COPPS_PUBLISH_DELAY_DAYS",
            "7",
            "An event is published only when it occurred and was reported at least this many "
            "days before today; a month's counts only when the whole month is that old.",
        ),
        Variable(
            "COPPS_PUBLISH_SENSITIVE",
            "district",
            "`district`: sensitive events appear only in monthly district counts; `none`: not at all.",
        ),
        Variable(
            "COPPS_TLS",
            "false",
            "copps is served over HTTPS: redirect plain HTTP and send HSTS (one year, subdomains, "
            "preload). Turn on in production.",
        ),
        Variable(
            "COPPS_TLS_PROXY",
            "false",
            "Trust the `X-Forwarded-Proto` header of the reverse proxy that terminates TLS (only "
            "when the proxy always sets it).",
        ),
        Variable(
            "COPPS_CACHE_URL",
            "",
            "The cache shared by every worker and app server: `redis://host:6379/0` (production), "
            "`file:///folder`, `locmem://` (one process: tests only); empty: the database's own "
            "(a `cache` folder beside an SQLite file; the table `copps_cache` on PostgreSQL).",
        ),
        Variable(
            "COPPS_RATE_LIMITS",
            "",
            "Per-scope rate limits, `scope=N` requests per minute, comma-separated (e.g. "
            "`report=10,tip=20`); `0` turns a scope off; scopes not named keep their built-in limit.",
        ),
        Variable(
            "COPPS_RATE_LIMIT_STORE",
            "cache",
            "Where rate-limit counts live: `cache` (the shared cache of `COPPS_CACHE_URL`: atomic on "
            "Redis), `database` (exact counts shared by every server, in the table `copps_rate_limits`) "
            "or `process` (each app-server worker counts on its own).",
        ),
        Variable(
            "COPPS_COMMUNITY_REOPEN_DAYS",
            "14",
            "Days after a service request is closed during which its reporter may reopen it.",
        ),
        Variable(
            "COPPS_COMMUNITY_PHOTO_MAX_MB",
            "8",
            "Largest photo a resident may attach to a concern, in megabytes (before re-encoding).",
        ),
        Variable(
            "COPPS_COMMUNITY_PHOTO_MAX_PIXELS",
            "40000000",
            "Largest photo a resident may attach, in pixels (width x height), refused before decoding.",
        ),
        Variable(
            "COPPS_PROBLEMS_QUIET_DAYS",
            "14",
            "An open problem with no activity (note, contact, visit or recorded change) for this many "
            "days is listed on its supervisors' \"Waiting for me\" page.",
        ),
        Variable(
            "COPPS_AUDIT_ANCHORS",
            "",
            "The file `copps audit anchor` appends the audit chain's anchors to: the auditors' chain "
            "page holds the chain to it, like `copps audit verify --anchors`; empty: no anchors.",
        ),
        Variable(
            "COPPS_PREVENTION_CATEGORIES",
            "burglary,theft-from-vehicle",
            "Near-repeat prevention: the offence categories (codes) whose new events may open a prevention "
            "window when their area's Knox table shows a significant near-repeat pattern.",
        ),
        Variable(
            "COPPS_PREVENTION_MAX_OPEN",
            "3",
            "Near-repeat prevention: at most this many open prevention windows per beat; a new event past "
            "the cap opens none (the scan says how many were capped).",
        ),
        Variable(
            "COPPS_HOTSPOT_PRECOMPUTE_EVENTS",
            "50000",
            "Hot-spot workspace: after an import, a background job keeps the standard views' layers "
            "(every kind x the city and each district x the last 28, 90 and 365 days) once the site holds "
            "at least this many events; below it they are computed when first asked (quick on a small site).",
        ),
        Variable(
            "COPPS_SURVEY_MIN_N",
            "10",
            "Community surveys: an area's result (mean, proportion) is shown only from this many answers up.",
        ),
        Variable(
            "COPPS_SURVEY_CODES",
            "off",
            "Community surveys: 'required' counts an answer only with an invitation code from "
            "`copps survey_codes` (one per code); 'off' lets any browser answer once.",
        ),
        Variable(
            "COPPS_EMAIL_HOST",
            "",
            "SMTP host for subscription mail; empty: mail is written to the console (the demo).",
        ),
        Variable("COPPS_EMAIL_PORT", "25", "SMTP port for subscription mail."),
        Variable(
            "COPPS_WORKER_LOST_SECONDS",
            "300",
            "Background jobs: a worker that has not checked in for this many seconds is taken for dead "
            "and its running job is retried (a dead worker on the same machine is noticed at once).",
        ),
        Variable(
            "COPPS_JOB_ATTEMPTS",
            "3",
            "Background jobs: how many times a job whose worker died is run before it is marked failed.",
        ),
        Variable("COPPS_EMAIL_FROM", "copps@localhost", "Sender address of subscription mail."),
        Variable(
            "COPPS_SITE_URL",
            "http://127.0.0.1:8000",
            "The public address of copps, for the links in mail (confirm, unsubscribe).",
        ),
    ]
}


def get(name: str) -> str:
    """The raw value of a declared variable, or its default."""
    var = VARIABLES[name]
    return os.environ.get(name, var.default)


def get_bool(name: str) -> bool:
    value = get(name).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name}={value!r}: expected true or false")


def get_list(name: str) -> list[str]:
    return [part.strip() for part in get(name).split(",") if part.strip()]


def get_secret(name: str) -> str:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    file_var = f"{name}_FILE"
    path = os.environ.get(file_var)
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{file_var}={path!r}: cannot read: {exc.strerror}") from exc
    return get(name)


# What a production secret key must have (Django signs sessions, CSRF tokens and the mail links
# with it): at least 50 characters, as Django's own deploy check asks; at least 128 bits of
# estimated entropy (its length times the smaller of log2 of the alphabet its characters come
# from and their Shannon entropy: a random hex key of 64 characters has about 240, "a" * 50 none);
# hardly any repeated run of three characters (a pattern such as "abcdefghij" * 5 repeats most);
# and nothing it shares with the demo key longer than 12 letters and digits (the demo key plus a
# space, in capitals, with a changed suffix...).
SECRET_MIN_LENGTH = 50
SECRET_MIN_BITS = 128
SECRET_MIN_DISTINCT_TRIGRAMS = 0.85
SECRET_MAX_SHARED_WITH_DEMO = 12
_HEX = frozenset("0123456789abcdef") | frozenset("0123456789ABCDEF")


def _alphabet(key: str) -> int:
    if set(key) <= _HEX:
        return 16
    return (
        10 * any(c.isdigit() for c in key)
        + 26 * any(c.islower() for c in key)
        + 26 * any(c.isupper() for c in key)
        + 33 * any(not c.isalnum() for c in key)
    )


def secret_key_problem(key: str, demo_key: str) -> str:
    """Why ``key`` is not fit to sign a production site's sessions, or ``""`` when it is."""

    def plain(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    a, b = plain(key), plain(demo_key)
    shared = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size
    if shared > SECRET_MAX_SHARED_WITH_DEMO:
        return "it is the demo secret key or a near-copy of it"
    if len(key) < SECRET_MIN_LENGTH:
        return f"it is {len(key)} characters long; at least {SECRET_MIN_LENGTH} are needed"
    counts = Counter(key)
    shannon = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    bits = max(0.0, len(key) * min(math.log2(_alphabet(key)), shannon))
    if bits < SECRET_MIN_BITS:
        return f"it is not random enough (about {bits:.0f} bits of entropy; at least {SECRET_MIN_BITS} are needed)"
    trigrams = [key[i : i + 3] for i in range(len(key) - 2)]
    if len(set(trigrams)) < SECRET_MIN_DISTINCT_TRIGRAMS * len(trigrams):
        return "it repeats itself (too many runs of three characters occur more than once)"
    return ""


def _setting(name: str):
    from django.conf import settings

    return getattr(settings, name, VARIABLES[name].default)


def setting_int(name: str, low: int) -> int:
    """A whole-number Django setting declared in ``VARIABLES`` (its default from there), checked
    when it is read (tests override settings, so the check cannot happen once at start-up): a bad
    or too-small value fails loudly."""
    from django.core.exceptions import ImproperlyConfigured

    value = _setting(name)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number of at least {low}") from None
    if number < low:
        raise ImproperlyConfigured(f"{name}={number}: expected a whole number of at least {low}")
    return number


def setting_float(name: str, low: float) -> float:
    """A number Django setting declared in ``VARIABLES``, checked when read like :func:`setting_int`."""
    from django.core.exceptions import ImproperlyConfigured

    value = _setting(name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r}: expected a number of at least {low:g}") from None
    if not number >= low:  # also refuses NaN
        raise ImproperlyConfigured(f"{name}={number!r}: expected a number of at least {low:g}")
    return number


def setting_choice(name: str, choices: tuple[str, ...]) -> str:
    """A Django setting declared in ``VARIABLES`` that must be one of ``choices`` (case-insensitive)."""
    from django.core.exceptions import ImproperlyConfigured

    value = str(_setting(name)).strip().lower()
    if value not in choices:
        expected = " or ".join(f"'{c}'" for c in choices)
        raise ImproperlyConfigured(f"{name}={value!r}: expected {expected}")
    return value
