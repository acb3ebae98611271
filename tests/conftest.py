"""Shared test fixtures: where the real data lives, and a cast of users, one per role."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# ../shared/data beside the checkout; from mutmut's copy of the tree (make mutation: ./mutants)
# it is one level further up
SHARED_DATA = next(
    (d / "shared" / "data" for d in REPO.parents[0:2] if (d / "shared" / "data").is_dir()),
    REPO.parent / "shared" / "data",
)


def shared_data(relative: str) -> Path:
    """A file of ../shared/data, or skip the test saying what is missing."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data file {path} is absent (../shared/data is not beside this checkout)")
    return path


PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def city(tmp_path_factory):
    """The synthetic city (seed 7, two years) as files, generated once per run: (paths, truth)."""
    import json

    paths = generated_city(7, 2, tmp_path_factory.mktemp("city"))
    return paths, json.loads(paths["truth"].read_text())


# ----- the synthetic city's files, generated once per machine rather than once per test process
# (each pytest-xdist worker of each database pass built the same files, seconds every time).
# Kept in .cache/ (git-ignored) under a hash of everything that decides their bytes: the
# generator's source, the parameters and the libraries whose numbers it draws; a change to any
# of them is a new name, so the city is generated again. Each process copies the files to a
# folder of its own (a test may write beside them), so the cached ones are only ever read.
CITY_CACHE = REPO / ".cache" / "test-city"


def city_key(*params) -> str:
    import hashlib
    import sys

    import numpy
    import pyproj

    import copps.simulate

    digest = hashlib.sha256(repr((params, sys.version_info[:2], numpy.__version__, pyproj.__version__)).encode())
    simulate = Path(copps.simulate.__file__).parent
    for source in [*sorted(simulate.rglob("*.py")), simulate.parent / "geo" / "crs.py"]:
        digest.update(source.relative_to(simulate.parent).as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:24]


