"""The one settings module. Configured only by COPPS_* environment variables (see config.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import dj_database_url

from copps import config
from copps.cacheconf import caches_from_url
from copps.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent

MODE = config.get("COPPS_MODE")
if MODE not in {"demo", "production"}:
    raise config.ConfigError(f"COPPS_MODE={MODE!r}: expected demo or production")

DEMO_SECRET_KEY = "copps-demo-secret-key-not-for-production-use-0000000000000000"
SECRET_KEY = config.get_secret("COPPS_SECRET_KEY") or DEMO_SECRET_KEY
if MODE == "production" and (problem := config.secret_key_problem(SECRET_KEY, DEMO_SECRET_KEY)):
    raise config.ConfigError(
        f"Refusing to run in production mode with this secret key: {problem}. Set COPPS_SECRET_KEY "
        "(or COPPS_SECRET_KEY_FILE) to a random key, e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
DEBUG = config.get_bool("COPPS_DEBUG")
if MODE == "production" and DEBUG:
    raise config.ConfigError("Refusing to run in production mode with COPPS_DEBUG on.")
ALLOWED_HOSTS = config.get_list("COPPS_ALLOWED_HOSTS") + ["testserver"] * (MODE == "demo")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # staff authenticators (TOTP devices): django-otp's otp_totp plugin; before copps.accounts, whose
    # admin takes the plugin's device admin off the site (docs/security.md)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "copps.accounts",
    "copps.geo.gazetteer",
    "copps.incidents",
    "copps.community",
    "copps.problems",
    "copps.publish",
    "copps.reports",
    "copps.community.engagement",
    # background jobs: Django's tasks API (backport) on the database backend (docs/operations.md)
    "django_tasks",
    "django_tasks_db",
    "copps.jobs",
    # the copps command's own commands (demo, serve, scan, status, backup, ...): imports every room
    "copps.operations",
]

MIDDLEWARE = [
    # Outermost: the anonymous-tip routes lose client address, user agent and cookies before any
    # other code sees the request, and set no cookie (copps/community/tipguard.py).
    "copps.community.tipguard.TipPrivacyMiddleware",
    # the request's id and path on every log record made while it is served (copps/logs.py)
    "copps.logs.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "copps.accounts.middleware.SecurityHeadersMiddleware",
    # a NUL character or an unreadable charset is a clear 400 before anything reads the input
    "copps.accounts.input_guard.BadInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # public pages in English or Spanish: from the URL's /es/ prefix, else the language cookie, else
    # Accept-Language (copps/language.py)
    "copps.language.PublicLocaleMiddleware",
    # hours, weekdays and day edges in the zone of the site's data (copps/incidents/sitetime.py)
    "copps.incidents.sitetime.SiteTimeZoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "copps.accounts.middleware.SessionSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "copps.urls"
WSGI_APPLICATION = "copps.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "copps.context.site",
            ],
            # {{ obj|localized:"title" }}: a staff-written text in the visitor's language
            "builtins": ["copps.language"],
        },
    },
]


def _database(url: str) -> dict:
    db = dj_database_url.parse(url, conn_max_age=60)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["CONN_MAX_AGE"] = 0
        db["OPTIONS"] = {
            # WAL lets readers work during an import; FULL makes a commit durable;
            # IMMEDIATE takes the write lock at BEGIN so writers queue instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        db["TEST"] = {"NAME": None}
    elif db["ENGINE"] == "django.db.backends.postgresql":
        db["TEST"] = {"NAME": f"test_{db['NAME']}"}
    else:
        raise config.ConfigError(f"COPPS_DATABASE_URL: unsupported database {db['ENGINE']}")
    return db


DATABASE_URL = config.get("COPPS_DATABASE_URL")
if DATABASE_URL.startswith("sqlite:///") and not DATABASE_URL.startswith("sqlite:////"):
    # Relative path: make it absolute from the working directory and create its folder.
    _path = Path(DATABASE_URL.removeprefix("sqlite:///")).resolve()
    _path.parent.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{_path}"
DATABASES = {"default": _database(DATABASE_URL)}
# One cache for every worker and app server: Redis, else the database's own (copps/cacheconf.py).
try:
    CACHES = caches_from_url(config.get("COPPS_CACHE_URL"), DATABASES["default"])
except ValueError as exc:
    raise config.ConfigError(str(exc)) from None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",  # argon2id
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "copps.accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "copps.accounts.passwords.BreachedPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Each role's starting page after signing in (copps/accounts/landing.py): an officer's own work, a
# supervisor's decisions, an analyst's dashboard, an auditor's log; residents the front door.
COPPS_LANDING_PAGES = {
    "officer": "problems:my_work",
    "supervisor": "problems:waiting",
    "analyst": "problems:dashboard",
    "admin": "problems:waiting",
    "auditor": "audit_log",
}
LOGOUT_REDIRECT_URL = "login"

# django-otp's TOTP devices (copps/accounts/mfa.py). The lockout is ours (5 failures in 15 minutes,
# counted in the audit log), so the plugin's own growing delay is off; so is its drift tracking,
# which would move the accepted window away from now (a code 1 step either side of now, no more).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_TOTP_SYNC = False
OTP_TOTP_ISSUER = "copps"

LANGUAGE_CODE = "en-us"
TIME_ZONE = config.get("COPPS_TIME_ZONE")
USE_I18N = True
# Public pages are translated (locale/<lang>/LC_MESSAGES/django.po; make install compiles the .mo files).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR.parent.parent / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(config.get("COPPS_STATIC_ROOT")).resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from here after collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Leaflet's files come from the django-leaflet package (its static folder only: the app itself
# would pull in GeoDjango and GDAL, which copps does not need).
STATICFILES_DIRS = [
    BASE_DIR / "static",
    Path(importlib.util.find_spec("leaflet").submodule_search_locations[0]) / "static",
]
WHITENOISE_USE_FINDERS = True  # serve straight from the packages in the demo: no collectstatic step

# Sessions live in the database. copps.accounts.middleware ends a signed-in session after 30 idle
# minutes or 12 hours; the cookie dies with the browser (no "remember me").
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = MODE == "production"
CSRF_COOKIE_SECURE = MODE == "production"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS: copps behind TLS (itself or a reverse proxy) redirects plain HTTP and sends HSTS.
TLS = config.get_bool("COPPS_TLS")
SECURE_SSL_REDIRECT = TLS
SECURE_HSTS_SECONDS = 31536000 if TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TLS
SECURE_HSTS_PRELOAD = TLS
if config.get_bool("COPPS_TLS_PROXY"):
    # Only behind a proxy that always sets (and strips any client-sent) X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if TLS:
    # __Host- cookies: browsers accept them only Secure, for this exact host, path / (ASVS 3.4.4).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-copps_session"
    CSRF_COOKIE_NAME = "__Host-copps_csrf"

COPPS_TILE_URL = config.get("COPPS_TILE_URL")

# One filter scrubs every log (copps/community/logscrub.py): tracking keys and Open311 tokens are
# written [key], and nothing about a visit to the anonymous-tip routes is logged. It sits on the
# root logger and on every handler; Django's own loggers ("django", whose default handlers would
# print or mail records unfiltered, and runserver's "django.server") are sent to the filtered
# handler. A handler added here must list "scrub" in its filters.
# One stream handler behind the scrubbing filter, as text or JSON Lines (copps/logs.py).
LOGGING = logging_config(config.get("COPPS_LOG_FORMAT").strip().lower(), config.get("COPPS_LOG_LEVEL"))

# The public portal's privacy rules (validated in copps/publish/conf.py; docs/privacy.md).
COPPS_PUBLISH_SNAP_MIN_ADDRESSES = config.get("COPPS_PUBLISH_SNAP_MIN_ADDRESSES")
COPPS_PUBLISH_MIN_OFFSET_M = config.get("COPPS_PUBLISH_MIN_OFFSET_M")
COPPS_PUBLISH_K = config.get("COPPS_PUBLISH_K")
COPPS_PUBLISH_DELAY_DAYS = config.get("COPPS_PUBLISH_DELAY_DAYS")
COPPS_PUBLISH_SENSITIVE = config.get("COPPS_PUBLISH_SENSITIVE")

# Background jobs (copps/jobs/): queued in the database, run by `copps worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
COPPS_WORKER_LOST_SECONDS = config.get("COPPS_WORKER_LOST_SECONDS")
# Files staff give copps (import uploads) and files it makes (report PDFs): never static, never
# public; the pages that hand them out check the role and audit (copps/incidents/uploads.py,
# copps/reports/store.py).
COPPS_DATA_DIR = Path(config.get("COPPS_DATA_DIR")).resolve()
COPPS_IMPORT_UPLOAD_MAX_MB = config.get("COPPS_IMPORT_UPLOAD_MAX_MB")
COPPS_JOB_ATTEMPTS = config.get("COPPS_JOB_ATTEMPTS")

# Rate limits (copps/accounts/ratelimit.py) and the community front door (copps/community/conf.py).
COPPS_RATE_LIMITS = config.get("COPPS_RATE_LIMITS")
COPPS_RATE_LIMIT_STORE = config.get("COPPS_RATE_LIMIT_STORE")
if COPPS_RATE_LIMIT_STORE not in ("cache", "database", "process"):
    raise config.ConfigError(
        f"COPPS_RATE_LIMIT_STORE must be cache, database or process, not {COPPS_RATE_LIMIT_STORE!r}"
    )
COPPS_COMMUNITY_REOPEN_DAYS = config.get("COPPS_COMMUNITY_REOPEN_DAYS")
# Problems gone quiet, for the supervisors' "Waiting for me" (copps/problems/work.py).
COPPS_PROBLEMS_QUIET_DAYS = config.get("COPPS_PROBLEMS_QUIET_DAYS")
# the anchors file the auditors' chain page checks (``copps audit anchor FILE`` writes it); "" none
COPPS_AUDIT_ANCHORS = config.get("COPPS_AUDIT_ANCHORS").strip()
# Near-repeat prevention windows (copps/problems/prevention.py).
COPPS_PREVENTION_CATEGORIES = config.get("COPPS_PREVENTION_CATEGORIES")
COPPS_PREVENTION_MAX_OPEN = config.get("COPPS_PREVENTION_MAX_OPEN")
COPPS_HOTSPOT_PRECOMPUTE_EVENTS = config.get("COPPS_HOTSPOT_PRECOMPUTE_EVENTS")
COPPS_COMMUNITY_PHOTO_MAX_MB = config.get("COPPS_COMMUNITY_PHOTO_MAX_MB")
COPPS_COMMUNITY_PHOTO_MAX_PIXELS = config.get("COPPS_COMMUNITY_PHOTO_MAX_PIXELS")

# Request bodies. The one file copps takes is a resident's photo, so the photo limit caps the
# files of every request: UploadLimit drops a file as it passes COPPS_COMMUNITY_PHOTO_MAX_MB,
# before it is all kept, and the report page says so on its form (Django alone keeps a file of
# any size). A file is held in memory up to 2.5 MB, past that in a temporary file deleted after
# the request; the other fields of a request may hold 2.5 MB (more: 400), far more than any form.
FILE_UPLOAD_HANDLERS = [
    # the staff import page's own limit (COPPS_IMPORT_UPLOAD_MAX_MB); elsewhere it passes bytes on
    "copps.incidents.uploads.ImportUploadLimit",
    "copps.community.photos.UploadLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Community engagement (copps/community/engagement/conf.py validates; docs/engagement.md).
COPPS_SURVEY_MIN_N = config.get("COPPS_SURVEY_MIN_N")
COPPS_SURVEY_CODES = config.get("COPPS_SURVEY_CODES")
COPPS_SITE_URL = config.get("COPPS_SITE_URL")
# Subscription mail: SMTP when a host is set, else the console (the demo prints each mail).
EMAIL_HOST = config.get("COPPS_EMAIL_HOST")
EMAIL_PORT = int(config.get("COPPS_EMAIL_PORT"))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = config.get("COPPS_EMAIL_FROM")
