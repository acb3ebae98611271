"""List pages cost the same number of queries for one row as for many (no N+1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from engagement_helpers import answer_data

from copps.community.engagement.models import Meeting, WatchGroup, WatchMember


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_meetings(areas, group, n):
    start = timezone.now() + timedelta(days=3)
    for i in range(n):
        Meeting.objects.create(
            title=f"M{i}",
            area=areas["west"],
            group=group,
            place="Hall",
            starts_at=start + timedelta(days=i),
            ends_at=start + timedelta(days=i, hours=1),
        )


def add_groups(areas, n):
    for i in range(n):
        g = WatchGroup.objects.create(name=f"G{i}", area=areas["hood"])
        WatchMember.objects.create(group=g, name=f"Member {i}", captain=bool(i % 2))


@pytest.mark.parametrize("url", ["/community/engage/", "/community/engage/meetings/", "/community/engage/meetings.ics"])
def test_public_meeting_pages(client, areas, group, url):
    add_meetings(areas, group, 1)
    one = queries(client, url)
    add_meetings(areas, group, 6)
    assert queries(client, url) == one


@pytest.mark.parametrize("url", ["/community/engage/staff/meetings/", "/community/engage/staff/groups/"])
def test_staff_list_pages(client_for, areas, group, url):
    c = client_for("supervisor")
    add_meetings(areas, group, 1)
    add_groups(areas, 1)
    one = queries(c, url)
    add_meetings(areas, group, 6)
    add_groups(areas, 6)
    assert queries(c, url) == one


def test_results_pages(client, client_for, survey, areas):
    from django.test import Client

    Client().post(f"/community/engage/surveys/{survey.pk}/", answer_data(survey, areas["west"]))
    public_one = queries(client, f"/community/engage/surveys/{survey.pk}/results/")
    for _ in range(6):
        Client().post(f"/community/engage/surveys/{survey.pk}/", answer_data(survey, areas["east"]))
    assert queries(client, f"/community/engage/surveys/{survey.pk}/results/") == public_one
    staff = client_for("analyst")
    staff_one = queries(staff, f"/community/engage/staff/surveys/{survey.pk}/review/")
    Client().post(f"/community/engage/surveys/{survey.pk}/", answer_data(survey, areas["west"]))
    assert queries(staff, f"/community/engage/staff/surveys/{survey.pk}/review/") == staff_one