def generated_city(seed: int, years: int, out: Path) -> dict[str, Path]:
    """``copps.simulate.generate(seed, years, out)``'s files in ``out``, from the cache when it has them."""
    import json
    import tempfile

    from copps.simulate import generate

    cached = CITY_CACHE / city_key(seed, years)
    if not (cached / "paths.json").is_file():
        try:
            CITY_CACHE.mkdir(parents=True, exist_ok=True)
        except OSError:  # no cache to keep (.cache a dangling link, a read-only checkout): generate here
            return generate(seed, years, out)
        fresh = Path(tempfile.mkdtemp(prefix="new-", dir=CITY_CACHE))
        names = {name: path.name for name, path in generate(seed, years, fresh).items()}
        (fresh / "paths.json").write_text(json.dumps(names), encoding="utf-8")  # written last: the mark of a whole city
        try:
            os.replace(fresh, cached)  # whole or absent, whichever process finishes first
        except OSError:  # another process (a second xdist worker) put its city there first
            shutil.rmtree(fresh, ignore_errors=True)
    names = json.loads((cached / "paths.json").read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    for name in names.values():
        shutil.copyfile(cached / name, out / name)
    return {key: out / name for key, name in names.items()}


def import_city(paths: dict) -> None:
    """The synthetic city's districts, beats, crimes and collisions, through the real commands."""
    from django.core.management import call_command

    call_command("areas", "import", str(paths["districts"]), type="district", name_field="NAME", code_field="DISTRICT")
    call_command(
        "areas", "import", str(paths["beats"]), type="beat", name_field="BEAT", parent_field="DISTRICT",
        parent_type="district",
    )
    call_command("import_events", str(paths["crimes"]), profile="sfpd")
    call_command("import_events", str(paths["collisions"]), profile="switrs")


# ----- a fixture's database writes, made once per test process and written again row for row.
# Some fixtures import a whole data set through the real commands (the synthetic city's two years
# of events: seconds a test, for a hundred tests, on both databases). The first test in a process
# that asks for such a fixture runs the commands and records what they did to every table (rows
# added, changed, removed); each later test, in its own rolled-back transaction, starts from the
# same tables the first one started from and gets those rows written again (one prepared INSERT
# per table run over all of its rows, one COPY on PostgreSQL; the same ids and values, except a
# column Django stamps with the time of the write, auto_now or auto_now_add, which gets the time
# of this test's write), which is what the commands would have written. When a later test's
# tables differ from the first one's before the import (another fixture wrote to them first), the
# commands run again instead. "The tables" are those the commands wrote and those the rows they
# wrote point to (a batch with no user does not make the users table part of the record: a test
# that signed its cast in first still gets the replay). What the commands print and what they
# leave in the caches is not replayed: the caches are emptied before every test anyway and hold
# only what the pages compute again.
_RECORDED: dict[str, tuple[dict, dict, object]] = {}
# the INSERT statements and their parameters of each record, prepared at its first replay
_PREPARED: dict[str, list] = {}


def _models():
    from django.apps import apps

    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _table(model) -> dict:
    names = [f.attname for f in model._meta.concrete_fields]
    return {row[0]: row for row in model._base_manager.order_by().values_list("pk", *names)}


def _tables() -> dict:
    return {model: _table(model) for model in _models()}


def replayed(key: str, write):
    """``write()``'s value, with its database writes made by running it in the first test of this
    process that asks for ``key`` and replayed from the record in every later one (see above)."""
    if key in _RECORDED:
        before, after, value = _RECORDED[key]
        if all(_table(model) == rows for model, rows in before.items()):
            _write_rows(key, {m: before[m] for m in after}, after)
            return value
        return write()  # this test's tables are not those the record starts from
    start = _tables()
    value = write()
    end = _tables()
    changed = [m for m in start if start[m] != end[m]]
    if not any(m._meta.parents for m in changed):  # bulk inserts cannot write inherited models
        # the record holds for tables like the first test's: those written and those they point to
        written = {m: [row for pk, row in end[m].items() if start[m].get(pk) != row] for m in changed}
        _RECORDED[key] = ({m: start[m] for m in _pointed_to(written)}, {m: end[m] for m in changed}, value)
    return value


def _pointed_to(written: dict) -> set:
    """The models of ``written`` (model: rows written), the models those rows' foreign keys point
    to (a key left empty in every row points nowhere), and every model those reach, however indirectly."""
    seen, todo = set(written), []
    for model, rows in written.items():
        fields = model._meta.concrete_fields
        for i, f in enumerate(fields, start=1):  # a row is (pk, *fields)
            if f.is_relation and f.related_model and any(row[i] is not None for row in rows):
                todo.append(f.related_model)
    while todo:
        model = todo.pop()
        if model not in seen:
            seen.add(model)
            todo += [f.related_model for f in model._meta.concrete_fields if f.is_relation and f.related_model]
    return seen


def _write_rows(key: str, before: dict, after: dict) -> None:
    from django.db import transaction

    with transaction.atomic():  # one transaction (a transactional test's too): foreign keys are checked at its end
        _write_rows_now(key, before, after)


def _inserts(before: dict, after: dict) -> list:
    """(model, INSERT statement, its parameters row by row, the columns stamped with the time) of
    the rows ``after`` has and ``before`` has not, as Django's bulk_create would send them."""
    from django.db import connection

    inserts = []
    quote = connection.ops.quote_name
    for model, old in before.items():
        fields = model._meta.concrete_fields
        rows = [row for pk, row in after[model].items() if old.get(pk) != row]
        if not rows:
            continue
        stamped = [i for i, f in enumerate(fields) if any(getattr(f, a, False) for a in ("auto_now", "auto_now_add"))]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
        )
        params = [
            [f.get_db_prep_save(v, connection) for f, v in zip(fields, row[1:], strict=True)] for row in rows
        ]
        inserts.append((model, sql, params, stamped))
    return inserts


def _write_rows_now(key: str, before: dict, after: dict) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    for model, old in before.items():
        new = after[model]
        gone = [pk for pk, row in old.items() if new.get(pk) != row]
        if gone:
            model._base_manager.filter(pk__in=gone)._raw_delete(connection.alias)
    if key not in _PREPARED:
        _PREPARED[key] = _inserts(before, after)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, sql, params, stamped in _PREPARED[key]:
            if stamped:  # what bulk_create's pre_save does: now, for this write
                fields, row = model._meta.concrete_fields, model()
                now = {i: fields[i].get_db_prep_save(fields[i].pre_save(row, True), connection) for i in stamped}
                params = [[now.get(i, v) for i, v in enumerate(row)] for row in params]
            if connection.vendor == "postgresql":  # COPY: one stream, not a statement a row
                columns = sql[sql.index("(") : sql.index(") VALUES") + 1]
                with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} {columns} FROM STDIN") as copy:
                    for row in params:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, params)
        # PostgreSQL's sequences do not move for rows written with their ids (SQLite's do)
        for statement in connection.ops.sequence_reset_sql(no_style(), list(before)):
            cursor.execute(statement)


