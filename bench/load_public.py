"""Load run: public reads and submissions against `copps serve` (gunicorn) on loopback.

    python bench/load_public.py [--requests 3000] [--clients 50] [--seconds 120] [--workers 2]
                                [--database-url URL]   (default: a fresh SQLite file in bench/out/)

Starts `copps serve` on a free loopback port against a freshly migrated database, then runs a
bounded number of requests from a pool of client threads: public pages and feeds, Open311 reads,
Open311 submissions (each with its own Idempotency-Key) and failed staff sign-ins (which must
each leave an audit row). Prints the request rate, the error rate (5xx and connection failures;
must stay under 1%), the number of 429s (the rate limits of copps.accounts.ratelimit), latency
percentiles, and afterwards runs `copps audit verify` and checks that every failed sign-in it
made is in the audit log. Exit status 1 when any check fails.

The server harness here (`Server`, `prepare`, `post_open311`, ...) is also what the slow tests
in tests/security use, so the test and the bench drive copps the same way.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
# The child processes get the machine's environment without any COPPS_* or test settings.
ENV = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith("COPPS_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
}
PROBE_USER = "load-probe-no-such-user"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copps_env(db_url: str, work: Path, **extra: str) -> dict:
    return {
        **ENV,
        "COPPS_DATABASE_URL": db_url,
        "COPPS_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "COPPS_STATIC_ROOT": str(work / "static"),
        **extra,
    }


def copps(db_url: str, work: Path, *args: str, **extra: str) -> str:
    """Run a copps command to completion; its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "copps.cli", *args],
        env=copps_env(db_url, work, **extra),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=work,
    )
    if done.returncode != 0:
        raise RuntimeError(f"copps {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


PREPARE = """
from copps.community.models import ApiKey, Service
Service.objects.get_or_create(service_code="GRAF", defaults={"name": "Graffiti"})
print(ApiKey.issue("load and durability runs")[1])
"""


def prepare(db_url: str, work: Path) -> str:
    """Migrate a fresh database and give it a service and an Open311 API key (returned)."""
    copps(db_url, work, "migrate", "-v0")
    return copps(db_url, work, "shell", "-c", PREPARE).strip().splitlines()[-1]


class Server:
    """`copps serve` in its own process group, so that a SIGKILL takes the gunicorn master and
    its workers down at once, like a power cut."""

    def __init__(self, db_url: str, work: Path, workers: int = 2, **extra_env: str):
        self.db_url, self.work, self.workers, self.extra_env = db_url, work, workers, extra_env
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = open(work / f"serve-{self.port}.log", "ab")  # noqa: SIM115 (closed in stop)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60, probe: str = "http") -> None:
        """Start the server and wait until it answers: ``probe="http"`` reads Open311's discovery
        document (one request the server sees); ``probe="tcp"`` only waits until the port accepts
        a connection, so a test that counts requests sees none of the start-up's, however slow
        the machine (an HTTP probe that times out and is retried would be counted twice)."""
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "copps.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
            ],
            env=copps_env(self.db_url, self.work, **self.extra_env),
            cwd=self.work,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"copps serve exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if probe == "tcp":
                    socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
                    return
                if request("GET", self.base + "/open311/v2/discovery.json", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("copps serve did not answer within a minute")

    def kill(self) -> None:
        """SIGKILL the master and every worker."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self.log.close()


def request(
    method: str, url: str, body: dict | None = None, headers: dict | None = None, timeout: float = 30
) -> tuple[int, bytes, dict]:
    """One HTTP request on a new connection: (status, body, headers). Raises OSError (including
    http.client's RemoteDisconnected) when the connection fails."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        data = urllib.parse.urlencode(body, doseq=True) if body is not None else None
        hdrs = {"Content-Type": "application/x-www-form-urlencoded"} if data is not None else {}
        conn.request(
            method,
            parts.path + (f"?{parts.query}" if parts.query else ""),
            body=data,
            headers={**hdrs, **(headers or {})},
        )
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    except http.client.HTTPException as exc:
        raise ConnectionError(str(exc)) from exc
    finally:
        conn.close()


def post_open311(base: str, api_key: str, key: str, n: int) -> tuple[int, str | None]:
    """POST one service request with Idempotency-Key ``key``: (status, service_request_id)."""
    status, body, _ = request(
        "POST",
        base + "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "GRAF",
            "description": f"load run {key} #{n}",
            "address_string": f"{100 + n % 800} Maple Ct",
            "lat": "38.71",
            "long": "-121.29",
        },
        headers={"Idempotency-Key": key},
    )
    if 200 <= status < 300:
        return status, json.loads(body)[0].get("service_request_id")
    return status, None


def tip_form(base: str) -> tuple[int, str | None]:
    """Open the anonymous-tip form: (status, its form token)."""
    status, page, _ = request("GET", base + "/community/tip/")
    token = re.search(rb'name="form_token" value="([^"]+)"', page)
    return status, token[1].decode() if status == 200 and token else None


def send_tip(base: str, token: str, marker: str) -> tuple[int, str | None, str | None]:
    """Post the tip form opened with ``token`` (same-origin): (status, tip id, passphrase). Sent
    again with the same token, it must answer with the same tip and passphrase."""
    status, page, _ = request(
        "POST",
        base + "/community/tip/",
        {"form_token": token, "topic": "other", "where": "", "message": marker},
        headers={"Origin": base},
    )
    found = re.search(rb'id="tip-id">([^<]+)<', page)
    phrase = re.search(rb'id="tip-passphrase">([^<]+)<', page)
    if status != 200 or not found:
        return status, None, None
    return status, found[1].decode(), phrase[1].decode() if phrase else None


def failed_sign_in(base: str) -> int:
    """A wrong password for a name that has no account, through the real form (CSRF and all)."""
    status, page, headers = request("GET", base + "/accounts/login/")
    cookie = re.search(r"(csrftoken|__Host-copps_csrf)=([^;]+)", headers.get("Set-Cookie", ""))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if cookie is None or token is None:
        return status
    status, _, _ = request(
        "POST",
        base + "/accounts/login/",
        {"csrfmiddlewaretoken": token[1].decode(), "username": PROBE_USER, "password": "not the password"},
        headers={"Cookie": f"{cookie[1]}={cookie[2]}", "Referer": base + "/accounts/login/"},
    )
    return status


READS = [
    "/public/",
    "/public/about/",
    "/public/api/rules",
    "/public/api/counts",
    "/public/api/events",
    "/open311/v2/services.json",
    "/open311/v2/requests.json",
    "/open311/v2/discovery.json",
]


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # connection errors, timeouts
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    sign_ins: int = 0  # failed sign-ins that were answered (each must be audited)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return sum(self.statuses.values()) + sum(self.failures.values())

    @property
    def errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500) + sum(self.failures.values())


