"""The staff API's OpenAPI schema maps every staff operation and its filters: only department
staff signed in with both factors read it (issue 13, check C15)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.conftest import sign_in

from copps.accounts.models import AuditLog

pytestmark = pytest.mark.django_db


def schema_url() -> str:
    return reverse("api:openapi-json")


def test_anonymous_cannot_read_the_staff_api_schema():
    response = Client().get(schema_url())
    assert response.status_code == 401
    assert b"/api/events" not in response.content


def test_a_password_alone_does_not_read_the_staff_api_schema(cast):
    client = Client()
    client.force_login(cast["analyst"])  # no second factor
    response = client.get(schema_url())
    assert response.status_code == 401
    assert b"/api/events" not in response.content


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_non_staff_are_refused_the_staff_api_schema_and_audited(cast, role):
    response = sign_in(Client(), cast[role]).get(schema_url())
    assert response.status_code == 403
    assert b"/api/events" not in response.content
    row = AuditLog.objects.get(action="api.schema")
    assert (row.username, row.outcome) == (role, AuditLog.Outcome.DENIED)


@pytest.mark.parametrize("role", ["officer", "analyst", "admin"])
def test_staff_signed_in_with_both_factors_read_the_staff_api_schema(cast, role):
    response = sign_in(Client(), cast[role]).get(schema_url())
    assert response.status_code == 200
    assert "/api/events/geojson" in response.json()["paths"]


def test_the_public_api_schema_stays_public():
    response = Client().get(reverse("publish:public_api:openapi-json"))
    assert response.status_code == 200