@pytest.fixture
def chicago(db):
    """Two weeks of real Chicago crimes (2014) with the 2014 beat polygons they fall in."""
    from django.core.management import call_command

    crimes = shared_data("chicago/chicago_crimes_2014_socrata_sample.csv")
    beats = shared_data("boundaries/chicago_police_beats_2014.geojson")

    def write():
        call_command("import_events", str(crimes), profile="chicago")
        call_command("areas", "import", str(beats), type="beat", name_field="BEAT_NUM")

    replayed("chicago imported", write)  # imported once per test process, then replayed


@pytest.fixture
def cast(db, django_user_model):
    """One user per role, all with the password ``PASSWORD``."""
    users = {}
    for role in ("resident", "officer", "analyst", "supervisor", "admin", "auditor"):
        users[role] = django_user_model.objects.create_user(
            username=role, password=PASSWORD, role=role, is_staff=role == "admin", is_superuser=role == "admin"
        )
    return users


def sign_in(client, user):
    """Sign ``user`` in as staff end up after both factors (force_login skips the second one)."""
    from copps.accounts.mfa import mark_mfa_verified

    client.force_login(user)
    session = client.session
    mark_mfa_verified(session)
    session.save()
    return client


@pytest.fixture
def client_for(client, cast):
    """A test client signed in as the given role."""

    def _client(role: str):
        return sign_in(client, cast[role])

    return _client


@pytest.fixture
def audit_down(monkeypatch):
    """The audit store fails (a full disk, a lost database): every audit write raises. Pages that
    must fail closed then answer a generic 500; use a ``Client(raise_request_exception=False)``."""
    from copps.accounts import chain

    def broken(rows):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(chain, "append", broken)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """argon2 is slow on purpose and the cast is hashed for every test; the tests about password
    storage ask for the real hashers with the ``real_hashers`` fixture."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


LOCAL_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "copps-tests"},
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "copps-local"},
}


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Each test gets the process's own memory as the shared cache (rate-limit counters, public
    responses and tables), emptied before and after: the configured one (a file cache beside the
    database, or Redis) would be shared by parallel test workers and outlive the test database.
    The shared behaviour itself is tested on the real backends in tests/publish/test_shared_cache.py
    and tests/security/test_rate_limit_store.py."""
    from django.core.cache import caches

    settings.CACHES = LOCAL_CACHES
    for alias in LOCAL_CACHES:
        caches[alias].clear()
    yield
    for alias in LOCAL_CACHES:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def rate_limit_clock_held_still(monkeypatch):
    """The rate limiter counts in fixed one-minute windows; a test whose requests straddled a
    minute's turn would see its count start again (a test that passes or fails by the clock).
    Every test sees the limiter's clock held 30 s into one minute; a test about windows turning
    sets its own (``monkeypatch.setattr(ratelimit, "_clock", ...)``)."""
    from copps.accounts import ratelimit

    monkeypatch.setattr(ratelimit, "_clock", lambda: 1_800_000_030.0)


REDIS_URL = os.environ.get("COPPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_caches(prefix: str) -> dict:
    """The tests' caches with Redis (the production backend) as the shared one, its entries
    under ``prefix`` so that parallel runs on one Redis never meet."""
    return {
        **LOCAL_CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        },
    }


@pytest.fixture
def redis_cache(settings):
    """Redis as the shared cache for one test (it must be running: `make test` and CI have it on
    this machine kind; a test that needs it fails, never skips, without it)."""
    import uuid

    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not answering at {REDIS_URL} ({exc}): start redis-server")
    prefix = f"copps-test-{uuid.uuid4().hex}"
    settings.CACHES = redis_caches(prefix)
    yield prefix
    _forget_prefix(prefix)  # never clear(): that would flush every key of the Redis database


