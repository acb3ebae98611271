"""Fixtures of the problem-solving workspace: problems at each stage, a second officer, the
synthetic city imported (crimes and collisions) for scanning and assessment."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from tests.conftest import import_city, replayed
from tests.problems.prevention_city import place  # noqa: F401 (the near-repeat prevention fixture)

from copps.accounts.models import AuditLog
from copps.incidents.models import Area, OffenseCategory
from copps.problems.models import (
    Hypothesis,
    Objective,
    Partner,
    Problem,
    ResponsePlan,
    SavedAnalysis,
    Task,
    TriangleEntry,
)

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-121.30, 38.70], [-121.29, 38.70], [-121.29, 38.71], [-121.30, 38.71], [-121.30, 38.70]]],
}


@pytest.fixture
def other_officer(db, django_user_model):
    return django_user_model.objects.create_user(username="officer2", password="x-long-password-2", role="officer")


@pytest.fixture
def make_problem(cast):
    """A problem owned by the cast's officer, at the given stage, with the scanning checklist met."""

    def _make(stage="scanning", title="Car break-ins at the Sunridge lot", owner="officer", **extra):
        problem = Problem.objects.create(
            title=title,
            summary="Cars broken into at night, about twice a week.",
            stage=stage,
            created_by=cast["analyst"],
            owner=cast[owner] if owner else None,
            **{"polygon": SQUARE, **extra},
        )
        category, _ = OffenseCategory.objects.get_or_create(
            code="theft-from-vehicle", defaults={"name": "Theft from vehicle", "kind": "crime", "group": "property"}
        )
        problem.categories.add(category)
        SavedAnalysis.objects.create(
            problem=problem, kind="places", title="Risky places", parameters={"top": 10}, result={"rows": []}
        )
        return problem

    return _make


def fill_analysis(problem: Problem) -> None:
    """Meet the analysis checklist."""
    partner = Partner.objects.create(name="Sunridge Plaza management", kind="landlord", role="manager")
    TriangleEntry.objects.create(problem=problem, side="place", description="the east lot", place="70XX SUNRIDGE BLVD")
    TriangleEntry.objects.create(problem=problem, side="victim", description="commuters' parked cars")
    TriangleEntry.objects.create(problem=problem, side="manager", description="lot owner", partner=partner)
    Hypothesis.objects.create(
        problem=problem,
        statement="Break-ins cluster where the lights are out",
        status="supported",
        evidence="14 of 20 after dark under broken lights",
    )


def fill_response(problem: Problem, owner) -> None:
    """Meet the response checklist."""
    plan = ResponsePlan.objects.create(
        problem=problem, summary="Fix the lights, post signs", techniques=["natural-surveillance", "alert-conscience"]
    )
    Objective.objects.create(plan=plan, text="Break-ins down by a third in six months")
    Task.objects.create(problem=problem, title="Ask the owner to repair lights", owner=owner, status="done")


def audit_actions(**filters) -> list[str]:
    return list(AuditLog.objects.filter(**filters).order_by("id").values_list("action", flat=True))


@pytest.fixture
def imported(db, city):
    """The synthetic city's districts, beats, crimes and collisions in the database; returns truth.json."""
    paths, truth = city

    def write():
        import_city(paths)

    replayed("synthetic city imported", write)  # imported once per test process, then replayed
    assert Area.objects.filter(type="beat").count() == 16
    return truth


@pytest.fixture
def with_requests(imported, city):
    """The synthetic city's community service requests too (its planted request clusters in truth.json)."""
    paths, _ = city

    def write():
        call_command("requests", "import", str(paths["services"]), str(paths["requests"]))

    replayed("synthetic city's requests imported", write)  # imported once per test process, then replayed
    return imported
