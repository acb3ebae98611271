"""Staff pages: anonymous users are sent to sign in, residents and auditors get a bare 403,
officers read but do not set surveys up; watch group contacts are staff only and audited."""

from __future__ import annotations

import pytest

from copps.accounts.models import AuditLog
from copps.community.engagement.models import Meeting, Question, Survey

STAFF_PAGES = [
    "/community/engage/staff/surveys/",
    "/community/engage/staff/surveys/{survey}/results/",
    "/community/engage/staff/groups/",
    "/community/engage/staff/groups/{group}/",
    "/community/engage/staff/meetings/",
    "/community/engage/staff/meetings/new/",
]
SURVEY_SETUP_PAGES = [
    "/community/engage/staff/surveys/new/",
    "/community/engage/staff/surveys/{survey}/",
    "/community/engage/staff/surveys/{survey}/review/",
]
SECRETS = [b"yolanda.brightwater@example.org", b"555-0177", b"Yolanda"]


def fill(url, survey, group):
    return url.format(survey=survey.pk, group=group.pk)


@pytest.mark.parametrize("url", STAFF_PAGES + SURVEY_SETUP_PAGES)
def test_anonymous_is_sent_to_sign_in(client, survey, group, url):
    page = client.get(fill(url, survey, group))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert not any(s in page.content for s in SECRETS)


@pytest.mark.parametrize("role", ["resident", "auditor"])
@pytest.mark.parametrize("url", STAFF_PAGES + SURVEY_SETUP_PAGES)
def test_residents_and_auditors_get_a_bare_403(client_for, survey, group, role, url):
    page = client_for(role).get(fill(url, survey, group))
    assert page.status_code == 403 and b"You can't open this page" in page.content


@pytest.mark.parametrize("url", SURVEY_SETUP_PAGES)
def test_officers_read_results_but_do_not_set_surveys_up(client_for, survey, group, url):
    officer = client_for("officer")
    assert officer.get(fill(url, survey, group)).status_code == 403
    assert officer.get(f"/community/engage/staff/surveys/{survey.pk}/results/").status_code == 200


@pytest.mark.parametrize("role", ["officer", "analyst", "supervisor", "admin"])
def test_staff_see_member_contacts_and_each_read_is_audited(client_for, group, role):
    page = client_for(role).get(f"/community/engage/staff/groups/{group.pk}/")
    assert page.status_code == 200 and all(s in page.content for s in SECRETS)
    row = AuditLog.objects.get(action="engagement.watchgroup.read")
    assert row.username == role and row.object_id == str(group.pk)


def test_public_pages_never_show_member_contacts(client, group, meetings):
    for url in ["/community/engage/", "/community/engage/meetings/", "/community/engage/meetings.ics"]:
        body = client.get(url).content
        assert not any(s in body for s in SECRETS), url


@pytest.mark.parametrize("role", ["analyst", "supervisor", "admin"])
def test_survey_staff_create_a_survey_and_add_questions(client_for, areas, role):
    c = client_for(role)
    bad = c.post(
        "/community/engage/staff/surveys/new/",
        {
            "title": "Bad dates",
            "areas": [areas["west"].pk],
            "opens_on": "2026-12-10",
            "closes_on": "2026-12-01",
        },
    )
    assert bad.status_code == 400 and b"must close on or after" in bad.content and not Survey.objects.exists()
    made = c.post(
        "/community/engage/staff/surveys/new/",
        {
            "title": "Trust in police",
            "areas": [areas["west"].pk, areas["east"].pk],
            "opens_on": "2026-12-01",
            "closes_on": "2026-12-31",
        },
    )
    survey = Survey.objects.get()
    assert made.status_code == 302 and survey.created_by.username == role
    url = f"/community/engage/staff/surveys/{survey.pk}/"
    one_choice = c.post(url, {"order": 1, "text": "Top problem", "kind": "choice", "choices_text": "Speeding"})
    assert one_choice.status_code == 400 and b"at least two choices" in one_choice.content
    assert not Question.objects.exists()
    ok = c.post(url, {"order": 1, "text": "Top problem", "kind": "choice", "choices_text": "Speeding\nLitter\n"})
    assert ok.status_code == 302
    assert Question.objects.get().choices == ["Speeding", "Litter"]
    c.post(f"/community/engage/staff/surveys/{survey.pk}/publish/")
    survey.refresh_from_db()
    assert survey.published


def test_officer_cannot_publish_a_survey(client_for, survey):
    survey.published = False
    survey.save()
    assert client_for("officer").post(f"/community/engage/staff/surveys/{survey.pk}/publish/").status_code == 403
    survey.refresh_from_db()
    assert not survey.published


def test_staff_create_a_meeting_with_checked_times(client_for, areas):
    c = client_for("officer")
    base = {"title": "Beat meeting", "area": areas["west"].pk, "place": "Library", "public": "on"}
    bad = c.post(
        "/community/engage/staff/meetings/new/",
        {**base, "starts_at": "2026-12-03T19:00", "ends_at": "2026-12-03T18:00"},
    )
    assert bad.status_code == 400 and b"must end after it starts" in bad.content and not Meeting.objects.exists()
    ok = c.post(
        "/community/engage/staff/meetings/new/",
        {**base, "starts_at": "2026-12-03T19:00", "ends_at": "2026-12-03T20:30"},
    )
    assert ok.status_code == 302 and Meeting.objects.get().created_by.username == "officer"
    assert b"Beat meeting" in c.get("/community/engage/staff/meetings/").content


def test_only_the_gazetteer_reads_police_events():
    """The folder rule (README.md): crime data never passes through the engagement pages."""
    import re
    from pathlib import Path

    import copps.community.engagement as engagement

    imports_event = re.compile(r"from copps\.incidents\.models import [^\n]*\bEvent\b")
    root = Path(engagement.__file__).parent
    readers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "migrations" not in p.parts and imports_event.search(p.read_text())
    )
    assert readers == ["gazetteer.py"]