def _forget_prefix(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def real_hashers(settings):
    from copps import settings as copps_settings

    settings.PASSWORD_HASHERS = copps_settings.PASSWORD_HASHERS


# ----- browser tests: Playwright (Python) driving Debian's chromium against Django's live server.
# One Playwright session for the whole run (a second sync session in the same thread is refused).
# Chromium comes from Debian (`make test` installs it); the tests never download a browser.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous, which is what this flag tells Django.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser(live_server):
    # The browser asks for the (session-wide) live server so that it closes first: pytest tears
    # fixtures down in reverse order, and a live server stopped while Chromium still holds
    # keep-alive connections leaves request threads that close a database connection no longer
    # shared with them, which fails the last test of the run.
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test` (it installs it) or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()
    _wait_for_live_server_requests()


def _wait_for_live_server_requests(timeout: float = 15.0) -> None:
    """Let the live server's request threads see the closed browser sockets and finish while
    the in-memory database is still shared with them (they close their connection on the way out)."""
    import threading
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not [t for t in threading.enumerate() if t.name.endswith("(process_request_thread)")]:
            return
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _live_requests_finish_before_flush(request):
    """A live-server test's database is flushed when the test ends; a request thread still
    answering the page (a late fetch, a keep-alive socket Chromium has not closed yet) holds a
    table lock on the shared in-memory SQLite database and the flush fails with "database table is
    locked". Asking for ``transactional_db`` here makes this fixture end before the flush, and
    it waits for those threads first."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    _wait_for_live_server_requests()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


# ----- the PostgreSQL pass (`make test-postgres`) runs only the tests that use the test database.
# A test that asks for no test database (no ``db``/``transactional_db``/``live_server`` fixture,
# no ``django_db`` marker) cannot reach it: pytest-django refuses it any database access. Its child
# processes are given databases of their own (SQLite files, or PostgreSQL ones it makes and drops),
# never the configured one. Such a test runs the same code whichever database is configured, so
# its run in the SQLite pass is the whole of its coverage; running it again on PostgreSQL spent
# minutes of every CI run (docs, architecture, doctests, the geography units, the console-script
# checks) for nothing. A test that uses no test database but still tests something of PostgreSQL's
# says so with the ``postgresql_pass`` marker and stays.
DATABASE_FREE_LEFT_OUT = pytest.StashKey[int]()
# (every database fixture of pytest-django asks for django_db_setup; every test has django_db_blocker)
TEST_DATABASE_FIXTURES = {"django_db_setup", "db", "transactional_db", "live_server"}


def uses_test_database(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(item.get_closest_marker("django_db")) or bool(names & TEST_DATABASE_FIXTURES)


def on_postgresql() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def leave_out_database_free_tests_on_postgresql(config, items) -> None:
    """On PostgreSQL, leave out the tests that use no test database (see above) and say how many."""
    if not on_postgresql():
        return
    kept, left_out = [], []
    for item in items:
        (kept if uses_test_database(item) or item.get_closest_marker("postgresql_pass") else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
    config.stash[DATABASE_FREE_LEFT_OUT] = len(left_out)
    if hasattr(config, "workeroutput"):  # a pytest-xdist worker: tell the controller
        config.workeroutput["copps_database_free_left_out"] = len(left_out)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist's controller collects nothing itself: each worker says how many it left out."""
    count = getattr(node, "workeroutput", {}).get("copps_database_free_left_out")
    if count is not None:
        node.config.stash[DATABASE_FREE_LEFT_OUT] = count


def pytest_terminal_summary(terminalreporter, config):
    count = config.stash.get(DATABASE_FREE_LEFT_OUT, None)
    if count is not None:
        terminalreporter.write_line(
            f"PostgreSQL pass: {count} tests that use no test database were left out "
            "(they ran in the SQLite pass; tests/conftest.py says why)"
        )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Long tests first, so that pytest-xdist shares them between its workers and the short ones
    fill the end (instead of one worker finishing a long test alone after the other has run out
    of work). pytest-django has already put the tests in Django's order (database tests, then
    transactional ones, then the rest); that order is kept where it matters: a transactional test
    empties the database, so it must not run before a plain database test. The tests that use no
    test database (among them the longest: child processes on databases of their own) may run
    anywhere, so their long ones go first and their short ones last."""
    leave_out_database_free_tests_on_postgresql(config, items)

    def uses_db(item) -> tuple[bool, bool]:
        names = set(getattr(item, "fixturenames", ()))
        marker = item.get_closest_marker("django_db")
        transactional = bool(names & {"transactional_db", "live_server"}) or bool(
            marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
        )
        return uses_test_database(item) or transactional, transactional

    def long(item) -> bool:
        return any(item.get_closest_marker(m) for m in ("slow", "both_databases", "browser"))

    def place(item) -> tuple[int, int]:
        db, transactional = uses_db(item)
        if not db:
            return (0, 0) if long(item) else (3, 0)
        return (2 if transactional else 1, 0 if long(item) else 1)

    items.sort(key=place)  # stable: module and parameter groups stay together within a place
