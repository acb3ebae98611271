"""`engagement_demo` seeds a survey with answers, a watch group, two meetings and beat officers."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from copps.community.engagement.models import (
    BeatAssignment,
    Meeting,
    Survey,
    SurveyResponse,
    WatchGroup,
)


def test_demo_seeds_everything_once(cast, areas, client):
    out = StringIO()
    call_command("engagement_demo", stdout=out)
    assert "Engagement demo" in out.getvalue()
    survey = Survey.objects.get()
    assert survey.published and survey.is_open() and survey.questions.count() == 4
    assert SurveyResponse.objects.filter(survey=survey).count() == 60  # one neighbourhood in this city
    assert WatchGroup.objects.get().members.filter(captain=True).count() == 2
    assert Meeting.objects.filter(public=True).count() == 2
    assert set(BeatAssignment.objects.values_list("beat__code", flat=True)) == {"W1", "E1"}
    page = client.get(f"/community/engage/surveys/{survey.pk}/results/")
    assert page.status_code == 200 and b"Maple Hill" in page.content

    again = StringIO()
    call_command("engagement_demo", stdout=again)
    assert "already seeded" in again.getvalue()
    assert Survey.objects.count() == 1 and Meeting.objects.count() == 2