def load(base: str, api_key: str, requests: int, clients: int, seconds: float, seed: int = 7) -> Tally:
    """``requests`` requests from ``clients`` threads, stopping early after ``seconds``: 75% public
    reads, 20% Open311 submissions, 5% failed sign-ins."""
    rng = random.Random(seed)
    plan = rng.choices(["read", "submit", "sign_in"], weights=[75, 20, 5], k=requests)
    tally = Tally()
    deadline = time.monotonic() + seconds

    def one(i: int) -> None:
        if time.monotonic() > deadline:
            return
        kind, began = plan[i], time.monotonic()
        try:
            if kind == "read":
                status = request("GET", base + READS[i % len(READS)])[0]
            elif kind == "submit":
                status = post_open311(base, api_key, f"load-{uuid.uuid4()}", i)[0]
            else:
                status = failed_sign_in(base)
        except OSError as exc:
            with tally.lock:
                tally.failures[type(exc).__name__] += 1
            return
        with tally.lock:
            tally.statuses[status] += 1
            tally.latencies.append(time.monotonic() - began)
            what = READS[i % len(READS)] if kind == "read" else kind
            tally.by_kind.setdefault(what, []).append(time.monotonic() - began)
            tally.sign_ins += kind == "sign_in" and status == 200

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(requests)))
    return tally


def audit_check(db_url: str, work: Path, sign_ins: int) -> list[str]:
    """`copps audit verify`, and every answered failed sign-in present in the audit log."""
    problems = []
    try:
        print(copps(db_url, work, "audit", "verify").strip())
    except RuntimeError as exc:
        problems.append(str(exc))
    count = (
        copps(
            db_url,
            work,
            "shell",
            "-c",
            (
                "from copps.accounts.models import AuditLog; from copps.accounts import lockout; "
                f"name = lockout.audit_name({PROBE_USER!r}, None); "
                "print(AuditLog.objects.filter(username=name, action__in=['login.failed', 'login.refused']).count())"
            ),
        )
        .strip()
        .splitlines()[-1]
    )
    if int(count) != sign_ins:
        problems.append(f"{sign_ins} failed sign-ins answered, {count} audited")
    return problems


def report(tally: Tally, elapsed: float) -> str:
    lat = sorted(tally.latencies) or [0.0]
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    return (
        f"{tally.total} requests in {elapsed:.1f} s ({tally.total / elapsed:.0f}/s); "
        f"error rate {tally.errors / max(tally.total, 1):.2%} ({tally.errors}: "
        f"{dict(tally.failures) or 'no connection failures'}); 429s: {tally.statuses.get(429, 0)}; "
        f"statuses {dict(sorted(tally.statuses.items()))}; "
        f"latency p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms; median by kind: "
        + ", ".join(f"{k} {sorted(v)[len(v) // 2] * 1000:.0f} ms" for k, v in sorted(tally.by_kind.items()))
    )


def run(
    requests: int, clients: int, seconds: float, workers: int, db_url: str | None, work: Path, **env: str
) -> tuple[Tally, list[str]]:
    """The whole bounded run; (tally, problems found)."""
    db_url = db_url or f"sqlite:///{work / 'load.sqlite3'}"
    api_key = prepare(db_url, work)
    server = Server(db_url, work, workers=workers, **env)
    server.start()
    try:
        began = time.monotonic()
        tally = load(server.base, api_key, requests, clients, seconds)
        print(report(tally, time.monotonic() - began))
    finally:
        server.stop()
    problems = audit_check(db_url, work, tally.sign_ins)
    if tally.errors / max(tally.total, 1) >= 0.01:
        problems.append(f"error rate {tally.errors / tally.total:.2%} is not under 1%")
    return tally, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120, help="stop sending after this long")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--database-url", help="an empty database to use (default: a fresh SQLite file)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        _, problems = run(args.requests, args.clients, args.seconds, args.workers, args.database_url, Path(tmp))
    for problem in problems:
        print("FAIL:", problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
