"""Durability under SIGKILL: 200 clients send Open311 requests (each with its own Idempotency-Key,
retrying after connection errors) and anonymous tips to `copps serve`; the server, master and
workers, is SIGKILLed mid-run and started again. Every request that was acknowledged (2xx with
an id) exists exactly once, no idempotency key has two requests, and every acknowledged tip is
there with its text, exactly once: a tip client resends the same form (same form token) until it
gets its receipt, and a resend after the restart gets the same tip id and passphrase — on SQLite
(WAL, synchronous FULL) and on PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections import Counter

import pytest
from tests.incidents.test_import_kill import Database
from tests.security.harness import bench

CLIENTS = 200
PER_CLIENT = 3
TIP_EVERY = 10  # every tenth client also sends a tip
GIVE_UP = 180  # seconds a client keeps retrying one submission


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    db = Database(request.param, tmp_path)
    yield db
    db.drop()


def query(db: Database, sql: str) -> list[tuple]:
    if db.vendor == "sqlite":
        conn = sqlite3.connect(db.path)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(db.url) as conn:
        return conn.execute(sql).fetchall()


class Run:
    """What the clients saw: acknowledged ids per key, tips per marker, connection errors."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked: dict[str, tuple[str, bool]] = {}  # key -> (service_request_id, after the kill)
        self.tips: dict[str, tuple[str, str, str]] = {}  # marker -> (tip id, passphrase, form token)
        self.errors = Counter()
        self.answers = Counter()  # status of each acknowledgement: 201 created, 200 a replay of the key
        self.refused: list[str] = []
        self.killed = threading.Event()

    def retry(self, send, what: str):
        deadline = time.monotonic() + GIVE_UP
        while time.monotonic() < deadline:
            try:
                status, ident = send()
            except OSError as exc:
                with self.lock:
                    self.errors[type(exc).__name__] += 1
                time.sleep(0.2)
                continue
            if 200 <= status < 300 and ident:
                with self.lock:
                    self.answers[status] += 1
                return ident
            with self.lock:
                self.errors[status] += 1
            if status < 500:
                self.refused.append(f"{what}: {status}")
                return None
            time.sleep(0.2)
        self.refused.append(f"{what}: gave up")
        return None


@pytest.mark.slow
@pytest.mark.both_databases
def test_acknowledged_submissions_survive_sigkill_exactly_once(database, tmp_path):
    api_key = bench.prepare(database.url, tmp_path)
    server = bench.Server(database.url, tmp_path, workers=2, COPPS_RATE_LIMITS="open311_post=0,tip=0")
    server.start()
    run = Run()

    def tip(marker: str) -> None:
        token = run.retry(lambda: bench.tip_form(server.base), f"form for {marker}")
        if token is None:
            return

        def send():  # one form, sent until its receipt arrives: each resend carries the same token
            status, tip_id, phrase = bench.send_tip(server.base, token, marker)
            return status, (tip_id, phrase) if tip_id else None

        sent = run.retry(send, marker)
        if sent:
            with run.lock:
                run.tips[marker] = (*sent, token)

    def client(c: int) -> None:
        for n in range(PER_CLIENT):
            if n == 1 and c % TIP_EVERY == 0:  # tips go out while the kill is coming, not all before
                tip(f"durability tip {uuid.uuid4()}")
            key = f"kill-{c}-{n}-{uuid.uuid4().hex[:8]}"
            ident = run.retry(
                lambda key=key, n=n: bench.post_open311(server.base, api_key, key, c * PER_CLIENT + n), key
            )
            if ident:
                with run.lock:
                    run.acked[key] = (ident, run.killed.is_set())

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        # Kill once a good share is acknowledged but most is still to come.
        deadline = time.monotonic() + 60
        while len(run.acked) < CLIENTS * PER_CLIENT // 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()
        run.killed.set()
        database.settle()
        time.sleep(0.5)
        server.start()
        for t in threads:
            t.join(timeout=GIVE_UP + 60)
        # A client that never saw its answer sends again: after the restart the same key gets the
        # request made the first time (200), never a second one.
        replays = [
            (
                key,
                *bench.post_open311(
                    server.base, api_key, key, int(key.split("-")[1]) * PER_CLIENT + int(key.split("-")[2])
                ),
            )
            for key in sorted(run.acked)[:50]
        ]
        tip_replays = [
            (marker, bench.send_tip(server.base, token, marker), (200, tip_id, phrase))
            for marker, (tip_id, phrase, token) in sorted(run.tips.items())[:10]
        ]
    finally:
        server.stop()

    assert run.refused == []
    assert len(run.acked) == CLIENTS * PER_CLIENT and len(run.tips) == CLIENTS // TIP_EVERY
    after = sum(late for _, late in run.acked.values())
    assert 0 < after < len(run.acked), "the kill did not land mid-run"
    assert sum(n for k, n in run.errors.items() if isinstance(k, str)) > 0, "no client saw the kill"

    assert [(k, status, ident) for k, status, ident in replays if (status, ident) != (200, run.acked[k][0])] == []

    rows = query(
        database,
        "SELECT idempotency_key, public_id FROM community_servicerequest WHERE idempotency_key LIKE '%:kill-%'",
    )
    per_key = Counter(key.split(":", 1)[1] for key, _ in rows)
    assert [k for k, n in per_key.items() if n > 1] == []  # no duplicates for any key
    stored = {key.split(":", 1)[1]: public_id for key, public_id in rows}
    assert stored == {key: ident for key, (ident, _) in run.acked.items()}  # every ack there, exactly once

    tips = query(
        database,
        "SELECT t.public_id, m.body FROM community_tip t "
        "JOIN community_tipmessage m ON m.tip_id = t.id WHERE m.body LIKE 'durability tip %'",
    )
    by_id = dict(tips)
    for marker, (tip_id, _phrase, _token) in run.tips.items():
        assert by_id.get(tip_id) == marker
    assert [(m, got) for m, got, want in tip_replays if got != want] == []  # same tip, same passphrase
    copies = Counter(body for _, body in tips)
    print(
        f"{database.vendor}: {len(run.acked)} requests acknowledged ({after} after the restart), "
        f"{len(run.tips)} tips, acknowledgements by status {dict(run.answers)}, client errors {dict(run.errors)}, "
        f"tips stored twice {sum(n - 1 for n in copies.values())}"
    )
    assert [body for body, n in copies.items() if n > 1] == []  # no tip stored twice
    if database.vendor == "sqlite":
        assert query(database, "PRAGMA journal_mode")[0][0] == "wal"
