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
