"""`copps publish_demo` puts the demo's example problem on the portal, in demo mode only."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from copps.problems.management.commands.problems_demo import ASSESSED_TITLE
from copps.problems.models import Problem
from copps.publish.models import ImprovementAnswer, PublishState


@pytest.mark.django_db
def test_publishes_the_example_problem_once(client, settings):
    settings.MODE = "demo"
    problem = Problem.objects.create(title=ASSESSED_TITLE, summary="Thefts at the corner.")
    call_command("publish_demo", stdout=io.StringIO())
    call_command("publish_demo", stdout=io.StringIO())
    problem.refresh_from_db()
    assert problem.public and PublishState.objects.exists()
    assert ImprovementAnswer.objects.filter(problem=problem).count() == 14
    html = " ".join(client.get(f"/public/problems/{problem.pk}/").content.decode().split())
    # 14 answers given yesterday (9 yes, 3 no, 2 not sure), each count to the nearest 5
    assert "15 residents answered: 10 yes, 5 no, 0 not sure" in html


@pytest.mark.django_db
def test_refuses_outside_demo_mode(settings):
    settings.MODE = "production"
    with pytest.raises(CommandError, match="COPPS_MODE=demo"):
        call_command("publish_demo", stdout=io.StringIO())
