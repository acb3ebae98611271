"""/healthz for load balancers: no sign-in, three facts, 503 when the database is down."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.urls import reverse
from tests.jobs import jobtasks


@pytest.mark.django_db
def test_healthz_answers_without_sign_in(client, tmp_path):
    jobtasks.hold.enqueue(str(tmp_path))
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "migrations": True, "queued_jobs": 1}
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def down(self, sql, params=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", down)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response.json() == {"status": "unavailable", "database": False}


def test_healthz_is_503_with_a_postgresql_server_that_does_not_answer():
    """A real unreachable database (nothing listens on port 1), in a process of its own."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}
    env["COPPS_DATABASE_URL"] = "postgresql://postgres@127.0.0.1:1/nowhere"
    code = "from django.test import Client; r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    out = subprocess.run(
        [sys.executable, "-m", "copps.cli", "shell", "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == '503 {"status": "unavailable", "database": false}'
