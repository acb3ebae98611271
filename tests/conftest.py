"""Shared test fixtures: where the real data lives, and a cast of users, one per role."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def shared_data(relative: str) -> Path:
    """A file of ../shared/data, or skip the test saying what is missing."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data file {path} is absent (../shared/data is not beside this checkout)")
    return path


PASSWORD = "correct horse battery staple"


@pytest.fixture
def cast(db, django_user_model):
    """One user per role, all with the password ``PASSWORD``."""
    users = {}
    for role in ("resident", "officer", "analyst", "supervisor", "admin", "auditor"):
        users[role] = django_user_model.objects.create_user(
            username=role, password=PASSWORD, role=role, is_staff=role == "admin", is_superuser=role == "admin"
        )
    return users


@pytest.fixture
def client_for(client, cast):
    """A test client signed in as the given role."""

    def _client(role: str):
        client.force_login(cast[role])
        return client

    return _client
